package dev.custody.evidence;

import dev.custody.decision.RuleResult;
import dev.custody.decision.WorkloadDecision;
import dev.custody.engine.Denylisted;
import dev.custody.engine.Engine;
import dev.custody.manifest.InputLimits;
import dev.custody.manifest.ManifestException;
import dev.custody.manifest.ManifestReader;
import dev.custody.store.RuntimeInventory;
import dev.custody.workload.Extraction;
import dev.custody.workload.Workload;
import dev.custody.workload.WorkloadExtractor;
import dev.custody.imageref.ImageReference;
import dev.custody.policy.trust.AttestationKind;
import dev.custody.policy.trust.SignatureGatherer;
import dev.custody.policy.trust.SignatureLookup;
import dev.custody.policy.trust.SignatureVerdict;
import dev.custody.policy.trust.TrustSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The pods that run now, evaluated by the engine admission uses, as admission sees a pod: its spec (as the collector
 * stored it) in its namespace with that namespace's labels. Pods are grouped into their top workload, and a finding
 * repeated by every pod of a workload is kept once.
 *
 * <p>With a gatherer, trust rules are decided by {@link Engine#decide} as in admission, with one difference that
 * matters after the gate: an image the kubelet reports a digest for is verified at that digest, not at whatever its tag
 * resolves to now, so a re-pushed tag cannot lend its new signature to the old content that still runs.
 */
public final class RunningWorkloads {

    /** One running workload: its pods, the policies that selected it, and the results the filter kept. */
    public record Verdict(String cluster, String namespace, RuntimeInventory.WorkloadRef workload, List<String> pods, List<String> policies,
                          List<RuleResult> findings, boolean deniedToday) {}

    /** Everything evaluated: each workload, the pods counted, and pods whose stored object could not be read. */
    public record Evaluation(List<Verdict> workloads, int pods, List<String> problems) {
        public List<Verdict> withFindings() {
            return workloads.stream().filter(w -> !w.findings().isEmpty()).toList();
        }
    }

    private RunningWorkloads() {}

    /**
     * Evaluates every present pod ({@code cluster} null: of every cluster) and keeps the results {@code keep} accepts.
     */
    public static Evaluation evaluate(Engine engine, List<RuntimeInventory.PresentPod> present, String cluster, Predicate<RuleResult> keep) {
        return evaluate(engine, present, cluster, keep, null, Duration.ZERO);
    }

    /**
     * As above, verifying what trust rules need with {@code gatherer} (null: not checked); each pod's evidence is
     * gathered within {@code budget}, from the gatherer's cache when it has it.
     */
    public static Evaluation evaluate(Engine engine, List<RuntimeInventory.PresentPod> present, String cluster, Predicate<RuleResult> keep,
                                      SignatureGatherer gatherer, Duration budget) {
        return evaluate(engine, present, cluster, keep, gatherer, budget, Denylisted.NONE);
    }

    /**
     * As above, and the emergency denylist first, as admission applies it: an image is blocked by the digest its
     * spec pins, by the digest the kubelet reports it runs, or by its repository.
     */
    public static Evaluation evaluate(Engine engine, List<RuntimeInventory.PresentPod> present, String cluster, Predicate<RuleResult> keep,
                                      SignatureGatherer gatherer, Duration budget, Denylisted denylist) {
        return evaluate(engine, present, cluster, keep, gatherer, budget, denylist, null);
    }

    /** As above, with the stored vulnerability evidence the vulnerability gate reads (null: not checked). */
    public static Evaluation evaluate(Engine engine, List<RuntimeInventory.PresentPod> present, String cluster, Predicate<RuleResult> keep,
                                      SignatureGatherer gatherer, Duration budget, Denylisted denylist, dev.custody.vuln.gate.VulnEvidence vulns) {
        ManifestReader reader = new ManifestReader(InputLimits.DEFAULT);
        final class Acc {
            final RuntimeInventory.PresentPod first;
            final List<String> pods = new ArrayList<>();
            final Map<String, RuleResult> findings = new LinkedHashMap<>();
            final Set<String> policies = new LinkedHashSet<>();
            boolean deniedToday;

            Acc(RuntimeInventory.PresentPod first) {
                this.first = first;
            }
        }
        Map<String, Acc> byWorkload = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        int pods = 0;
        for (RuntimeInventory.PresentPod p : present) {
            if (cluster != null && !cluster.equals(p.cluster())) {
                continue;
            }
            pods++;
            Extraction x;
            try {
                x = WorkloadExtractor.extract(reader.read(p.cluster() + "/" + p.namespace() + "/pod/" + p.name(), p.object()));
            } catch (ManifestException e) {
                problems.add(e.describe());
                continue;
            }
            x.problems().forEach(pr -> problems.add(pr.describe()));
            Acc acc = byWorkload.computeIfAbsent(String.join("\u0000", p.cluster(), p.namespace(), p.workload().kind(), p.workload().name()),
                    k -> new Acc(p));
            acc.pods.add(p.name());
            for (Workload w : x.workloads()) {
                WorkloadDecision d = engine.decide(w, p.namespace(), p.namespaceLabels(), null, null,
                        gatherer == null ? null : atRunningDigests(gatherer, p), denylist, p.runningDigests(), vulns, Instant.now().plus(budget));
                acc.policies.addAll(d.policies());
                acc.deniedToday |= !d.allowed();
                for (RuleResult r : d.results()) {
                    if (keep.test(r)) {
                        acc.findings.putIfAbsent(r.policy() + "/" + r.rule() + "/" + r.code() + "/" + r.path(), r);
                    }
                }
            }
        }
        List<Verdict> out = byWorkload.values().stream().map(a -> new Verdict(a.first.cluster(), a.first.namespace(), a.first.workload(),
                List.copyOf(a.pods), List.copyOf(a.policies), List.copyOf(a.findings.values()), a.deniedToday)).toList();
        return new Evaluation(out, pods, List.copyOf(problems));
    }

    /** A gatherer that asks about the running digest of each image whose digest the kubelet reported, and answers for the spec's image. */
    static SignatureGatherer atRunningDigests(SignatureGatherer gatherer, RuntimeInventory.PresentPod pod) {
        if (pod.runningDigests().isEmpty()) {
            return gatherer;
        }
        return (needs, deadline) -> {
            Map<ImageReference, ImageReference> pinned = new HashMap<>();
            List<SignatureGatherer.Need> asked = new ArrayList<>(needs.size());
            for (SignatureGatherer.Need n : needs) {
                ImageReference running = pinned.computeIfAbsent(n.image(), img -> pin(img, pod.runningDigest(img.original())));
                asked.add(new SignatureGatherer.Need(running, n.spec(), n.pullSecrets()));
            }
            SignatureLookup found = gatherer.gather(asked, deadline);
            return new SignatureLookup() {
                @Override
                public SignatureVerdict find(ImageReference image, TrustSpec spec) {
                    return found.find(pinned.getOrDefault(image, image), spec);
                }

                @Override
                public SignatureVerdict attestation(ImageReference image, TrustSpec spec, AttestationKind kind) {
                    return found.attestation(pinned.getOrDefault(image, image), spec, kind);
                }
            };
        };
    }

    private static ImageReference pin(ImageReference image, String digest) {
        if (digest == null || (image.digest() != null && image.digest().toString().equals(digest))) {
            return image;
        }
        try {
            return ImageReference.parse(image.name() + "@" + digest);
        } catch (RuntimeException e) {
            return image; // a digest the kubelet wrote in a form we cannot read: verify what the spec names
        }
    }
}
