package dev.custody.assess;

import dev.custody.decision.Action;
import dev.custody.policy.Policy;
import dev.custody.policy.Rule;
import dev.custody.policy.Tier;
import dev.custody.policy.podsecurity.Level;
import dev.custody.policy.podsecurity.PodSecurityRules;
import dev.custody.policy.trust.AttestationKind;
import dev.custody.policy.trust.AttestationRule;
import dev.custody.policy.trust.PromotionRule;
import dev.custody.policy.trust.TrustRule;
import dev.custody.rbac.IdentityAnalysis;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The maturity level (0-6), the production gate (sixteen items) and the design review questions (eleven), each
 * computed from {@link Facts} and never from a questionnaire. Every criterion is pass, fail or unknown, with the
 * evidence that decided it and, when it does not pass, what is missing. Levels are cumulative: a platform is at
 * level N when every criterion of levels 1 to N passes; unknown is not a pass. The criteria are documented in
 * docs/assessment.md. Pure: no I/O.
 */
public final class Assessment {

    public enum Status {
        PASS, FAIL, UNKNOWN;

        public String label() {
            return name().toLowerCase();
        }

        /** The worse of two: fail over unknown over pass. */
        Status and(Status o) {
            if (this == FAIL || o == FAIL) {
                return FAIL;
            }
            return this == UNKNOWN || o == UNKNOWN ? UNKNOWN : PASS;
        }
    }

    /** A criterion or gate item: what decided it, and what is missing when it does not pass. */
    public record Item(String id, String title, Status status, List<String> evidence, List<String> missing) {
        public Item {
            evidence = List.copyOf(evidence);
            missing = List.copyOf(missing);
        }
    }

    public record LevelResult(int level, String name, Status status, List<Item> criteria) {}

    public record Question(int number, String id, String question, Status status, String answer, List<String> evidence, List<String> missing) {
        public Question {
            evidence = List.copyOf(evidence);
            missing = List.copyOf(missing);
        }
    }

    /**
     * @param level      the level reached, 0-6
     * @param production the production namespaces judged, and where they were read from
     */
    public record Report(int level, List<LevelResult> levels, List<Item> gate, List<Question> questions, List<String> production,
                         String productionFrom, String policyVersion, long at) {}

    /** The longest time an exception may run, from its request to its expiry, and still count as accountable. */
    public static final long MAX_EXCEPTION_MILLIS = 90L * 24 * 3_600_000;
    /** How many offending subjects an item names before it says how many more there are. */
    static final int NAMED = 10;

    private final Facts facts;
    private final Map<String, Map<String, String>> production = new TreeMap<>();
    private final String productionFrom;
    private final List<Facts.Container> running = new ArrayList<>();
    private final Map<String, Item> criteria = new LinkedHashMap<>();

    private Assessment(Facts facts) {
        this.facts = facts;
        Map<String, Map<String, String>> namespaces = new TreeMap<>();
        String from = null;
        if (facts.cluster() != null) {
            namespaces.putAll(facts.cluster().namespaces());
            from = "the API server (" + facts.cluster().context() + ")";
        } else if (facts.store() != null && !facts.store().namespaces().isEmpty()) {
            facts.store().namespaces().values().forEach(namespaces::putAll);
            from = "the runtime inventory";
        }
        namespaces.forEach((name, labels) -> {
            if (isProduction(name, labels)) {
                production.put(name, labels);
            }
        });
        this.productionFrom = from;
        if (facts.store() != null) {
            for (Facts.Container c : facts.store().containers()) {
                Map<String, String> labels = facts.store().namespaces().getOrDefault(c.cluster(), Map.of()).get(c.namespace());
                if (labels == null && facts.cluster() != null) {
                    labels = facts.cluster().namespaces().get(c.namespace());
                }
                if (isProduction(c.namespace(), labels == null ? Map.of() : labels)) {
                    running.add(c);
                }
            }
        }
    }

    public static Report assess(Facts facts) {
        return new Assessment(facts).run();
    }

    /** A namespace is production when a production or regulated policy governs it, or its tier label says so. */
    private boolean isProduction(String name, Map<String, String> labels) {
        for (Policy p : facts.policies().policies()) {
            if ((p.tier() == Tier.PRODUCTION || p.tier() == Tier.REGULATED) && p.namespaces().matches(name, labels)) {
                return true;
            }
        }
        return IdentityAnalysis.DEFAULT_PRODUCTION.matches(labels);
    }

