package dev.custody.cli;

import dev.custody.decision.Outcome;
import dev.custody.decision.RuleResult;
import dev.custody.decision.WorkloadDecision;
import dev.custody.engine.Engine;
import dev.custody.manifest.ManifestReader;
import dev.custody.policy.NamespaceMatch;
import dev.custody.policy.Policy;
import dev.custody.policy.PolicySet;
import dev.custody.policy.Tier;
import dev.custody.store.Evidence;
import dev.custody.store.Promotions;
import dev.custody.store.SbomStore;
import dev.custody.store.Store;
import dev.custody.store.StoreException;
import dev.custody.workload.Workload;
import dev.custody.workload.WorkloadExtractor;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code custody promote}: a digest moves to an environment tier only when its evidence satisfies that tier's
 * policies (the image rules, trust rules, the vulnerability gate and the denylist, as admission applies them to a
 * workload running it); the promotion is recorded, by whom and from which evidence, in the hash chain.
 */
@Command(name = "promote", mixinStandardHelpOptions = true,
        description = {"Promote an image digest to an environment tier: judge it by that tier's policies (image and trust rules, the",
                "vulnerability gate, the denylist) and, when nothing denies it, record the promotion (who, when, which evidence)."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:promoted", "1:refused: the reasons are listed", "2:usage error or invalid policy", "3:store error"})
final class PromoteCommand implements Callable<Integer> {

    @Option(names = "--digest", required = true, paramLabel = "sha256:HEX")
    String digest;

    @Option(names = "--to", required = true, paramLabel = "TIER", description = "dev, staging, production or regulated.")
    String to;

    @Option(names = "--from", paramLabel = "TIER", description = "Require an earlier promotion of the digest to this tier.")
    String from;

    @Option(names = {"-p", "--policy"}, required = true, paramLabel = "FILE|DIR", description = "The policies; those of the target tier judge.")
    List<String> policies = new ArrayList<>();

    @Option(names = "--image", paramLabel = "REPOSITORY", description = "The image's repository (default: the one the store has seen with the digest).")
    String image;

    @Option(names = "--verify", description = "Verify what trust rules require in the image's registry (else they cannot pass).")
    boolean verify;

    @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]", description = "With --verify: talk plain HTTP to this registry.")
    List<String> insecure = new ArrayList<>();

    @Option(names = "--as", paramLabel = "IDENTITY", description = "Who promotes (default: the OS user).")
    String as;

    @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).")
    String output;

    @Mixin
    StoreOption store;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The rules that judge an artifact, not the pod spec a workload gives it. */
    static boolean aboutTheArtifact(RuleResult r) {
        return r.rule().startsWith("images.") || r.rule().startsWith("trust.") || r.rule().startsWith("vulnerabilities.") || r.rule().equals(Engine.DENYLIST_RULE);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!SbomStore.DIGEST.matcher(digest).matches()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--digest must be sha256:<64 lower-case hex>, found \"" + digest + "\"");
        }
        Tier tier = tier("--to", to);
        if (from != null) {
            tier("--from", from);
        }
        if (!output.equals("text") && !output.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--output must be text or json, found \"" + output + "\"");
        }
        PolicySet set = Policies.loadOrReport(policies, err);
        if (set == null) {
            return ExitCodes.INPUT_ERROR;
        }
        // the target tier's policies, whatever namespaces they select: a promotion is about the artifact
        List<Policy> judging = new ArrayList<>();
        for (Policy p : set.policies()) {
            if (p.tier() == tier) {
                judging.add(new Policy(p.name(), p.origin(), p.tier(), NamespaceMatch.ALL, p.defaultAction(), p.rules(), p.digest()));
            }
        }
        if (judging.isEmpty()) {
            err.println("custody: no policy of tier " + to + " among " + String.join(", ", policies) + ": nothing to promote against");
            return ExitCodes.INPUT_ERROR;
        }
        PolicySet tierSet = new PolicySet(judging);
        String actor = as != null && !as.isBlank() ? as : System.getProperty("user.name", "");
        try (Store s = store.open()) {
            String repository = image;
            if (repository == null) {
                Evidence.Artifact a = new Evidence(s).artifact(digest, 0);
                repository = a == null ? null : a.repository();
            }
            if (repository == null) {
                err.println("custody: the store has not seen a repository for " + digest + "; give --image REPOSITORY");
                return ExitCodes.INPUT_ERROR;
            }
            List<String> reasons = new ArrayList<>();
            Promotions promotions = new Promotions(s);
            if (from != null && !promotions.promoted(digest, from)) {
                reasons.add("promotion: " + digest + " has not been promoted to " + from + " (custody promote --to " + from + ")");
            }
            String ref = repository + "@" + digest;
            Workload w = WorkloadExtractor.extract(new ManifestReader().read("promotion", """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: promotion, namespace: promotion}
                    spec:
                      containers: [{name: app, image: "%s"}]
                    """.formatted(ref))).workloads().getFirst();
            WorkloadDecision d;
            try (var verification = verify ? dev.custody.signatures.Verification.open(java.util.Set.copyOf(insecure),
                    dev.custody.signatures.Verification.roots(null), null) : null) {
                d = new Engine(tierSet).decide(w, "promotion", Map.of(), null, null, verification == null ? null : verification.service(),
                        dev.custody.evidence.DenylistCache.view(s, new dev.custody.store.Denylist(s).active(System.currentTimeMillis())), null,
                        new dev.custody.vulns.StoredVulnEvidence(s), Instant.now().plusSeconds(30));
            } catch (dev.custody.verify.TrustRootException e) {
                err.println("custody: " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            }
            List<Map<String, Object>> passed = new ArrayList<>();
            for (RuleResult r : d.results()) {
                if (!aboutTheArtifact(r)) {
                    continue;
                }
                if (r.outcome() == Outcome.FAIL || r.outcome() == Outcome.ERROR) {
                    reasons.add(r.policy() + "/" + r.rule() + " " + r.code() + ": " + r.message());
                } else if (r.outcome() == Outcome.PASS) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("policy", r.policy());
                    m.put("rule", r.rule());
                    m.put("code", r.code().name());
                    passed.add(m);
                }
            }
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("digest", digest);
            o.put("image", ref);
            o.put("to", to);
            o.put("from", from);
            o.put("policies", tierSet.policies().stream().map(Policy::name).toList());
            o.put("promoted", reasons.isEmpty());
            o.put("reasons", reasons);
            if (reasons.isEmpty()) {
                Promotions.Promotion p = promotions.record(digest, ref, to, from, actor, tierSet.version(), new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(passed),
                        System.currentTimeMillis());
                o.put("id", p.id());
                o.put("auditSeq", p.auditSeq());
            }
            if (output.equals("json")) {
                Json.print(out, o);
            } else if (reasons.isEmpty()) {
                out.println("promoted " + ref + " to " + to + " (" + o.get("id") + ", decision log #" + o.get("auditSeq") + ")");
            } else {
                out.println("refused: " + ref + " does not satisfy the " + to + " policies (" + String.join(", ", (List<String>) o.get("policies")) + "):");
                reasons.forEach(r -> out.println("  " + r));
            }
            return reasons.isEmpty() ? ExitCodes.OK : ExitCodes.DENIED;
        } catch (StoreException e) {
            err.println("custody: store error: " + e.getMessage());
            return ExitCodes.INTERNAL_ERROR;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Tier tier(String option, String text) {
        try {
            return Tier.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " must be dev, staging, production or regulated, found \"" + text + "\"");
        }
    }
}
