package dev.custody.evidence;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.imageref.ImageReference;
import dev.custody.logfmt.Log;
import dev.custody.sbom.PackageUrl;
import dev.custody.store.Denylist;
import dev.custody.store.Evidence;
import dev.custody.store.Incidents;
import dev.custody.store.RuntimeInventory;
import dev.custody.store.SbomStore;
import dev.custody.store.Store;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The incident path over the evidence and the runtime inventory: what an incident's target stands for (digests), where
 * it runs (the blast radius), blocking it (denylist entries named for the incident), and tracking it: each tick
 * counts the running pods of every open incident, keeps the burn-down, and closes a blocked incident once nothing
 * runs it. The CLI, the API and {@code custody serve} all use this one class, so an incident has one answer.
 */
public final class IncidentTracker implements AutoCloseable {

    /** Namespace labels that name the owning team, in the order they are read. */
    public static final List<String> TEAM_LABELS = List.of("custody.dev/team", "team", "owner");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Store store;
    private final Incidents incidents;
    private final RuntimeInventory inventory;
    private final Denylist denylist;
    private final Evidence evidence;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "custody-incidents");
        t.setDaemon(true);
        return t;
    });
    private volatile IncidentNotifier notifier;
    private volatile String lastError;
    private volatile long lastTickAt;
    private volatile Map<String, Integer> lastCounts = Map.of();

    public IncidentTracker(Store store) {
        this.store = store;
        this.incidents = new Incidents(store);
        this.inventory = new RuntimeInventory(store);
        this.denylist = new Denylist(store);
        this.evidence = new Evidence(store);
    }

    public Incidents incidents() {
        return incidents;
    }

    /** Sends the timeline's open, block and close events to a webhook. */
    public IncidentTracker notifying(IncidentNotifier n) {
        this.notifier = n;
        return this;
    }

    public IncidentNotifier notifier() {
        return notifier;
    }

    /** Tracks every {@code periodMillis} until closed. */
    public IncidentTracker start(long periodMillis) {
        thread.scheduleWithFixedDelay(() -> {
            try {
                tick(System.currentTimeMillis());
                lastError = null;
            } catch (RuntimeException e) {
                if (!String.valueOf(e.getMessage()).equals(lastError)) {
                    Log.warn("incident tracking failed", "error", e.getMessage());
                }
                lastError = String.valueOf(e.getMessage());
            }
        }, 0, periodMillis, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Running pods of each open incident at the last tick, for metrics. */
    public Map<String, Integer> lastCounts() {
        return lastCounts;
    }

    public String lastError() {
        return lastError;
    }

    public long lastTickAt() {
        return lastTickAt;
    }

    // ---------------------------------------------------------------- opening and acting

    /** Opens an incident; for a vulnerability, {@code packages} are the affected package versions its advisory lists. */
    public Incidents.Incident open(Incidents.TargetKind kind, String target, List<String> packages, String title, String severity, String owner,
                                   String actor, long now) {
        List<String> canonical = new ArrayList<>();
        if (kind == Incidents.TargetKind.PACKAGE) {
            canonical.add(PackageUrl.parse(target).canonical());
            target = canonical.get(0);
        }
        for (String p : packages) {
            canonical.add(PackageUrl.parse(p).canonical());
        }
        Incidents.Incident i = incidents.open(kind, target, List.copyOf(new LinkedHashSet<>(canonical)), title, severity, owner, actor, now);
        count(i, now); // the first burn-down point: what ran when it was opened
        return incidents.get(i.id());
    }

    /** Adds the denylist entries that block the incident's target, each named for the incident, and records it. */
    public List<Denylist.Entry> block(Incidents.Incident i, String reason, String actor, long now) {
        if (!i.state().equals(Incidents.OPEN)) {
            throw new IllegalArgumentException("incident " + i.id() + " is closed");
        }
        String why = reason == null || reason.isBlank() ? i.title() : reason;
        List<Denylist.Entry> added = new ArrayList<>();
        if (i.targetKind() == Incidents.TargetKind.DIGEST) {
            added.add(denylist.add(Denylist.Kind.DIGEST, i.target(), why, actor, null, i.id()));
        } else {
            boolean known = blockable(i.targetKind(), i.target(), i.packages());
            if (known) {
                added.add(denylist.add(Denylist.Kind.VULNERABILITY, i.target(), why, actor, null, i.id()));
            }
            for (String p : i.packages()) {
                added.add(denylist.add(Denylist.Kind.PURL, p, why, actor, null, i.id()));
            }
        }
        ArrayNode entries = JSON.createArrayNode();
        for (Denylist.Entry e : added) {
            entries.addObject().put("id", e.id()).put("kind", e.kind().name().toLowerCase(java.util.Locale.ROOT)).put("value", e.value());
        }
        ObjectNode d = JSON.createObjectNode().put("reason", why);
        d.set("entries", entries);
        incidents.event(i.id(), "blocked", actor, d, now);
        return added;
    }

    /** What responders decide per workload. */
    public static final List<String> ACTIONS = List.of("restart", "rollback", "patch-forward", "quarantine");

    /** The label quarantine puts on affected pods, and its NetworkPolicy selects. */
    public static final String QUARANTINE_LABEL = "custody.dev/quarantine";

    /** A workload's affected pods and, for quarantine, the deny-all NetworkPolicy that isolates them. */
    public record Action(String cluster, String namespace, String kind, String name, String action, List<String> pods, ObjectNode networkPolicy) {}

    /**
     * Decides an action for one workload of the blast radius (its running pods of the target are named). Quarantine
     * comes with a NetworkPolicy that denies all ingress and egress of pods labelled {@value #QUARANTINE_LABEL}=ID;
     * applying it (and the label) is the caller's, and {@link #recordAction} records what was done.
     */
    public Action action(Incidents.Incident i, String cluster, String namespace, String kind, String name, String action) {
        if (!ACTIONS.contains(action)) {
            throw new IllegalArgumentException("action is one of " + String.join(", ", ACTIONS) + "; found \"" + action + "\"");
        }
        List<String> pods = new ArrayList<>();
        for (RuntimeInventory.Running r : running(i)) {
            if ((cluster == null || r.cluster().equals(cluster)) && r.namespace().equals(namespace) && r.workloadKind().equalsIgnoreCase(kind)
                    && r.workloadName().equals(name) && !pods.contains(r.pod())) {
                pods.add(r.pod());
            }
        }
        ObjectNode np = null;
        if (action.equals("quarantine")) {
            np = JSON.createObjectNode();
            np.put("apiVersion", "networking.k8s.io/v1");
            np.put("kind", "NetworkPolicy");
            ObjectNode meta = np.putObject("metadata");
            meta.put("name", "custody-quarantine-" + i.id().toLowerCase(java.util.Locale.ROOT));
            meta.put("namespace", namespace);
            meta.putObject("labels").put("app.kubernetes.io/managed-by", "custody").put("custody.dev/incident", i.id());
            meta.putObject("annotations").put("custody.dev/reason", "quarantine for incident " + i.id() + ": " + i.title());
            ObjectNode spec = np.putObject("spec");
            spec.putObject("podSelector").putObject("matchLabels").put(QUARANTINE_LABEL, i.id());
            spec.putArray("policyTypes").add("Ingress").add("Egress"); // and no rules: nothing in, nothing out
        }
        return new Action(cluster, namespace, kind, name, action, List.copyOf(pods), np);
    }

    /** Records an action on the timeline: which workload, what, with which note, whether it was applied, and to which pods. */
    public Incidents.Event recordAction(Incidents.Incident i, Action a, String note, boolean applied, String actor, long now) {
        ObjectNode d = JSON.createObjectNode();
        if (a.cluster() != null) {
            d.put("cluster", a.cluster());
        }
        d.put("namespace", a.namespace()).put("kind", a.kind()).put("name", a.name()).put("action", a.action()).put("applied", applied);
        if (note != null) {
            d.put("note", note);
        }
        ArrayNode pods = d.putArray("pods");
        a.pods().forEach(pods::add);
        if (a.networkPolicy() != null) {
            d.put("networkPolicy", a.networkPolicy().path("metadata").path("name").asText());
        }
        return incidents.event(i.id(), "action", actor, d, now);
    }

    /**
     * Closes an incident by hand: when nothing runs it, as no longer running; while pods still run it, only with an
     * accepted-risk note by an approver who is not the one who opened it.
     */
    public boolean closeByHand(Incidents.Incident i, String acceptRisk, String actor, long now) {
        if (!i.state().equals(Incidents.OPEN)) {
            return false;
        }
        int running = pods(running(i));
        if (running == 0 && (acceptRisk == null || acceptRisk.isBlank())) {
            count(i, now);
            return incidents.close(i.id(), actor, "no-longer-running", null, now);
        }
        if (acceptRisk == null || acceptRisk.isBlank()) {
            throw new IllegalArgumentException(running + " pods still run it: close it with an accepted-risk note, or when nothing runs it");
        }
        if (actor.equals(i.openedBy())) {
            throw new IllegalArgumentException("accepting the risk needs an approver other than " + i.openedBy() + ", who opened the incident");
        }
        return incidents.close(i.id(), actor, "accepted-risk", acceptRisk, now);
    }

    /**
     * Checks that a target can be blocked before anything is written, and says whether the advisory database knows a
     * vulnerability target (then it is blocked by id, besides any packages).
     */
    public boolean blockable(Incidents.TargetKind kind, String target, List<String> packages) {
        if (kind != Incidents.TargetKind.VULNERABILITY) {
            return false;
        }
        boolean known = dev.custody.vulns.VulnerableDigests.of(store, target).known();
        if (packages.isEmpty() && !known) {
            throw new IllegalArgumentException("nothing to block for " + target + ": the advisory database does not know it and no package is "
                    + "named; import it (custody vuln db import), open the incident with --advisory FILE, or block its digests with "
                    + "`custody denylist add`");
        }
        return known;
    }

    /** Whether a denylist entry named for the incident is in force. */
    public boolean blocked(Incidents.Incident i, long now) {
        return denylist.active(now).stream().anyMatch(e -> i.id().equals(e.incident()));
    }

    // ---------------------------------------------------------------- what it stands for, and where it runs

    /** The digests the target stands for: the digest itself, or every digest whose stored SBOM lists one of its packages. */
    public Set<String> digests(Incidents.Incident i) {
        Set<String> out = new TreeSet<>();
        if (i.targetKind() == Incidents.TargetKind.DIGEST) {
            out.add(i.target());
            return out;
        }
        for (String p : i.packages()) {
            for (Evidence.ComponentHit h : evidence.componentsByPurl(PackageUrl.parse(p))) {
                out.addAll(h.digests());
            }
        }
        if (i.targetKind() == Incidents.TargetKind.VULNERABILITY) {
            out.addAll(dev.custody.vulns.VulnerableDigests.of(store, i.target()).digests()); // what the advisory database says
        }
        return out;
    }

    /** The containers of present pods that run the target. */
    public List<RuntimeInventory.Running> running(Incidents.Incident i) {
        return inventory.runningAny(digests(i));
    }

    static int pods(List<RuntimeInventory.Running> rows) {
        Set<String> pods = new java.util.HashSet<>();
        for (RuntimeInventory.Running r : rows) {
            pods.add(r.cluster() + "\u0000" + r.podUid());
        }
        return pods.size();
    }

    public static String team(Map<String, String> namespaceLabels) {
        if (namespaceLabels == null) {
            return null;
        }
        for (String k : TEAM_LABELS) {
            String v = namespaceLabels.get(k);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    private static final Comparator<RuntimeInventory.Running> POD_ORDER = Comparator.comparing(RuntimeInventory.Running::cluster)
            .thenComparing(RuntimeInventory.Running::namespace).thenComparing(RuntimeInventory.Running::pod)
            .thenComparing(RuntimeInventory.Running::container);

    /**
     * The blast radius: clusters, namespaces (with their teams), workloads and pods that run the target now, the
     * manifests admission saw naming it (running or not), and whether a fixed image exists.
     */
    public Map<String, Object> blastRadius(Incidents.Incident i) {
        Set<String> digests = digests(i);
        List<RuntimeInventory.Running> rows = new ArrayList<>(inventory.runningAny(digests));
        rows.sort(POD_ORDER);
        Map<String, Map<String, Map<String, String>>> labels = rows.isEmpty() ? Map.of() : inventory.namespaceLabels();
        Map<String, Integer> clusters = new TreeMap<>();
        Map<String, Map<String, Object>> namespaces = new TreeMap<>();
        Map<String, Map<String, Object>> workloads = new TreeMap<>();
        List<Map<String, Object>> pods = new ArrayList<>();
        Set<String> teams = new TreeSet<>();
        Set<String> repositories = new TreeSet<>();
        Set<String> images = new java.util.HashSet<>();
        String lastPod = null;
        List<Map<String, Object>> containers = null;
        for (RuntimeInventory.Running r : rows) {
            images.add(r.image());
            Map<String, Object> ct = new LinkedHashMap<>(8);
            ct.put("container", r.container());
            ct.put("image", r.image());
            ct.put("digest", r.digest());
            ct.put("running", r.running());
            String podKey = r.cluster() + "\u0000" + r.podUid();
            if (podKey.equals(lastPod)) {
                containers.add(ct);
                continue;
            }
            lastPod = podKey;
            String team = team(labels.getOrDefault(r.cluster(), Map.of()).get(r.namespace()));
            if (team != null) {
                teams.add(team);
            }
            containers = new ArrayList<>(2);
            containers.add(ct);
            Map<String, Object> pod = new LinkedHashMap<>(12);
            pod.put("cluster", r.cluster());
            pod.put("namespace", r.namespace());
            pod.put("pod", r.pod());
            pod.put("uid", r.podUid());
            pod.put("workload", Map.of("kind", r.workloadKind(), "name", r.workloadName()));
            pod.put("node", r.node());
            pod.put("containers", containers);
            pods.add(pod);
            clusters.merge(r.cluster(), 1, Integer::sum);
            Map<String, Object> ns = namespaces.computeIfAbsent(r.cluster() + "/" + r.namespace(), k -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("cluster", r.cluster());
                m.put("namespace", r.namespace());
                m.put("team", team);
                m.put("pods", 0);
                return m;
            });
            ns.merge("pods", 1, (x, y) -> (Integer) x + (Integer) y);
            Map<String, Object> w = workloads.computeIfAbsent(r.cluster() + "/" + r.namespace() + "/" + r.workloadKind() + "/" + r.workloadName(),
                    k -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("cluster", r.cluster());
                        m.put("namespace", r.namespace());
                        m.put("kind", r.workloadKind());
                        m.put("name", r.workloadName());
                        m.put("team", team);
                        m.put("pods", 0);
                        m.put("images", new TreeSet<String>());
                        return m;
                    });
            w.merge("pods", 1, (x, y) -> (Integer) x + (Integer) y);
            @SuppressWarnings("unchecked")
            Set<String> ws = (Set<String>) w.get("images");
            ws.add(r.image());
        }
        images.forEach(im -> repositoryOf(im, repositories));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("digests", List.copyOf(digests));
        out.put("counts", Map.of("clusters", clusters.size(), "namespaces", namespaces.size(), "workloads", workloads.size(), "pods", pods.size(),
                "teams", teams.size()));
        List<Map<String, Object>> cl = new ArrayList<>();
        clusters.forEach((k, v) -> cl.add(Map.of("cluster", k, "pods", v)));
        out.put("clusters", cl);
        out.put("namespaces", List.copyOf(namespaces.values()));
        out.put("workloads", List.copyOf(workloads.values()));
        out.put("pods", pods);
        out.put("teams", List.copyOf(teams));
        List<Map<String, Object>> refs = new ArrayList<>();
        Set<String> runningWorkloads = new java.util.HashSet<>();
        workloads.values().forEach(w -> runningWorkloads.add(w.get("namespace") + "/" + w.get("kind") + "/" + w.get("name")));
        for (Incidents.Reference r : incidents.referencedBy(digests)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("namespace", r.namespace());
            m.put("kind", r.kind());
            m.put("name", r.name());
            m.put("image", r.image());
            m.put("digest", r.digest());
            m.put("lastDecision", InventoryViews.instant(r.lastDecidedAt()));
            m.put("lastVerdict", r.lastVerdict());
            m.put("runningNow", runningWorkloads.contains(r.namespace() + "/" + r.kind() + "/" + r.name()));
            refs.add(m);
            repositoryOf(r.image(), repositories);
        }
        out.put("referencedBy", refs);
        out.put("fixedImages", fixedImages(i, digests, repositories));
        return out;
    }

    private static void repositoryOf(String image, Set<String> into) {
        if (image == null) {
            return;
        }
        if (ImageReference.tryParse(image) instanceof ImageReference.ParseResult.Parsed p) {
            into.add(p.reference().name()); // as artifacts are recorded
            String written = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
            int colon = written.lastIndexOf(':');
            if (colon > written.lastIndexOf('/')) {
                written = written.substring(0, colon);
            }
            into.add(written); // as the inventory holds the spec's image
        }
    }

    /**
     * Newer digests of the same repositories that do not carry the problem: for a package or vulnerability, one whose
     * stored SBOM lacks every affected package (without an SBOM nothing can be said); for a digest, any other digest
     * of the repository that no denylist entry names.
     */
    private List<Map<String, Object>> fixedImages(Incidents.Incident i, Set<String> bad, Set<String> repositories) {
        List<Map<String, Object>> out = new ArrayList<>();
        Set<String> listed = new java.util.HashSet<>();
        for (Denylist.Entry e : denylist.active(System.currentTimeMillis())) {
            if (e.kind() == Denylist.Kind.DIGEST) {
                listed.add(e.value());
            }
        }
        SbomStore sboms = new SbomStore(store);
        for (var byRepo : incidents.digestsOf(repositories, bad).entrySet()) {
            String repo = byRepo.getKey();
            for (String d : byRepo.getValue()) {
                if (listed.contains(d) || out.size() >= 20) {
                    continue;
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("repository", repo);
                m.put("digest", d);
                if (i.targetKind() == Incidents.TargetKind.DIGEST) {
                    m.put("basis", "another digest of the repository, not denylisted");
                } else if (sboms.linked(d)) {
                    m.put("basis", "its SBOM lacks " + String.join(", ", i.packages()));
                } else {
                    continue; // nothing says it lacks the package
                }
                out.add(m);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- tracking

    /**
     * One tracking pass: counts the running pods of every open incident, records a burn-down point when the count
     * changed, and closes a blocked incident at zero. Then sends due webhook notifications.
     */
    public void tick(long now) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Incidents.Incident i : incidents.list(Incidents.OPEN)) {
            int n = count(i, now);
            counts.put(i.id(), n);
            if (n == 0 && blocked(i, now)) {
                if (incidents.close(i.id(), "custody", "no-longer-running", "nothing runs the blocked artifact", now)) {
                    Log.info("incident closed: nothing runs it", "incident", i.id());
                }
            }
        }
        lastCounts = Map.copyOf(counts);
        lastTickAt = now;
        IncidentNotifier n = notifier;
        if (n != null) {
            n.deliver(incidents, now);
        }
    }

    private int count(Incidents.Incident i, long now) {
        List<RuntimeInventory.Running> rows = running(i);
        int n = pods(rows);
        Set<String> workloads = new java.util.HashSet<>();
        for (RuntimeInventory.Running r : rows) {
            workloads.add(r.cluster() + "/" + r.namespace() + "/" + r.workloadKind() + "/" + r.workloadName());
        }
        ObjectNode d = JSON.createObjectNode().put("workloads", workloads.size());
        incidents.count(i.id(), n, d, now);
        return n;
    }

    // ---------------------------------------------------------------- the whole view

    /** The incident as {@code incident show -o json} and the API return it. */
    public Map<String, Object> view(Incidents.Incident i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i.id());
        m.put("state", i.state());
        m.put("target", Map.of("kind", i.targetKind().label(), "value", i.target()));
        m.put("packages", i.packages());
        m.put("title", i.title());
        m.put("severity", i.severity());
        m.put("owner", i.owner());
        m.put("openedBy", i.openedBy());
        m.put("openedAt", InventoryViews.instant(i.openedAt()));
        m.put("closedBy", i.closedBy());
        m.put("closedAt", InventoryViews.instant(i.closedAt()));
        m.put("resolution", i.resolution());
        m.put("note", i.note());
        m.put("blocked", blocked(i, System.currentTimeMillis()));
        m.put("running", i.running());
        m.put("blastRadius", blastRadius(i));
        List<Incidents.Point> points = incidents.points(i.id());
        List<Map<String, Object>> burndown = new ArrayList<>();
        for (Incidents.Point p : points) {
            burndown.add(Map.of("time", InventoryViews.instant(p.at()), "running", p.running()));
        }
        m.put("burndown", burndown);
        List<Incidents.Event> events = incidents.events(i.id());
        List<Map<String, Object>> timeline = new ArrayList<>();
        for (Incidents.Event e : events) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("time", InventoryViews.instant(e.at()));
            t.put("event", e.kind());
            t.put("actor", e.actor());
            t.put("detail", e.detail());
            timeline.add(t);
        }
        m.put("timeline", timeline);
        m.put("summary", summary(i, points, events));
        return m;
    }

    /** The post-incident summary: when the artifact was admitted and why, when detected, time to block, time to zero. */
    Map<String, Object> summary(Incidents.Incident i, List<Incidents.Point> points, List<Incidents.Event> events) {
        Map<String, Object> s = new LinkedHashMap<>();
        Incidents.Admission a = incidents.firstAdmission(digests(i));
        if (a != null) {
            Map<String, Object> adm = new LinkedHashMap<>();
            adm.put("time", InventoryViews.instant(a.at()));
            adm.put("decision", a.seq());
            adm.put("verdict", a.verdict());
            adm.put("policyVersion", a.policyVersion());
            adm.put("object", a.namespace() + "/" + a.kind() + "/" + a.name());
            adm.put("image", a.image());
            s.put("firstAdmitted", adm);
        } else {
            s.put("firstAdmitted", null);
        }
        s.put("detectedAt", InventoryViews.instant(i.openedAt()));
        Long blockedAt = events.stream().filter(e -> e.kind().equals("blocked")).map(Incidents.Event::at).min(Comparator.naturalOrder()).orElse(null);
        s.put("blockedAt", InventoryViews.instant(blockedAt));
        s.put("timeToBlockSeconds", blockedAt == null ? null : (blockedAt - i.openedAt()) / 1000.0);
        int peak = points.stream().mapToInt(Incidents.Point::running).max().orElse(0);
        s.put("peakRunning", peak);
        Long zeroAt = null;
        for (Incidents.Point p : points) {
            if (p.running() == 0) {
                zeroAt = p.at();
            } else {
                zeroAt = null; // it came back: zero is the last time it got there
            }
        }
        s.put("zeroAt", InventoryViews.instant(zeroAt));
        s.put("timeToZeroSeconds", zeroAt == null ? null : (Math.max(zeroAt, i.openedAt()) - i.openedAt()) / 1000.0);
        s.put("closedAt", InventoryViews.instant(i.closedAt()));
        s.put("actions", events.stream().filter(e -> e.kind().equals("action")).count());
        return s;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