    private Report run() {
        List<LevelResult> levels = new ArrayList<>();
        levels.add(level(1, "Inventory and a gate", adm(), require("images.registries", "Approved registries are enforced in production",
                "an enforced images.allowedRegistries rule", r -> r.id().equals("images.allowedRegistries")), inventory()));
        levels.add(level(2, "Immutable references, recorded decisions",
                require("images.digest", "Digest pinning is enforced in production", "an enforced images.requireDigest rule",
                        r -> r.id().equals("images.requireDigest")),
                require("images.mutableTags", "Mutable tags are refused in production", "an enforced images.denyTags or images.requireDigest rule",
                        r -> r.id().equals("images.denyTags") || r.id().equals("images.requireDigest")),
                decisions(),
                coverage("runtime.admitted", "Every running production container was admitted by a recorded decision", Facts.Container::admitted,
                        "no recorded admission decision let it in (created while the webhook was not registered, failed open, or skipped the namespace)")));
        levels.add(level(3, "Signed artifacts",
                require("trust.signature", "Signatures are required in production", "an enforced trust rule (trust.<name>)", r -> r instanceof TrustRule),
                coverage("runtime.signed", "Every running production digest has a verified signature", Facts.Container::signed,
                        "no verified signature of its digest is stored")));
        levels.add(level(4, "Provenance and SBOMs",
                require("trust.provenance", "SLSA provenance is required in production", "an enforced trust.<name>.provenance rule",
                        r -> r instanceof AttestationRule a && a.kind() == AttestationKind.PROVENANCE),
                require("trust.sbom", "An attested SBOM is required in production", "an enforced trust.<name>.sbom rule",
                        r -> r instanceof AttestationRule a && a.kind() == AttestationKind.SBOM),
                coverage("runtime.provenance", "Every running production digest has verified provenance", Facts.Container::provenance,
                        "no verified provenance of its digest is stored"),
                coverage("runtime.sbom", "Every running production digest has an SBOM", Facts.Container::sbom, "no SBOM is linked to its digest")));
        levels.add(level(5, "Vulnerability gate, accountable exceptions, separated identities",
                require("vulnerabilities.gate", "The vulnerability gate is enforced in production", "an enforced vulnerabilities.gate rule",
                        r -> r.id().equals("vulnerabilities.gate")),
                exceptions(), vulnerabilities(), identities(),
                require("delivery.writers", "Production workloads are written only by the delivery controller", "an enforced delivery.writer rule",
                        r -> r.id().equals("delivery.writer"))));
        levels.add(level(6, "Promotion, continuous re-evaluation, revocation",
                require("trust.promotion", "Production requires a recorded promotion", "an enforced trust.<name>.promotion rule",
                        r -> r instanceof PromotionRule), promoted(), reevaluation(),
                coverage("runtime.notDenylisted", "No running production container runs a denylisted artifact", c -> c.denylisted().isEmpty(),
                        "runs an artifact of an active denylist entry")));
        int level = 0;
        for (LevelResult l : levels) {
            if (l.status() != Status.PASS) {
                break;
            }
            level = l.level();
        }
        return new Report(level, levels, gate(), questions(), List.copyOf(production.keySet()), productionFrom, facts.policies().version(), facts.now());
    }

    private LevelResult level(int n, String name, Item... items) {
        Status s = Status.PASS;
        for (Item i : items) {
            criteria.put(i.id(), i);
            s = s.and(i.status());
        }
        return new LevelResult(n, name, s, List.of(items));
    }

    // ---------------------------------------------------------------- policy criteria

    private record Found(Policy policy, Rule rule) {}

