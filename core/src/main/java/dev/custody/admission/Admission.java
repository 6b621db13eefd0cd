package dev.custody.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.decision.Action;
import dev.custody.decision.Outcome;
import dev.custody.decision.RuleResult;
import dev.custody.decision.WorkloadDecision;
import dev.custody.engine.Denylisted;
import dev.custody.engine.Engine;
import dev.custody.manifest.Document;
import dev.custody.workload.Container;
import dev.custody.workload.Workload;
import dev.custody.workload.WorkloadExtractor;
import dev.custody.workload.WorkloadKind;
import dev.custody.policy.trust.SignatureGatherer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The admission decision: turns an AdmissionRequest into an AdmissionResponse with the same engine that
 * {@code custody check} uses. Pure: namespace labels come in through a function (the server backs it with a
 * watched cache of the API server's namespaces).
 */
public final class Admission {

    static final int MAX_WARNINGS = 10;
    static final int MAX_WARNING_LENGTH = 256;
    static final int MAX_MESSAGE_LENGTH = 4000;

    /** What happened, for the HTTP layer and metrics. */
    public record Result(AdmissionResponse response, WorkloadDecision decision, String verdict) {}

    private final Engine engine;
    private final Set<String> evidenceRules;
    private final Function<String, Map<String, String>> namespaceLabels;
    private final SignatureGatherer signatures;
    private final java.util.function.Supplier<Denylisted> denylist;
    private final dev.custody.vuln.gate.VulnEvidence vulns;
    private final dev.custody.policy.identity.DeliverySources sources;

    /** @param namespaceLabels labels of a namespace, or null when the namespace is unknown */
    public Admission(Engine engine, Function<String, Map<String, String>> namespaceLabels) {
        this(engine, namespaceLabels, null);
    }

    /** @param signatures gathers signature verdicts for trust rules before evaluation; null when none are verified */
    public Admission(Engine engine, Function<String, Map<String, String>> namespaceLabels, SignatureGatherer signatures) {
        this(engine, namespaceLabels, signatures, () -> Denylisted.NONE);
    }

    /** @param denylist the emergency denylist as it stands now, read on every review */
    public Admission(Engine engine, Function<String, Map<String, String>> namespaceLabels, SignatureGatherer signatures,
                     java.util.function.Supplier<Denylisted> denylist) {
        this(engine, namespaceLabels, signatures, denylist, null);
    }

    /** @param vulns stored vulnerability evidence for the vulnerability gate, held in memory; null when no store is read */
    public Admission(Engine engine, Function<String, Map<String, String>> namespaceLabels, SignatureGatherer signatures,
                     java.util.function.Supplier<Denylisted> denylist, dev.custody.vuln.gate.VulnEvidence vulns) {
        this(engine, namespaceLabels, signatures, denylist, vulns, null);
    }

    /** @param sources the cluster's GitOps resources for the delivery rules, from a cache; null when no API server is read */
    public Admission(Engine engine, Function<String, Map<String, String>> namespaceLabels, SignatureGatherer signatures,
                     java.util.function.Supplier<Denylisted> denylist, dev.custody.vuln.gate.VulnEvidence vulns,
                     dev.custody.policy.identity.DeliverySources sources) {
        this.vulns = vulns;
        this.sources = sources;
        this.engine = engine;
        this.evidenceRules = engine.evidenceRules();
        this.namespaceLabels = namespaceLabels;
        this.signatures = signatures;
        this.denylist = denylist;
    }

    public Engine engine() {
        return engine;
    }

    public Result review(AdmissionRequest req) {
        return review(req, Instant.now().plusSeconds(10));
    }

    /** Reviews a request; signature verification (when configured) returns by {@code deadline}. */
    public Result review(AdmissionRequest req, Instant deadline) {
        if (!req.operation().equals("CREATE") && !req.operation().equals("UPDATE")) {
            return skipped(req);
        }
        boolean ephemeral = req.kind().equals("Pod") && req.subResource().equals("ephemeralcontainers");
        if (!req.subResource().isEmpty() && !ephemeral) {
            return skipped(req);
        }
        Optional<WorkloadKind> kind = WorkloadKind.of(req.kind());
        if (kind.isEmpty()) {
            return skipped(req);
        }
        Optional<Workload> workload = WorkloadExtractor.extractObject(Document.of("request.object", req.object()), kind.get(), req.object());
        if (workload.isEmpty()) {
            return new Result(new AdmissionResponse(req.apiVersion(), req.uid(), false, 400,
                    "custody: the " + req.kind() + " cannot be read: its pod template or container lists are malformed", List.of(),
                    Map.of("verdict", "denied")), null, "denied");
        }
        String namespace = !req.namespace().isEmpty() ? req.namespace()
                : workload.get().namespace() != null ? workload.get().namespace() : "default";
        Map<String, String> labels = namespaceLabels.apply(namespace);
        List<String> notes = new ArrayList<>();
        if (labels == null) {
            labels = Map.of();
            notes.add("custody: labels of namespace " + namespace + " are not known yet; policies were selected by its name only");
        }
        WorkloadDecision decision = engine.decide(workload.get(), namespace, labels, req.raw(), req.oldObject(), signatures, denylist.get(), null,
                vulns, sources, deadline);
        if (req.operation().equals("UPDATE") && deniedByEvidence(decision) && sameImages(workload.get(), kind.get(), req.oldObject())) {
            decision = relaxEvidence(decision);
        }
        return respond(req, decision, notes);
    }

    private Result skipped(AdmissionRequest req) {
        return new Result(AdmissionResponse.allow(req), null, "skipped");
    }

    private boolean deniedByEvidence(WorkloadDecision d) {
        for (RuleResult r : d.results()) {
            if (r.denies() && evidenceRules.contains(r.rule())) {
                return true;
            }
        }
        return false;
    }

    /** Evidence can churn between reviews; an UPDATE that keeps every image is not denied for it, only warned. */
    private WorkloadDecision relaxEvidence(WorkloadDecision d) {
        List<RuleResult> out = new ArrayList<>(d.results().size());
        for (RuleResult r : d.results()) {
            if (r.denies() && evidenceRules.contains(r.rule())) {
                out.add(new RuleResult(r.policy(), r.rule(), Outcome.WARN, Action.WARN, r.failureMode(), r.code(), r.path(),
                        r.message() + " (not enforced: this UPDATE changes no image)"));
            } else {
                out.add(r);
            }
        }
        return new WorkloadDecision(d.workload(), d.namespace(), d.policies(), out);
    }

    static boolean sameImages(Workload now, WorkloadKind kind, JsonNode oldObject) {
        if (oldObject == null || !oldObject.isObject()) {
            return false;
        }
        Optional<Workload> before = WorkloadExtractor.extractObject(Document.of("request.oldObject", oldObject), kind, oldObject);
        return before.isPresent() && images(before.get()).equals(images(now));
    }

    private static List<String> images(Workload w) {
        List<String> out = new ArrayList<>();
        for (Container c : w.containers()) {
            out.add(c.list().field() + "/" + c.name() + "=" + c.image());
        }
        return out;
    }

    private Result respond(AdmissionRequest req, WorkloadDecision d, List<String> notes) {
        Workload w = d.workload();
        String who = req.kind() + " " + d.namespace() + "/" + (w.name().isEmpty() ? req.name() : w.name());
        List<RuleResult> violations = d.violations();
        List<String> warnings = new ArrayList<>(notes);
        for (RuleResult r : d.warnings()) {
            warnings.add(warning(r));
        }
        if (warnings.size() > MAX_WARNINGS) {
            int more = warnings.size() - (MAX_WARNINGS - 1);
            warnings = new ArrayList<>(warnings.subList(0, MAX_WARNINGS - 1));
            warnings.add("custody: " + more + " more warnings; run custody check on the manifest to see them all");
        }
        Map<String, String> audit = new LinkedHashMap<>();
        audit.put("policy-version", engine.policies().version());
        audit.put("policies", String.join(",", d.policies()));
        String verdict = d.verdict();
        audit.put("verdict", verdict);
        Set<String> denied = new LinkedHashSet<>();
        violations.forEach(r -> denied.add(r.qualifiedRule() + ":" + r.code()));
        Set<String> warned = new LinkedHashSet<>();
        d.warnings().forEach(r -> warned.add(r.qualifiedRule() + ":" + r.code()));
        if (!denied.isEmpty()) {
            audit.put("denied-by", cap(String.join(",", denied), 1000));
        }
        if (!warned.isEmpty()) {
            audit.put("warned-by", cap(String.join(",", warned), 1000));
        }
        Set<String> exceptions = new java.util.TreeSet<>();
        for (RuleResult r : d.results()) {
            String id = dev.custody.vuln.gate.VulnerabilityGate.exceptionId(r);
            if (id != null) {
                exceptions.add(id);
            }
            if (r.code() == dev.custody.decision.ReasonCode.DELIVERY_BREAK_GLASS) {
                audit.put("break-glass", cap(r.message(), 1000));
            }
        }
        if (!exceptions.isEmpty()) {
            audit.put("exceptions", cap(String.join(",", exceptions), 1000));
        }
        if (req.dryRun()) {
            audit.put("dry-run", "true");
        }
        if (violations.isEmpty()) {
            return new Result(new AdmissionResponse(req.apiVersion(), req.uid(), true, 200, null, List.copyOf(warnings), audit), d, verdict);
        }
        StringBuilder msg = new StringBuilder("custody denied ").append(who).append(" (policies ").append(engine.policies().version())
                .append("): ");
        int i = 0;
        for (RuleResult r : violations) {
            if (i++ > 0) {
                msg.append("; ");
            }
            msg.append('[').append(r.qualifiedRule()).append("] ").append(r.code()).append(" at ").append(r.path()).append(": ")
                    .append(r.message());
            if (msg.length() > MAX_MESSAGE_LENGTH) {
                break;
            }
        }
        if (i < violations.size()) {
            msg.append("; and ").append(violations.size() - i).append(" more");
        }
        return new Result(new AdmissionResponse(req.apiVersion(), req.uid(), false, 403, cap(msg.toString(), MAX_MESSAGE_LENGTH + 200), List.copyOf(warnings),
                audit), d, verdict);
    }

    private static String warning(RuleResult r) {
        return cap("[" + r.qualifiedRule() + "] " + r.code() + " at " + r.path() + ": " + r.message(), MAX_WARNING_LENGTH);
    }

    private static String cap(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
