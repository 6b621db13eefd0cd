package dev.custody.engine;

import dev.custody.decision.Action;
import dev.custody.decision.FailureMode;
import dev.custody.decision.Outcome;
import dev.custody.decision.ReasonCode;
import dev.custody.decision.RuleResult;
import dev.custody.decision.WorkloadDecision;
import dev.custody.imageref.ImageReference;
import dev.custody.manifest.FieldPath;
import dev.custody.policy.Policy;
import dev.custody.policy.PolicySet;
import dev.custody.policy.ResultSink;
import dev.custody.policy.Rule;
import dev.custody.policy.RuleContext;
import dev.custody.policy.trust.SignatureGatherer;
import dev.custody.policy.trust.SignatureLookup;
import dev.custody.policy.trust.TrustRule;
import dev.custody.workload.Container;
import dev.custody.workload.Workload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one evaluation engine: admission, background re-evaluation and {@code custody check} all call
 * {@link #evaluate}, so their verdicts cannot drift apart. Immutable and thread-safe.
 */
public final class Engine {

    /** The label the API server sets on every namespace to its own name. */
    public static final String NAME_LABEL = "kubernetes.io/metadata.name";

    private final PolicySet policies;
    private final boolean trustRules;

    public Engine(PolicySet policies) {
        this.policies = policies;
        this.trustRules = policies.policies().stream().flatMap(p -> p.rules().stream()).anyMatch(r -> r instanceof TrustRule);
    }

    public PolicySet policies() {
        return policies;
    }

    /**
     * Evaluates {@code workload} in {@code namespace} (the workload's own namespace wins when it names one).
     *
     * @param namespaceLabels labels of the namespace, as the API server (or the input) knows them
     */
    public WorkloadDecision evaluate(Workload workload, String namespace, Map<String, String> namespaceLabels) {
        return evaluate(workload, namespace, namespaceLabels, null, null);
    }

    /**
     * As {@link #evaluate(Workload, String, Map)}, in admission: {@code request} and {@code oldObject} are what
     * CEL rules see as {@code request} and {@code oldObject}.
     */
    public WorkloadDecision evaluate(Workload workload, String namespace, Map<String, String> namespaceLabels,
                                     com.fasterxml.jackson.databind.JsonNode request, com.fasterxml.jackson.databind.JsonNode oldObject) {
        return evaluate(workload, namespace, namespaceLabels, request, oldObject, null);
    }

    /**
     * Gathers the verdicts the selected trust rules need from {@code gatherer} (by {@code deadline}), then evaluates:
     * the one path admission, background re-evaluation and the CLI share, so a digest gets one verdict from all three.
     * With a null gatherer, trust rules report their images as not checked.
     */
    public WorkloadDecision decide(Workload workload, String namespace, Map<String, String> namespaceLabels,
                                   com.fasterxml.jackson.databind.JsonNode request, com.fasterxml.jackson.databind.JsonNode oldObject,
                                   SignatureGatherer gatherer, java.time.Instant deadline) {
        return decide(workload, namespace, namespaceLabels, request, oldObject, gatherer, Denylisted.NONE, null, deadline);
    }

    /**
     * As above, and first the emergency denylist: every container whose image (by the digest it pins, by the digest
     * {@code runningDigests} says it runs, image text to digest, or by its repository) is listed is denied, in every
     * namespace and whatever the policies select.
     */
    public WorkloadDecision decide(Workload workload, String namespace, Map<String, String> namespaceLabels,
                                   com.fasterxml.jackson.databind.JsonNode request, com.fasterxml.jackson.databind.JsonNode oldObject,
                                   SignatureGatherer gatherer, Denylisted denylist, Map<String, String> runningDigests,
                                   java.time.Instant deadline) {
        return decide(workload, namespace, namespaceLabels, request, oldObject, gatherer, denylist, runningDigests, null, deadline);
    }

    /** As above, with the stored vulnerability evidence the vulnerability gate reads ({@code vulns} may be null: not checked). */
    public WorkloadDecision decide(Workload workload, String namespace, Map<String, String> namespaceLabels,
                                   com.fasterxml.jackson.databind.JsonNode request, com.fasterxml.jackson.databind.JsonNode oldObject,
                                   SignatureGatherer gatherer, Denylisted denylist, Map<String, String> runningDigests,
                                   dev.custody.vuln.gate.VulnEvidence vulns, java.time.Instant deadline) {
        return decide(workload, namespace, namespaceLabels, request, oldObject, gatherer, denylist, runningDigests, vulns, null, deadline);
    }

    /** As above, with the cluster's GitOps resources the delivery rules read ({@code sources} may be null: not read here). */
    public WorkloadDecision decide(Workload workload, String namespace, Map<String, String> namespaceLabels,
                                   com.fasterxml.jackson.databind.JsonNode request, com.fasterxml.jackson.databind.JsonNode oldObject,
                                   SignatureGatherer gatherer, Denylisted denylist, Map<String, String> runningDigests,
                                   dev.custody.vuln.gate.VulnEvidence vulns, dev.custody.policy.identity.DeliverySources sources,
                                   java.time.Instant deadline) {
        SignatureLookup lookup = null;
        if (gatherer != null) {
            List<SignatureGatherer.Need> needs = trustNeeds(workload, namespace, namespaceLabels);
            if (!needs.isEmpty()) {
                lookup = gatherer.gather(needs, deadline);
            }
        }
        WorkloadDecision d = evaluate(workload, namespace, namespaceLabels, request, oldObject, lookup, vulns, runningDigests, sources);
        if (denylist == null || denylist.isEmpty()) {
            return d;
        }
        List<RuleResult> blocked = denied(workload, denylist, runningDigests);
        if (blocked.isEmpty()) {
            return d;
        }
        blocked.addAll(d.results());
        return new WorkloadDecision(d.workload(), d.namespace(), d.policies(), blocked);
    }

    /** The rule id of denylist results; their policy is {@value #DENYLIST_POLICY}. */
    public static final String DENYLIST_RULE = "denylist";
    public static final String DENYLIST_POLICY = "custody";

    private static List<RuleResult> denied(Workload workload, Denylisted denylist, Map<String, String> runningDigests) {
        List<RuleResult> out = new ArrayList<>();
        for (Container c : workload.containers()) {
            if (!(c.imageRef() instanceof ImageReference.ParseResult.Parsed parsed)) {
                continue; // a malformed reference is the reference rule's to report
            }
            String running = runningDigests == null ? null : runningDigests.get(c.image());
            for (Denylisted.Entry e : denylist.hits(parsed.reference(), running)) {
                String what = e.kind() == Denylisted.Kind.DIGEST ? "digest " + e.value() : "repository " + e.value();
                out.add(new RuleResult(DENYLIST_POLICY, DENYLIST_RULE, Outcome.FAIL, Action.ENFORCE, FailureMode.CLOSED, ReasonCode.DENYLISTED,
                        c.imagePath(), "image " + c.image() + " is on the emergency denylist (" + what + ", entry " + e.id() + "): " + e.reason()));
            }
        }
        return out;
    }

    /** As above, with the signature verdicts gathered for the workload's images (see {@link SignatureLookup}). */
    public WorkloadDecision evaluate(Workload workload, String namespace, Map<String, String> namespaceLabels,
                                     com.fasterxml.jackson.databind.JsonNode request, com.fasterxml.jackson.databind.JsonNode oldObject,
                                     SignatureLookup signatures) {
        return evaluate(workload, namespace, namespaceLabels, request, oldObject, signatures, null, null);
    }

    /** As above, with stored vulnerability evidence and the digests a kubelet reports the images run (either may be null). */
    public WorkloadDecision evaluate(Workload workload, String namespace, Map<String, String> namespaceLabels,
                                     com.fasterxml.jackson.databind.JsonNode request, com.fasterxml.jackson.databind.JsonNode oldObject,
                                     SignatureLookup signatures, dev.custody.vuln.gate.VulnEvidence vulns, Map<String, String> runningDigests) {
        return evaluate(workload, namespace, namespaceLabels, request, oldObject, signatures, vulns, runningDigests, null);
    }

    /** As above, with the cluster's GitOps resources (null where no API server is read). */
    public WorkloadDecision evaluate(Workload workload, String namespace, Map<String, String> namespaceLabels,
                                     com.fasterxml.jackson.databind.JsonNode request, com.fasterxml.jackson.databind.JsonNode oldObject,
                                     SignatureLookup signatures, dev.custody.vuln.gate.VulnEvidence vulns, Map<String, String> runningDigests,
                                     dev.custody.policy.identity.DeliverySources sources) {
        String ns = namespaceOf(workload, namespace);
        Map<String, String> labels = withNameLabel(ns, namespaceLabels);
        List<Policy> selected = policies.selectFor(ns, labels);
        List<RuleResult> results = new ArrayList<>();
        List<String> names = new ArrayList<>(selected.size());
        RuleContext ctx = new RuleContext(ns, labels, request, oldObject, new HashMap<>(), signatures, vulns, runningDigests, sources);
        for (Policy p : selected) {
            names.add(p.name());
            for (Rule r : p.rules()) {
                Sink sink = new Sink(p.name(), r, results);
                try {
                    r.evaluate(workload, ctx, sink);
                } catch (RuntimeException e) {
                    sink.error(ReasonCode.RULE_EVALUATION_FAILED, workload.objectPath(),
                            "rule " + r.id() + " failed: " + e);
                }
            }
        }
        return new WorkloadDecision(workload, ns, List.copyOf(names), selected.size() > 1 ? dedupe(results) : results);
    }

    /**
     * Several policies often share a rule (every policy checks that references are well formed); the same
     * finding on the same field with the same outcome is reported once, under the first policy.
     */
    private static List<RuleResult> dedupe(List<RuleResult> results) {
        java.util.Set<Key> seen = new java.util.HashSet<>(results.size() * 2);
        List<RuleResult> out = new ArrayList<>(results.size());
        for (RuleResult r : results) {
            if (seen.add(new Key(r.rule(), r.code(), r.outcome(), r.path()))) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * The images of a workload that trust rules of the policies selected for its namespace cover: what must be
     * verified before {@link #evaluate} can decide them.
     */
    public List<SignatureGatherer.Need> trustNeeds(Workload workload, String namespace, Map<String, String> namespaceLabels) {
        if (!trustRules) {
            return List.of(); // most policy sets verify nothing: admission pays nothing for the feature
        }
        String ns = namespaceOf(workload, namespace);
        List<SignatureGatherer.Need> needs = new ArrayList<>();
        SignatureGatherer.PullSecrets pull = pullSecrets(workload, ns);
        for (Policy p : policies.selectFor(ns, withNameLabel(ns, namespaceLabels))) {
            for (Rule r : p.rules()) {
                if (!(r instanceof TrustRule t)) {
                    continue;
                }
                for (Container c : workload.containers()) {
                    if (c.imageRef() instanceof ImageReference.ParseResult.Parsed parsed && t.spec().covers(parsed.reference().name())) {
                        needs.add(new SignatureGatherer.Need(parsed.reference(), t.spec(), pull));
                    }
                }
            }
        }
        return needs;
    }

    /** The pod template's imagePullSecrets (names, in order, at most 16), or none. */
    private static SignatureGatherer.PullSecrets pullSecrets(Workload workload, String namespace) {
        com.fasterxml.jackson.databind.JsonNode list = workload.podSpec() == null ? null : workload.podSpec().get("imagePullSecrets");
        if (list == null || !list.isArray() || list.isEmpty()) {
            return SignatureGatherer.PullSecrets.NONE;
        }
        List<String> names = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode ref : list) {
            String name = ref.path("name").asText("");
            if (!name.isEmpty() && names.size() < 16 && !names.contains(name)) {
                names.add(name);
            }
        }
        return names.isEmpty() ? SignatureGatherer.PullSecrets.NONE : new SignatureGatherer.PullSecrets(namespace, names);
    }

    /** The workload's own namespace wins; else the one given; else default. */
    private static String namespaceOf(Workload workload, String namespace) {
        return workload.namespace() != null && !workload.namespace().isEmpty() ? workload.namespace()
                : namespace != null ? namespace : "default";
    }

    /** The API server labels every namespace with its name; inputs may not, so the engine adds it. */
    private static Map<String, String> withNameLabel(String ns, Map<String, String> namespaceLabels) {
        if (ns.equals(namespaceLabels.get(NAME_LABEL))) {
            return namespaceLabels;
        }
        Map<String, String> labels = new HashMap<>(namespaceLabels);
        labels.put(NAME_LABEL, ns);
        return labels;
    }

    /** Ids of rules whose verdict depends on evidence outside the object (see {@link Rule#usesEvidence()}). */
    public java.util.Set<String> evidenceRules() {
        java.util.Set<String> out = new java.util.HashSet<>();
        out.add(DENYLIST_RULE); // an UPDATE that keeps every image does not create pods: its pods' own CREATE is denied
        for (Policy p : policies.policies()) {
            for (Rule r : p.rules()) {
                if (r.usesEvidence()) {
                    out.add(r.id());
                }
            }
        }
        return out;
    }

    private record Key(String rule, ReasonCode code, Outcome outcome, FieldPath path) {}

    private record Sink(String policy, Rule rule, List<RuleResult> out) implements ResultSink {
        @Override
        public void pass(ReasonCode code, FieldPath path, String message) {
            add(Outcome.PASS, code, path, message);
        }

        @Override
        public void fail(ReasonCode code, FieldPath path, String message) {
            add(rule.action() == Action.ENFORCE ? Outcome.FAIL : Outcome.WARN, code, path, message);
        }

        @Override
        public void error(ReasonCode code, FieldPath path, String message) {
            add(Outcome.ERROR, code, path, message);
        }

        @Override
        public void skip(ReasonCode code, FieldPath path, String message) {
            add(Outcome.SKIP, code, path, message);
        }

        @Override
        public void warn(ReasonCode code, FieldPath path, String message) {
            add(Outcome.WARN, code, path, message);
        }

        private void add(Outcome outcome, ReasonCode code, FieldPath path, String message) {
            FailureMode mode = rule.failureMode();
            out.add(new RuleResult(policy, rule.id(), outcome, rule.action(), mode, code, path, message));
        }
    }
}