    /**
     * Whether every production namespace is governed by a policy with an enforced rule of this kind; without known
     * namespaces, whether some production or regulated policy has one.
     */
    private Item require(String id, String title, String what, Predicate<Rule> kind) {
        List<String> evidence = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        if (production.isEmpty()) {
            List<Policy> judged = withoutNamespaces();
            if (judged.isEmpty()) {
                return new Item(id, title, Status.FAIL, List.of(), List.of("no policy of tier production or regulated, and no production namespace is known"));
            }
            Found enforced = find(judged, kind, true);
            if (enforced != null) {
                evidence.add(describe(enforced) + " (no production namespace is known: judged from the production-tier policies and those that govern every namespace)");
                return new Item(id, title, Status.PASS, evidence, missing);
            }
            Found weaker = find(judged, kind, false);
            missing.add(weaker != null ? describe(weaker) + ": it must enforce" : "no production-tier policy, nor one that governs every namespace, has " + what);
            return new Item(id, title, Status.FAIL, evidence, missing);
        }
        Map<String, List<String>> byRule = new TreeMap<>();
        Map<String, List<String>> weakerByRule = new TreeMap<>();
        List<String> ungoverned = new ArrayList<>();
        production.forEach((ns, labels) -> {
            List<Policy> selected = facts.policies().selectFor(ns, labels);
            Found enforced = find(selected, kind, true);
            if (enforced != null) {
                byRule.computeIfAbsent(describe(enforced), k -> new ArrayList<>()).add(ns);
                return;
            }
            Found weaker = find(selected, kind, false);
            if (weaker != null) {
                weakerByRule.computeIfAbsent(describe(weaker), k -> new ArrayList<>()).add(ns);
            } else {
                ungoverned.add(ns);
            }
        });
        byRule.forEach((rule, nss) -> evidence.add(rule + " in " + names(nss)));
        weakerByRule.forEach((rule, nss) -> missing.add(rule + " in " + names(nss) + ": it must enforce"));
        if (!ungoverned.isEmpty()) {
            missing.add("no policy governing " + names(ungoverned) + " has " + what);
        }
        return new Item(id, title, missing.isEmpty() ? Status.PASS : Status.FAIL, evidence, missing);
    }

    /**
     * Without known namespaces: the policies of tier production or regulated, and those that govern every namespace
     * (no include list and no label selector; an exclude list names namespaces that are not production's).
     */
    private List<Policy> withoutNamespaces() {
        return facts.policies().policies().stream().filter(p -> p.tier() == Tier.PRODUCTION || p.tier() == Tier.REGULATED
                || (p.namespaces().include().isEmpty() && p.namespaces().selector().matchLabels().isEmpty()
                && p.namespaces().selector().matchExpressions().isEmpty())).toList();
    }

    private static Found find(List<Policy> policies, Predicate<Rule> kind, boolean enforced) {
        for (Policy p : policies) {
            for (Rule r : p.rules()) {
                if (kind.test(r) && (!enforced || r.action() == Action.ENFORCE)) {
                    return new Found(p, r);
                }
            }
        }
        return null;
    }

    private static String describe(Found f) {
        return "policy " + f.policy().name() + " (" + f.policy().origin() + ") rule " + f.rule().id() + " (" + f.rule().action().label() + ")";
    }

    /** The Pod Security Standards' restricted level, every control of the newest version this build knows, enforced. */
    private Item podSecurity() {
        String id = "podSecurity.restricted";
        String title = "Pods meet the restricted Pod Security Standard in production";
        List<String> controls = PodSecurityRules.controlIds(Level.RESTRICTED).stream().map(c -> "podSecurity." + c).toList();
        List<String> evidence = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Map<String, Map<String, String>> judged = production;
        if (judged.isEmpty()) {
            judged = Map.of();
            List<Policy> prod = withoutNamespaces();
            Set<String> missingControls = missingControls(prod, controls, evidence);
            if (prod.isEmpty() || !missingControls.isEmpty()) {
                missing.add(prod.isEmpty() ? "no policy of tier production or regulated"
                        : "the production-tier policies do not enforce " + names(List.copyOf(missingControls)));
            }
            return new Item(id, title, missing.isEmpty() ? Status.PASS : Status.FAIL, evidence, missing);
        }
        judged.forEach((ns, labels) -> {
            List<String> ev = new ArrayList<>();
            Set<String> absent = missingControls(facts.policies().selectFor(ns, labels), controls, ev);
            if (absent.isEmpty()) {
                evidence.add(ns + ": " + String.join(", ", ev));
            } else {
                missing.add(ns + ": " + absent.size() + " restricted controls are not enforced (" + names(List.copyOf(absent)) + ")");
            }
        });
        return new Item(id, title, missing.isEmpty() ? Status.PASS : Status.FAIL, evidence, missing);
    }

