package dev.custody.evidence;

import dev.custody.decision.ReasonCode;
import dev.custody.engine.Engine;
import dev.custody.policy.PolicyParser;
import dev.custody.policy.PolicySet;
import dev.custody.store.RuntimeInventory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The runtime inventory's answers as the CLI prints them in JSON and the API returns them: one shape for both, so a
 * script can move from one to the other.
 */
public final class InventoryViews {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private InventoryViews() {}

    /** One container row: times as instants, the workload as an object. */
    public static Map<String, Object> row(RuntimeInventory.Row r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cluster", r.cluster());
        m.put("namespace", r.namespace());
        m.put("pod", r.pod());
        m.put("podUid", r.podUid());
        m.put("container", r.container());
        m.put("list", r.list());
        m.put("workload", Map.of("kind", r.workload().kind(), "name", r.workload().name()));
        m.put("ownerChain", r.ownerChain());
        m.put("image", r.image());
        m.put("imageID", r.imageId());
        m.put("digest", r.digest());
        m.put("declaredDigest", r.declaredDigest());
        m.put("node", r.node());
        m.put("serviceAccount", r.serviceAccount());
        m.put("running", r.running());
        m.put("podPresent", r.podPresent());
        m.put("startedAt", instant(r.startedAt()));
        m.put("stoppedAt", instant(r.stoppedAt()));
        m.put("firstSeen", instant(r.firstSeen()));
        m.put("lastSeen", instant(r.lastSeen()));
        m.put("namespaceLabels", r.namespaceLabels());
        return m;
    }

    public static List<Map<String, Object>> rows(List<RuntimeInventory.Row> rows) {
        return rows.stream().map(InventoryViews::row).toList();
    }

