package dev.custody.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.custody.evidence.IncidentTracker;
import dev.custody.evidence.InventoryViews;
import dev.custody.evidence.Times;
import dev.custody.sbom.PackageUrl;
import dev.custody.store.Evidence;
import dev.custody.store.Exceptions;
import dev.custody.store.InventoryListing;
import dev.custody.store.RuntimeInventory;
import dev.custody.store.SbomStore;
import dev.custody.store.Store;
import dev.custody.vulns.ExceptionViews;
import dev.custody.vulns.StoredVulnEvidence;
import dev.custody.vulns.VulnMatcher;
import dev.custody.vulns.VulnerableDigests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.eclipse.jetty.util.Fields;

import static dev.custody.ui.WebUi.blank;
import static dev.custody.ui.WebUi.intParam;
import static dev.custody.ui.WebUi.query;

/**
 * The web UI's read-only pages: the inventory, an artifact, the decision log and the search box, each built from the
 * store as a {@link Views} model for its template. {@link WebUi} routes to them and renders what they return.
 */
final class ReadPages {

    static final int PAGE_ROWS = 100;
    static final Pattern DIGEST = SbomStore.DIGEST;
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{7,40}");
    /** Ids of the advisory databases OSV aggregates (CVE, GHSA, PYSEC, GO, RUSTSEC, the distributions' own). */
    private static final Pattern VULN_ID = Pattern.compile("(?i)(CVE-\\d{4}-\\d{4,}|GHSA(-[0-9a-z]{4}){3}|(PYSEC|GO|RUSTSEC|OSV|DSA|DLA|DTSA|USN|ALSA|ALBA|"
            + "ALEA|RLSA|RHSA|RHBA|MAL|GSD|BIT|CURL|PSF|HSEC|MGASA|OESA|CGA|SUSE-SU|openSUSE-SU|UBUNTU|DEBIAN|ELSA)-(\\d|CVE-)[0-9a-z.:_-]*)");
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    /** What a search answers: a page (with its status), or a redirect to the artifact a digest names. */
    record Searched(int status, String redirect, Views.Search view) {
        static Searched page(int status, Views.Search view) {
            return new Searched(status, null, view);
        }

        static Searched redirect(String location) {
            return new Searched(303, location, null);
        }
    }

    private final Store store;
    private final Evidence evidence;
    private volatile VulnMatcher matcher;

    ReadPages(Store store) {
        this.store = store;
        this.evidence = new Evidence(store);
    }

    // ---------------------------------------------------------------- inventory

    Views.Inventory inventory(Sessions.Session s, Fields q) throws WebUi.Refusal {
        RuntimeInventory inv = new RuntimeInventory(store);
        String cluster = blank(q.getValue("cluster"));
        String namespace = blank(q.getValue("namespace"));
        String team = blank(q.getValue("team"));
        String registry = blank(q.getValue("registry"));
        String signed = blank(q.getValue("signed"));
        String sbom = blank(q.getValue("sbom"));
        boolean drift = "yes".equals(q.getValue("drift"));
        InventoryListing.Cursor after = cursor(q, "after");
        InventoryListing.Cursor before = after == null ? cursor(q, "before") : null;
        Map<String, Map<String, Map<String, String>>> labels = inv.namespaceLabels();
        Set<String> teams = new TreeSet<>();
        List<String[]> teamNamespaces = team == null ? null : new ArrayList<>();
        labels.forEach((c, byName) -> byName.forEach((ns, l) -> {
            String t = IncidentTracker.team(l);
            if (t != null) {
                teams.add(t);
                if (team != null && t.equals(team)) {
                    teamNamespaces.add(new String[] {c, ns});
                }
            }
        }));
        InventoryListing.Page p = new InventoryListing(store).page(new InventoryListing.Filter(cluster, namespace, teamNamespaces, registry, yesNo("signed", signed),
                yesNo("sbom", sbom), drift), after, before, PAGE_ROWS);
        List<Views.InventoryRow> rows = new ArrayList<>();
        for (InventoryListing.Listed l : p.rows()) {
            RuntimeInventory.Row r = l.row();
            String t = IncidentTracker.team(labels.getOrDefault(r.cluster(), Map.of()).getOrDefault(r.namespace(), Map.of()));
            rows.add(new Views.InventoryRow(r.cluster(), r.namespace(), t, r.workload().kind() + "/" + r.workload().name(), r.pod(), r.container(),
                    r.image(), r.digest(), l.signed(), l.sbom(), r.digest() != null && r.declaredDigest() != null && !r.digest().equals(r.declaredDigest()),
                    r.running()));
        }
        String base = "/ui/inventory?" + query("cluster", cluster, "namespace", namespace, "team", team, "registry", registry, "signed", signed,
                "sbom", sbom, "drift", drift ? "yes" : null);
        List<String> clusters = new ArrayList<>(new TreeSet<>(labels.keySet()));
        List<InventoryListing.Listed> listed = p.rows();
        String prev = p.earlier() && !listed.isEmpty() ? base + "&before=" + cursor(InventoryListing.Cursor.of(listed.getFirst().row())) : null;
        String next = p.more() && !listed.isEmpty() ? base + "&after=" + cursor(InventoryListing.Cursor.of(listed.getLast().row())) : null;
        return new Views.Inventory(WebUi.frame(s, "Inventory", "inventory"), cluster, namespace, team, registry, signed, sbom, drift, rows, p.total(),
                clusters, List.copyOf(teams), prev, next);
    }