    private static Set<String> missingControls(List<Policy> policies, List<String> controls, List<String> evidence) {
        Set<String> absent = new TreeSet<>(controls);
        for (Policy p : policies) {
            int before = absent.size();
            for (Rule r : p.rules()) {
                if (r.action() == Action.ENFORCE && PodSecurityRules.levelOf(r) != null) {
                    absent.remove(r.id());
                }
            }
            if (absent.size() < before) {
                evidence.add("policy " + p.name() + " (" + p.origin() + ") enforces " + (before - absent.size()) + " controls");
            }
        }
        return absent;
    }

    // ---------------------------------------------------------------- cluster and store criteria

    private Item adm() {
        String id = "admission.webhook";
        String title = "Admission sends production workloads to Custody and fails closed";
        if (facts.cluster() == null) {
            return unknown(id, title, "no cluster was read (--kubeconfig): whether the webhook is registered is not known");
        }
        List<Facts.Webhook> hooks = facts.cluster().webhooks();
        if (hooks.isEmpty()) {
            return new Item(id, title, Status.FAIL, List.of(), List.of("no ValidatingWebhookConfiguration sends reviews to Custody (custody install)"));
        }
        List<String> evidence = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Set<String> covered = new TreeSet<>();
        boolean pods = false;
        for (Facts.Webhook w : hooks) {
            boolean closed = w.failurePolicy().equals("Fail");
            boolean hasPods = w.resources().contains("pods") || w.resources().contains("*") || w.resources().contains("*/*");
            evidence.add("ValidatingWebhookConfiguration " + w.configuration() + " webhook " + w.name() + " (failurePolicy " + w.failurePolicy()
                    + ", " + String.join(", ", new TreeSet<>(w.resources())) + ")");
            if (!closed) {
                missing.add("webhook " + w.name() + " fails open (failurePolicy " + w.failurePolicy() + ")");
            } else if (hasPods) {
                pods = true;
                covered.addAll(w.namespaces());
            }
        }
        if (!pods) {
            missing.add("no webhook that fails closed reviews pods");
        }
        List<String> outside = production.keySet().stream().filter(ns -> !covered.contains(ns)).toList();
        if (!outside.isEmpty()) {
            missing.add("production namespaces no fail-closed webhook reviews: " + names(outside));
        }
        return new Item(id, title, missing.isEmpty() ? Status.PASS : Status.FAIL, evidence, missing);
    }