    public static String instant(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis).toString();
    }

    /** Drift the store alone can tell: the running digest is not the one the spec pins. */
    public static List<Map<String, Object>> digestDrift(RuntimeInventory inventory) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (RuntimeInventory.Row r : inventory.digestMismatches()) {
            out.add(drift(r, "RUNNING_DIGEST_DIFFERS", "runs " + r.digest() + ", the spec pins " + r.declaredDigest(), null));
        }
        return out;
    }

    public static Map<String, Object> drift(RuntimeInventory.Row r, String reason, String detail, String tagDigest) {
        Map<String, Object> m = row(r);
        m.put("reason", reason);
        m.put("detail", detail);
        if (tagDigest != null) {
            m.put("tagResolvesTo", tagDigest);
        }
        return m;
    }

    public static Map<String, Object> clusters(RuntimeInventory inventory) {
        return Map.of("clusters", inventory.clusters().stream().map(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cluster", c.cluster());
            m.put("state", c.state());
            m.put("message", c.message());
            m.put("syncedAt", instant(c.syncedAt()));
            m.put("seenAt", instant(c.seenAt()));
            m.put("presentPods", c.presentPods());
            return m;
        }).toList());
    }

    // ---------------------------------------------------------------- provenance

    /**
     * A source repository as people write it and as provenance records it ({@code git+https://github.com/acme/shop.git@refs/heads/main},
     * {@code https://github.com/acme/shop}, {@code git@github.com:acme/shop.git}) reduced to {@code github.com/acme/shop}.
     */
    public static String repositoryKey(String repository) {
        String s = repository.strip().toLowerCase(Locale.ROOT);
        if (s.startsWith("git+")) {
            s = s.substring(4);
        }
        int scheme = s.indexOf("://");
        if (scheme >= 0) {
            s = s.substring(scheme + 3);
            int at = s.indexOf('@');
            int slash = s.indexOf('/');
            if (at >= 0 && (slash < 0 || at < slash)) {
                s = s.substring(at + 1); // user@host
            }
        } else if (s.matches("^[^/@]+@[^/:]+:.*")) {
            s = s.substring(s.indexOf('@') + 1).replaceFirst(":", "/"); // scp-like git@host:org/repo
        }
        int ref = s.indexOf('@');
        if (ref >= 0) {
            s = s.substring(0, ref);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.endsWith(".git")) {
            s = s.substring(0, s.length() - 4);
        }
        return s;
    }

    /** The stored spellings of {@code repository}. */
    public static List<String> spellingsOf(RuntimeInventory inventory, String repository) {
        String key = repositoryKey(repository);
        return inventory.sourceRepositories().stream().filter(r -> repositoryKey(r).equals(key)).toList();
    }

    public static List<Map<String, Object>> built(List<RuntimeInventory.Built> built) {
        return built.stream().map(b -> {
            Map<String, Object> m = row(b.row());
            m.put("sourceRepository", b.sourceRepository());
            m.put("sourceCommit", b.sourceCommit());
            m.put("sourceRef", b.sourceRef());
            m.put("builderId", b.builderId());
            return m;
        }).toList();
    }

    public static List<Map<String, Object>> carrying(List<RuntimeInventory.Carrying> rows) {
        return rows.stream().map(c -> {
            Map<String, Object> m = row(c.row());
            m.put("purl", c.purl());
            return m;
        }).toList();
    }

    public static List<Map<String, Object>> admitted(List<RuntimeInventory.Admitted> admitted) {
        return admitted.stream().map(a -> {
            Map<String, Object> m = row(a.row());
            m.put("decisionSeq", a.decisionSeq());
            m.put("policyVersion", a.policyVersion());
            m.put("admittedAt", instant(a.admittedAt()));
            return m;
        }).toList();
    }

    // ---------------------------------------------------------------- registries

    /** A policy set of one rule, the registry allowlist given, for asking which running images are outside it. */
    public static PolicySet allowlist(PolicyParser parser, List<String> patterns) {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: registry-allowlist}
                spec:
                  tier: dev
                  images:
                    allowedRegistries:
                """);
        for (String p : patterns) {
            // a JSON string is a YAML double-quoted scalar: nothing a pattern holds can break out of it
            yaml.append("      - \"").append(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(p)).append("\"\n");
        }
        return parser.load(Map.of("--allow", yaml.toString()));
    }

    /**
     * Namespaces whose running workloads use images from registries the policies do not allow: per cluster and
     * namespace, the workloads and the images, with the rule's message.
     */
    public static Map<String, Object> outsideAllowlist(PolicySet policies, List<RuntimeInventory.PresentPod> present) {
        RunningWorkloads.Evaluation ev = RunningWorkloads.evaluate(new Engine(policies), present, null,
                r -> r.code() == ReasonCode.REGISTRY_NOT_ALLOWED);
        Map<String, Map<String, Object>> byNamespace = new TreeMap<>();
        for (RunningWorkloads.Verdict v : ev.withFindings()) {
            Map<String, Object> ns = byNamespace.computeIfAbsent(v.cluster() + "/" + v.namespace(), k -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("cluster", v.cluster());
                m.put("namespace", v.namespace());
                m.put("workloads", new ArrayList<Map<String, Object>>());
                return m;
            });
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("workload", Map.of("kind", v.workload().kind(), "name", v.workload().name()));
            w.put("pods", v.pods());
            w.put("findings", v.findings().stream().map(r -> Map.of("path", r.path().toString(), "message", r.message(), "policy", r.policy()))
                    .toList());
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> ws = (List<Map<String, Object>>) ns.get("workloads");
            ws.add(w);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("policyVersion", policies.version());
        out.put("namespaces", List.copyOf(byNamespace.values()));
        out.put("errors", ev.problems());
        return out;
    }

    /** The background verdicts, as {@code custody query reports -o json} and {@code GET /api/v1/reports} give them. */
    public static Map<String, Object> reports(List<dev.custody.store.WorkloadReports.Report> reports) {
        Map<String, Integer> verdicts = new TreeMap<>();
        List<Map<String, Object>> out = new ArrayList<>(reports.size());
        for (var r : reports) {
            verdicts.merge(r.verdict(), 1, Integer::sum);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cluster", r.cluster());
            m.put("namespace", r.namespace());
            m.put("workload", Map.of("kind", r.workload().kind(), "name", r.workload().name()));
            m.put("verdict", r.verdict());
            m.put("deniedWithTodaysActions", r.denied());
            m.put("pods", r.pods());
            m.put("policyVersion", r.policyVersion());
            m.put("trigger", r.trigger());
            m.put("evaluatedAt", instant(r.evaluatedAt()));
            m.put("changedAt", instant(r.changedAt()));
            try {
                m.put("results", JSON.readValue(r.results(), List.class));
            } catch (java.io.IOException e) {
                m.put("results", List.of());
            }
            out.add(m);
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("summary", verdicts);
        o.put("reports", out);
        return o;
    }

    /** Rule results with the fields {@code custody check -o json} gives them (no line: a running pod has no file). */
    public static List<Map<String, Object>> findings(List<dev.custody.decision.RuleResult> results) {
        return results.stream().map(r -> {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("policy", r.policy());
            v.put("rule", r.rule());
            v.put("code", r.code().name());
            v.put("path", r.path().toString());
            v.put("message", r.message());
            v.put("outcome", r.outcome().label());
            v.put("action", r.action().label());
            return v;
        }).toList();
    }

    /**
     * An artifact's evidence and where it runs now, as {@code custody query artifact -o json} and
     * {@code GET /api/v1/artifacts/{digest}} give it: every stored field, plus {@code running} (each container running the
     * digest with the decision that admitted its pod and the policy version then).
     */
    public static Map<String, Object> artifact(dev.custody.store.Evidence.Artifact a, List<RuntimeInventory.Admitted> running) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = JSON.convertValue(a, LinkedHashMap.class);
        m.put("running", admitted(running));
        return m;
    }

    /**
     * As above, with the digest's promotions and its release state: built (provenance), signed, attested, scanned (an
     * SBOM or a scanner report), promoted (to which tiers), running, revoked (on the emergency denylist). The state is
     * the furthest stage reached, revoked above all.
     */
    public static Map<String, Object> artifact(dev.custody.store.Store store, dev.custody.store.Evidence.Artifact a,
                                               List<RuntimeInventory.Admitted> running) {
        Map<String, Object> m = artifact(a, running);
        List<dev.custody.store.Promotions.Promotion> promotions = new dev.custody.store.Promotions(store).of(a.digest());
        m.put("promotions", promotions);
        Map<String, Object> stages = new LinkedHashMap<>();
        stages.put("built", !a.provenance().isEmpty());
        stages.put("signed", a.verifications().stream().anyMatch(v -> v.kind().equals("signature")));
        stages.put("attested", a.verifications().stream().anyMatch(v -> v.kind().equals("attestation")));
        stages.put("scanned", !a.sboms().isEmpty() || new dev.custody.store.ScanFindings(store).exists(a.digest()));
        stages.put("promoted", promotions.stream().map(dev.custody.store.Promotions.Promotion::toTier).distinct().toList());
        stages.put("running", !running.isEmpty());
        boolean revoked = new dev.custody.store.Denylist(store).active(System.currentTimeMillis()).stream()
                .anyMatch(e -> e.kind() == dev.custody.store.Denylist.Kind.DIGEST && e.value().equals(a.digest()));
        stages.put("revoked", revoked);
        String state = revoked ? "revoked" : !running.isEmpty() ? "running" : !promotions.isEmpty() ? "promoted"
                : Boolean.TRUE.equals(stages.get("scanned")) ? "scanned" : Boolean.TRUE.equals(stages.get("attested")) ? "attested"
                : Boolean.TRUE.equals(stages.get("signed")) ? "signed" : Boolean.TRUE.equals(stages.get("built")) ? "built" : "seen";
        Map<String, Object> release = new LinkedHashMap<>();
        release.put("state", state);
        release.put("stages", stages);
        m.put("release", release);
        return m;
    }
}