    /** A page cursor in a link: the pod's sort key, URL-safe. */
    static String cursor(InventoryListing.Cursor c) {
        String joined = String.join("\n", c.cluster(), c.namespace(), c.pod(), c.podUid());
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(joined.getBytes(StandardCharsets.UTF_8));
    }

    private static InventoryListing.Cursor cursor(Fields q, String name) throws WebUi.Refusal {
        String v = blank(q.getValue(name));
        if (v == null) {
            return null;
        }
        String[] f;
        try {
            f = new String(java.util.Base64.getUrlDecoder().decode(v), StandardCharsets.UTF_8).split("\n", -1);
        } catch (IllegalArgumentException e) {
            f = new String[0];
        }
        if (f.length != 4 || v.length() > 2048) {
            throw new WebUi.Refusal(400, name + ": not a page cursor of this listing (follow the page's own links)");
        }
        return new InventoryListing.Cursor(f[0], f[1], f[2], f[3]);
    }

    private static Boolean yesNo(String field, String v) throws WebUi.Refusal {
        if (v == null) {
            return null;
        }
        return switch (v) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw new WebUi.Refusal(400, field + ": yes or no, found \"" + v + "\"");
        };
    }

    // ---------------------------------------------------------------- artifact

    Views.Artifact artifact(Sessions.Session s, String digest, String componentQuery) throws WebUi.Refusal {
        Evidence.Artifact a = evidence.artifact(digest, 50);
        if (a == null) {
            if (new RuntimeInventory(store).byDigest(digest, false).isEmpty()) {
                throw new WebUi.Refusal(404, "the store knows nothing about " + digest);
            }
            // it runs, but nothing admitted, ingested or verified names it: the page says what is missing
            a = new Evidence.Artifact(digest, null, null, null, null, null, null, List.of(), List.of(), List.of(), List.of(), List.of());
        }
        JsonNode view = JSON.valueToTree(InventoryViews.artifact(store, a, new RuntimeInventory(store).runningWithAdmission(digest)));
        List<Views.Vuln> vulns = new ArrayList<>();
        String note = null;
        long now = System.currentTimeMillis();
        List<JsonNode> exceptions = new ArrayList<>();
        for (Exceptions.VulnException e : new Exceptions(store).list(10_000)) {
            if (!e.breakGlass() && (digest.equals(e.digest()) || "*".equals(e.digest()))) {
                exceptions.add(JSON.valueToTree(ExceptionViews.view(e, now, null)));
            }
        }
        if (new SbomStore(store).linked(digest) || new dev.custody.store.ScanFindings(store).exists(digest)) {
            // the exception shown beside a finding is the one the gate would apply (vuln match --digest shows the same)
            VulnMatcher.Result r = StoredVulnEvidence.withExceptions(store, digest, matcher().matchDigest(store, digest));
            var m = dev.custody.vuln.gate.GateMatrix.DEFAULT;
            for (VulnMatcher.Finding f : r.findings()) {
                var cat = dev.custody.vuln.gate.GateMatrix.Category.of(new dev.custody.vuln.gate.GateFinding(f.purl(), f.id(), f.aliases(), f.severity(),
                        f.fixed(), f.knownExploited(), f.status(), 0));
                vulns.add(new Views.Vuln(f.id(), String.join(", ", f.aliases()), f.severity(), f.purl(), String.join(", ", f.fixed()), f.status(),
                        f.exception(), m.action(cat, dev.custody.policy.Tier.DEV).text(), m.action(cat, dev.custody.policy.Tier.STAGING).text(),
                        m.action(cat, dev.custody.policy.Tier.PRODUCTION).text()));
            }
            note = r.findings().size() + " findings in " + r.components() + " components (" + r.unmatched().size() + " not matchable)";
        } else {
            note = "no SBOM and no scanner report is stored for this digest: it is unscanned";
        }
        List<Evidence.ComponentRow> all = evidence.componentsOf(digest);
        String cq = blank(componentQuery);
        List<Views.Component> shown = new ArrayList<>();
        for (Evidence.ComponentRow c : all) {
            if (cq == null || contains(c.name(), cq) || contains(c.purl(), cq)) {
                if (shown.size() < 50) {
                    shown.add(new Views.Component(c.name(), c.version(), c.type(), c.purl(), c.licenses() == null ? "" : String.join(", ", c.licenses())));
                }
            }
        }
        return new Views.Artifact(WebUi.frame(s, "Artifact " + digest.substring(0, 19), "search"), view, vulns, note, exceptions, all.size(), shown, cq);
    }

    private VulnMatcher matcher() {
        VulnMatcher m = matcher;
        if (m == null) {
            matcher = m = new VulnMatcher(store);
        }
        return m;
    }

    private static boolean contains(String hay, String needle) {
        return hay != null && hay.toLowerCase(Locale.ROOT).contains(needle.toLowerCase(Locale.ROOT));
    }

    // ---------------------------------------------------------------- decisions

    Views.Decisions decisions(Sessions.Session s, Fields q) throws WebUi.Refusal {
        String since = q.getValue("since") == null ? "24h" : q.getValue("since").strip();
        Long from;
        try {
            from = since.isEmpty() || since.equals("all") ? null : since.matches("\\d+[smhdw]") ? System.currentTimeMillis() - Times.age(since).toMillis()
                    : Instant.parse(since).toEpochMilli();
        } catch (RuntimeException e) {
            throw new WebUi.Refusal(400, "since: a length such as 24h or 7d, an instant such as 2026-12-01T00:00:00Z, or all; found \"" + since + "\"");
        }
        String namespace = blank(q.getValue("namespace"));
        String verdict = blank(q.getValue("verdict"));
        if (verdict != null && !List.of("allowed", "warned", "denied").contains(verdict)) {
            throw new WebUi.Refusal(400, "verdict: allowed, warned or denied, found \"" + verdict + "\"");
        }
        String rule = blank(q.getValue("rule"));
        int limit = Math.min(500, Math.max(1, intParam(q, "limit", 50)));
        List<Evidence.Chained> chained = evidence.decisionsChained(new Evidence.DecisionQuery(from, null, namespace, verdict, rule, limit));
        List<Views.Decision> rows = new ArrayList<>();
        int intact = 0;
        int broken = 0;
        for (int i = 0; i < chained.size(); i++) {
            Evidence.Chained c = chained.get(i);
            boolean ok = c.intact();
            if (ok) {
                intact++;
            } else {
                broken++;
            }
            // the list is newest first: the record after this one in the chain is the previous row, when adjacent
            String chain = i > 0 && chained.get(i - 1).seq() == c.seq() + 1
                    ? (chained.get(i - 1).prevHash().equals(c.hash()) ? "linked to #" + (c.seq() + 1) : "NOT linked to #" + (c.seq() + 1)) : "";
            JsonNode b;
            try {
                b = JSON.readTree(c.body());
            } catch (IOException e) {
                b = JSON.createObjectNode();
                ok = false;
            }
            List<String[]> images = new ArrayList<>();
            b.path("images").forEach(im -> images.add(new String[] {im.path("image").asText(""), im.path("digest").asText(null)}));
            List<Views.RuleLine> rules = new ArrayList<>();
            b.path("rules").forEach(r -> rules.add(new Views.RuleLine(r.path("policy").asText(""), r.path("rule").asText(""),
                    r.path("outcome").asText(""), r.path("action").asText(""), r.path("reason").asText(""), r.path("path").asText(""),
                    r.path("message").asText(""))));
            rows.add(new Views.Decision(c.seq(), Instant.ofEpochMilli(c.recordedAt()).toString(), b.path("verdict").asText(""), b.path("source").asText(""),
                    b.path("operation").asText(""), b.path("namespace").asText(""), b.path("kind").asText(""), b.path("name").asText(""),
                    b.path("username").asText(""), b.path("policyVersion").asText(""), images, rules, ok, chain));
        }
        return new Views.Decisions(WebUi.frame(s, "Decisions", "decisions"), since, namespace, verdict, rule, limit, rows, intact, broken);
    }

    // ---------------------------------------------------------------- search

    Searched search(Sessions.Session s, String raw) throws WebUi.Refusal {
        String q = raw == null ? "" : raw.strip();
        Views.Frame f = WebUi.frame(s, "Search", "search", q);
        if (q.isEmpty()) {
            return Searched.page(200, new Views.Search(f, q, null, List.of(),
                    "a digest, an image reference, a package URL, a package name, a vulnerability id or a commit"));
        }
        if (q.length() > 2048) {
            throw new WebUi.Refusal(400, "the search is longer than 2048 characters");
        }
        List<Views.Hit> hits = new ArrayList<>();
        String kind = kindOf(q);
        if (kind.equals("digest")) {
            return Searched.redirect("/ui/artifacts/" + q);
        } else if (kind.equals("package URL")) {
            PackageUrl purl;
            try {
                purl = PackageUrl.parse(q);
            } catch (PackageUrl.MalformedException e) {
                return Searched.page(400, new Views.Search(f, q, kind, List.of(), "not a package URL: " + e.getMessage()));
            }
            components(evidence.componentsByPurl(purl), hits);
        } else if (kind.equals("vulnerability")) {
            VulnerableDigests.Reach reach = VulnerableDigests.of(store, q.toUpperCase(Locale.ROOT).startsWith("GHSA") ? "GHSA" + q.substring(4) : q);
            for (String d : reach.digests()) {
                hits.add(new Views.Hit(d, "/ui/artifacts/" + d, "carries a package " + String.join(", ", reach.records()) + " affects"));
            }
            if (!reach.known()) {
                components(evidence.componentsByName(q, null), hits);
                return Searched.page(200, new Views.Search(f, q, kind, hits, "the advisory database holds no record " + q
                        + (hits.isEmpty() ? "" : "; these digests carry a package of that name")));
            }
        } else if (kind.equals("commit")) {
            for (Evidence.BuiltFrom b : evidence.builtFromCommit(q, 200)) {
                hits.add(new Views.Hit(b.digest(), "/ui/artifacts/" + b.digest(), "built from " + b.provenance().sourceRepository() + " @ "
                        + b.provenance().sourceCommit() + " by " + b.provenance().builderId()));
            }
        } else if (kind.equals("image reference")) {
            int at = q.indexOf("@sha256:");
            if (at > 0 && DIGEST.matcher(q.substring(at + 1)).matches()) {
                return Searched.redirect("/ui/artifacts/" + q.substring(at + 1));
            }
            Set<String> digests = new TreeSet<>(new InventoryListing(store).digestsOfImage(q));
            for (String d : evidence.taggedAs(q)) {
                digests.add(d);
            }
            for (String d : digests) {
                hits.add(new Views.Hit(d, "/ui/artifacts/" + d, "runs or was tagged as " + q));
            }
        } else {
            components(evidence.componentsByName(q, null), hits);
        }
        return Searched.page(200, new Views.Search(f, q, kind, hits, hits.isEmpty() ? "nothing found" : hits.size() + " found"));
    }

    /** What the one search box reads a query as. */
    static String kindOf(String q) {
        if (DIGEST.matcher(q).matches()) {
            return "digest";
        }
        if (q.startsWith("pkg:")) {
            return "package URL";
        }
        if (COMMIT.matcher(q).matches()) {
            return "commit";
        }
        if (VULN_ID.matcher(q).matches()) {
            return "vulnerability";
        }
        if (q.contains("/") || q.contains(":") || q.contains("@")) {
            return "image reference";
        }
        return "package name";
    }

    private static void components(List<Evidence.ComponentHit> found, List<Views.Hit> hits) {
        for (Evidence.ComponentHit h : found) {
            for (String d : h.digests()) {
                if (hits.size() < 500) {
                    hits.add(new Views.Hit(d, "/ui/artifacts/" + d, "contains " + h.component().purl()));
                }
            }
        }
    }
}