    private Item inventory() {
        String id = "inventory.collected";
        String title = "A runtime inventory records what runs";
        if (facts.store() == null) {
            return unknown(id, title, "no store was read (--store)");
        }
        if (facts.store().clusters().isEmpty()) {
            return new Item(id, title, Status.FAIL, List.of(), List.of("no collector has reported a cluster (custody serve --collect, or custody collect)"));
        }
        List<String> evidence = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Facts.ClusterSeen c : facts.store().clusters()) {
            if (c.synced()) {
                evidence.add("cluster " + c.name() + ": " + c.presentPods() + " pods present (" + c.state() + ")");
            } else {
                missing.add("cluster " + c.name() + " has not completed a sync (" + c.state() + ")");
            }
        }
        return new Item(id, title, missing.isEmpty() ? Status.PASS : Status.FAIL, evidence, missing);
    }

    private Item decisions() {
        String id = "decisions.recorded";
        String title = "Admission decisions are recorded in a hash chain that verifies";
        if (facts.store() == null) {
            return unknown(id, title, "no store was read (--store)");
        }
        Facts.Decisions d = facts.store().decisions();
        List<String> evidence = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        if (d.admission() == 0) {
            missing.add("no admission decision is recorded (custody serve --store)");
        } else {
            evidence.add(d.admission() + " admission decisions recorded (" + d.total() + " in all)");
        }
        Facts.Chain chain = facts.store().chain();
        if (chain.problems().isEmpty()) {
            evidence.add("the hash chain of " + chain.records() + " records verifies");
        } else {
            chain.problems().stream().limit(NAMED).forEach(p -> missing.add("hash chain: " + p));
        }
        return new Item(id, title, missing.isEmpty() ? Status.PASS : Status.FAIL, evidence, missing);
    }

    /** Whether every running production container with a known digest has the property. */
    private Item coverage(String id, String title, Predicate<Facts.Container> ok, String lacking) {
        Item empty = inventoryGap(id, title);
        if (empty != null) {
            return empty;
        }
        List<Facts.Container> known = running.stream().filter(c -> c.digest() != null).toList();
        List<Facts.Container> bad = known.stream().filter(ok.negate()).toList();
        Set<String> digests = new TreeSet<>();
        known.forEach(c -> digests.add(c.digest()));
        List<String> missing = new ArrayList<>();
        bad.stream().limit(NAMED).forEach(c -> missing.add(c.where() + " " + image(c) + ": " + lacking));
        if (bad.size() > NAMED) {
            missing.add("and " + (bad.size() - NAMED) + " more containers");
        }
        List<String> evidence = List.of((known.size() - bad.size()) + " of " + known.size() + " running production containers ("
                + plural(digests.size(), "digest") + ")");
        return new Item(id, title, bad.isEmpty() ? Status.PASS : Status.FAIL, evidence, missing);
    }

    /** Unknown when the inventory cannot show anything about production: no store, no collector, no production container. */
    private Item inventoryGap(String id, String title) {
        if (facts.store() == null) {
            return unknown(id, title, "no store was read (--store)");
        }
        if (facts.store().clusters().isEmpty()) {
            return unknown(id, title, "no collector has reported a cluster: the runtime inventory is empty");
        }
        if (running.stream().noneMatch(c -> c.digest() != null)) {
            return unknown(id, title, "no running production container with a known digest is in the inventory: nothing shows this holds");
        }
        return null;
    }

    private Item exceptions() {
        String id = "exceptions.accountable";
        String title = "Every active exception is approved by another identity and expires within 90 days";
        if (facts.store() == null) {
            return unknown(id, title, "no store was read (--store)");
        }
        List<String> evidence = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        int active = 0;
        int pending = 0;
        for (Facts.ExceptionFact e : facts.store().exceptions()) {
            if (!e.state().equals("active")) {
                pending++;
                continue;
            }
            active++;
            if (e.approver() == null || e.approver().equals(e.requester())) {
                missing.add(e.id() + " (" + e.scope() + ") is not approved by an identity other than its requester " + e.requester());
            } else if (e.expiresAt() - e.requestedAt() > MAX_EXCEPTION_MILLIS) {
                missing.add(e.id() + " (" + e.scope() + ") runs " + (e.expiresAt() - e.requestedAt()) / 86_400_000 + " days, more than 90");
            } else {
                evidence.add(e.id() + " (" + e.scope() + "): requested by " + e.requester() + ", approved by " + e.approver() + ", expires "
                        + java.time.Instant.ofEpochMilli(e.expiresAt()));
            }
        }
        evidence.add(0, active + " active, " + pending + " pending");
        return new Item(id, title, missing.isEmpty() ? Status.PASS : Status.FAIL, evidence, missing);
    }

    private Item vulnerabilities() {
        String id = "runtime.vulnerabilities";
        String title = "No running production digest carries a critical vulnerability without an active exception";
        Item empty = inventoryGap(id, title);
        if (empty != null) {
            return empty;
        }
        Map<String, List<String>> critical = new TreeMap<>();
        Set<String> unknown = new TreeSet<>();
        Set<String> digests = new TreeSet<>();
        for (Facts.Container c : running) {
            if (c.digest() == null) {
                continue;
            }
            digests.add(c.digest());
            if (c.critical() == null) {
                unknown.add(image(c));
            } else if (!c.critical().isEmpty()) {
                critical.computeIfAbsent(image(c), k -> new ArrayList<>()).add(c.where());
            }
        }
        List<String> missing = new ArrayList<>();
        critical.entrySet().stream().limit(NAMED).forEach(e -> missing.add(e.getKey() + " runs in " + names(e.getValue()) + " with "
                + names(running.stream().filter(c -> image(c).equals(e.getKey())).findFirst().orElseThrow().critical())));
        unknown.stream().limit(NAMED).forEach(u -> missing.add(u + ": no SBOM is known, so its vulnerabilities are not"));
        Status s = !critical.isEmpty() ? Status.FAIL : unknown.isEmpty() ? Status.PASS : Status.UNKNOWN;
        return new Item(id, title, s, List.of((digests.size() - critical.size() - unknown.size()) + " of " + plural(digests.size(),
                "running production digest") + " have no critical vulnerability left open"), missing);
    }

    private Item identities() {
        String id = "identities.separated";
        String title = "No identity can both release and deploy, and workload ServiceAccounts cannot escalate";
        if (facts.cluster() == null) {
            return unknown(id, title, "no cluster was read (--kubeconfig): its RBAC is not known");
        }
        Facts.Identities ids = facts.cluster().identities();
        if (ids.actorsFile() == null) {
            return unknown(id, title, "no actors file (--actors): which identities sign, push and deploy is not known");
        }
        List<String> missing = new ArrayList<>();
        int lower = 0;
        for (IdentityAnalysis.Finding f : ids.findings()) {
            if (f.severity() == IdentityAnalysis.Severity.CRITICAL || f.severity() == IdentityAnalysis.Severity.HIGH) {
                if (missing.size() < NAMED) {
                    missing.add(f.severity().label() + " " + f.code() + " " + f.subject() + ": " + f.message());
                }
            } else {
                lower++;
            }
        }
        List<String> evidence = List.of("identity analysis of the cluster's RBAC with " + ids.actorsFile() + " (actors: "
                + String.join(", ", new TreeSet<>(ids.roles())) + "): " + ids.findings().size() + " findings, " + lower + " below high");
        return new Item(id, title, missing.isEmpty() ? Status.PASS : Status.FAIL, evidence, missing);
    }

    private Item promoted() {
        String id = "runtime.promoted";
        String title = "Every running production digest was promoted as the promotion rule requires";
        Set<String> tiers = new TreeSet<>();
        facts.policies().policies().forEach(p -> p.rules().forEach(r -> {
            if (r instanceof PromotionRule pr && r.action() == Action.ENFORCE) {
                tiers.add(pr.from());
            }
        }));
        String need = tiers.isEmpty() ? "production" : String.join(" or ", tiers);
        return coverage(id, title, c -> tiers.isEmpty() ? !c.promotedTo().isEmpty() : c.promotedTo().stream().anyMatch(tiers::contains),
                "has no recorded promotion to " + need + " (custody promote)");
    }

    private Item reevaluation() {
        String id = "reevaluation.current";
        String title = "What runs in production is re-evaluated under the current policies";
        Item empty = inventoryGap(id, title);
        if (empty != null) {
            return empty;
        }
        Map<String, Facts.Report> reports = new LinkedHashMap<>();
        facts.store().reports().forEach(r -> reports.put(r.cluster() + "/" + r.namespace() + "/" + r.workload(), r));
        Set<String> workloads = new TreeSet<>();
        running.forEach(c -> workloads.add(c.cluster() + "/" + c.namespace() + "/" + c.workload()));
        List<String> missing = new ArrayList<>();
        int current = 0;
        for (String w : workloads) {
            Facts.Report r = reports.get(w);
            if (r == null) {
                missing.add(w + ": no re-evaluation report (custody serve --collect re-evaluates what runs)");
            } else if (!r.policyVersion().equals(facts.policies().version())) {
                missing.add(w + ": last re-evaluated under policy version " + r.policyVersion() + ", not " + facts.policies().version());
            } else {
                current++;
            }
        }
        List<String> shown = missing.size() > NAMED ? new ArrayList<>(missing.subList(0, NAMED)) : missing;
        if (missing.size() > NAMED) {
            shown.add("and " + (missing.size() - NAMED) + " more workloads");
        }
        return new Item(id, title, missing.isEmpty() ? Status.PASS : Status.FAIL,
                List.of(current + " of " + workloads.size() + " running production workloads re-evaluated under policy version "
                        + facts.policies().version()), shown);
    }

    /** The image as the pod names it, with the running digest when the reference does not pin it. */
    private static String image(Facts.Container c) {
        return c.image().endsWith("@" + c.digest()) ? c.image() : c.image() + " (" + c.digest() + ")";
    }

    static String plural(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static Item unknown(String id, String title, String why) {
        return new Item(id, title, Status.UNKNOWN, List.of(), List.of(why));
    }

    // ---------------------------------------------------------------- the production gate

    private List<Item> gate() {
        List<Item> g = new ArrayList<>();
        g.add(gate(1, "registries", "Images come only from approved registries", "images.registries"));
        g.add(gate(2, "digests", "Images are pinned by digest", "images.digest"));
        g.add(gate(3, "mutableTags", "No mutable tags", "images.mutableTags"));
        g.add(gate(4, "signatures", "Signatures are required and every running digest is signed", "trust.signature", "runtime.signed"));
        g.add(gate(5, "provenance", "Provenance is required and present", "trust.provenance", "runtime.provenance"));
        g.add(gate(6, "sbom", "SBOMs are required and present", "trust.sbom", "runtime.sbom"));
        g.add(gate(7, "vulnerabilities", "The vulnerability gate is enforced and nothing critical runs open", "vulnerabilities.gate",
                "runtime.vulnerabilities"));
        g.add(gate(8, "exceptions", "Exceptions are approved by another identity and time-limited", "exceptions.accountable"));
        Item pss = podSecurity();
        g.add(new Item("gate.09.podSecurity", "Pod hardening: the restricted Pod Security Standard is enforced", pss.status(), pss.evidence(), pss.missing()));
        Item denyDefault = require("serviceAccount.denyDefault", "", "an enforced serviceAccount.denyDefault rule", r -> r.id().equals("serviceAccount.denyDefault"));
        Item automount = require("serviceAccount.automountToken", "", "an enforced serviceAccount.automountToken rule",
                r -> r.id().equals("serviceAccount.automountToken"));
        g.add(combine("gate.10.serviceAccounts", "ServiceAccount boundaries: no default ServiceAccount, no automounted token", denyDefault, automount));
        g.add(combine("gate.11.ownership", "Namespace ownership: every namespace names its owning team",
                require("ownership.namespaceLabels", "", "an enforced ownership.namespaceLabels rule", r -> r.id().equals("ownership.namespaceLabels"))));
        g.add(combine("gate.12.delivery", "Production is written by the GitOps controller from approved sources", criteria.get("delivery.writers"),
                require("delivery.source", "", "an enforced delivery.source rule", r -> r.id().equals("delivery.source"))));
        g.add(gate(13, "identities", "Identities are separated: no one identity releases and deploys", "identities.separated"));
        g.add(gate(14, "promotion", "Production requires a recorded promotion, and what runs was promoted", "trust.promotion", "runtime.promoted"));
        g.add(gate(15, "audit", "Every admission is reviewed and recorded in a chain that verifies", "admission.webhook", "decisions.recorded"));
        g.add(gate(16, "runtime", "What runs was admitted, is inventoried, and is not denylisted", "inventory.collected", "runtime.admitted",
                "runtime.notDenylisted"));
        return g;
    }

    private Item gate(int n, String name, String title, String... ids) {
        Item[] parts = new Item[ids.length];
        for (int i = 0; i < ids.length; i++) {
            parts[i] = criteria.get(ids[i]);
        }
        return combine("gate.%02d.%s".formatted(n, name), title, parts);
    }

    private static Item combine(String id, String title, Item... parts) {
        Status s = Status.PASS;
        Set<String> evidence = new LinkedHashSet<>();
        Set<String> missing = new LinkedHashSet<>();
        for (Item p : parts) {
            s = s.and(p.status());
            evidence.addAll(p.evidence());
            missing.addAll(p.missing());
        }
        return new Item(id, title, s, List.copyOf(evidence), List.copyOf(missing));
    }

    // ---------------------------------------------------------------- the design review questions

    private List<Question> questions() {
        List<Question> q = new ArrayList<>();
        Item inv = criteria.get("inventory.collected");
        Set<String> digests = new TreeSet<>();
        Set<String> namespaces = new TreeSet<>();
        Set<String> clusters = new TreeSet<>();
        Set<String> pods = new TreeSet<>();
        running.forEach(c -> {
            if (c.digest() != null) {
                digests.add(c.digest());
            }
            namespaces.add(c.namespace());
            clusters.add(c.cluster());
            pods.add(c.cluster() + "/" + c.namespace() + "/" + c.pod());
        });
        long unpulled = running.stream().filter(c -> c.digest() == null).count();
        List<String> gaps = new ArrayList<>(inv.missing());
        if (inv.status() == Status.PASS && running.isEmpty()) {
            gaps.add("no production pod is in the inventory");
        }
        if (unpulled > 0) {
            gaps.add(unpulled + " running production containers report no digest yet");
        }
        Status whatRuns = inv.status() == Status.FAIL ? Status.FAIL : inv.status() == Status.UNKNOWN || !gaps.isEmpty() ? Status.UNKNOWN : Status.PASS;
        q.add(new Question(1, "whatRuns", "What exactly is running in production?", whatRuns,
                running.isEmpty() ? "nothing the inventory knows of" : plural(running.size(), "container") + " in " + plural(pods.size(), "pod") + " run "
                        + plural(digests.size(), "digest") + " in namespaces " + names(List.copyOf(namespaces)) + " of clusters " + names(List.copyOf(clusters)),
                inv.evidence(), gaps));
        q.add(ask(2, "whereFrom", "Where did it come from (source, commit, builder)?", "verified provenance names the source and builder of every running digest",
                "not for every running digest", criteria.get("runtime.provenance")));
        q.add(ask(3, "whoSigned", "Who signed it?", "a trusted authority of the trust rules signed every running digest, verified",
                "not every running digest has a verified signature", criteria.get("runtime.signed")));
        q.add(ask(4, "whatInside", "What is inside it?", "an SBOM is stored for every running digest (custody query artifact)",
                "not every running digest has an SBOM", criteria.get("runtime.sbom")));
        q.add(ask(5, "criticalRunning", "Which running artifacts carry critical vulnerabilities?",
                "none: no running production digest has a critical vulnerability left open", "those listed as missing", criteria.get("runtime.vulnerabilities")));
        q.add(ask(6, "whoChanges", "Who can change production?",
                "only the delivery controller's identity writes production workloads, and RBAC gives no human or workload ServiceAccount a direct path",
                "more identities than the delivery controller", combine("q", "", criteria.get("delivery.writers"), criteria.get("identities.separated"))));
        q.add(ask(7, "oneIdentity", "Can one compromised identity move untrusted code to production alone?",
                "no: admission requires a trusted signature, and no identity can both release and deploy", "yes, as listed",
                combine("q", "", criteria.get("identities.separated"), criteria.get("trust.signature"), criteria.get("admission.webhook"))));
        q.add(ask(8, "whyAdmitted", "Why was each running artifact admitted?",
                "every running production pod has its admission decision, rule by rule, in a hash chain that verifies (custody query decisions)",
                "not every running pod has a recorded decision, or the chain does not verify",
                combine("q", "", criteria.get("runtime.admitted"), criteria.get("decisions.recorded"))));
        Item exc = criteria.get("exceptions.accountable");
        q.add(ask(9, "exceptions", "Which exceptions are active, and who approved them?",
                exc.evidence().isEmpty() ? "" : exc.evidence().getFirst() + ", each approved by another identity", "some are not accountable", exc));
        int entries = facts.store() == null ? 0 : facts.store().denylist().size();
        q.add(ask(10, "revoke", "How quickly can a bad artifact be revoked?",
                "within seconds: a denylist entry (custody denylist add) reaches every custody serve within its 0.5 s refresh and denies new pods, and "
                        + "the inventory finds every pod still running it (custody incident open); " + entries + " entries are active",
                "not within seconds everywhere", combine("q", "", criteria.get("admission.webhook"), inv, criteria.get("runtime.notDenylisted"))));
        q.add(ask(11, "prove", "Can we prove it to an auditor?",
                "yes: custody evidence export --digest writes a signed bundle of the evidence and decisions of any running digest, checked offline by "
                        + "custody evidence verify", "not for everything that runs",
                combine("q", "", criteria.get("decisions.recorded"), criteria.get("runtime.admitted"), criteria.get("runtime.signed"))));
        return q;
    }

    private static Question ask(int n, String id, String text, String yes, String no, Item from) {
        String a = switch (from.status()) {
            case PASS -> yes;
            case FAIL -> no;
            case UNKNOWN -> "not known";
        };
        return new Question(n, id, text, from.status(), a, from.evidence(), from.missing());
    }

    private static String names(List<String> names) {
        Set<String> unique = new LinkedHashSet<>(names);
        if (unique.size() <= NAMED) {
            return String.join(", ", unique);
        }
        return String.join(", ", unique.stream().limit(NAMED).toList()) + " and " + (unique.size() - NAMED) + " more";
    }
}
