package dev.custody.cli;

import dev.custody.decision.Outcome;
import dev.custody.decision.RuleResult;
import dev.custody.engine.Engine;
import dev.custody.evidence.RunningWorkloads;
import dev.custody.policy.PolicySet;
import dev.custody.store.RuntimeInventory;
import dev.custody.store.Store;
import dev.custody.store.StoreException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code custody policy dry-run}: what enforcing a candidate policy set would do to what runs now. Every present pod
 * of the runtime inventory is evaluated by the same engine admission uses, as admission would see it (its spec, its
 * namespace's labels); a rule that is broken counts as a denial whatever its action today, since the question is
 * what happens when it is switched to enforce.
 */
@Command(name = "dry-run", mixinStandardHelpOptions = true,
        description = {"Evaluate a candidate policy set against the pods that run now (the inventory `custody collect` keeps) and say",
                "which running workloads enforcing it would deny, with each rule and reason. Rules in warn or audit count as",
                "enforced. With --verify, trust rules verify signatures and attestations in the registries as admission does, at the",
                "digest each pod runs; without it they report their images as not checked."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:enforcing would deny nothing", "1:enforcing would deny at least one running workload",
                "2:usage error or invalid policy", "3:internal or store error"})
final class DryRunCommand implements Callable<Integer> {

    @Option(names = {"-p", "--policy"}, required = true, paramLabel = "FILE|DIR", description = "Candidate policy files or directories (repeatable).")
    List<String> policies;

    @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).")
    String output;

    @Option(names = "--cluster", paramLabel = "NAME", description = "Only this cluster's pods.")
    String cluster;

    @Option(names = "--verify", description = "Verify what trust rules require in the images' registries (at the digest each pod runs).")
    boolean verify;

    @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]", description = "With --verify: talk plain HTTP to this registry (loopback ones always are).")
    List<String> insecure = new java.util.ArrayList<>();

    @Option(names = "--trusted-root", paramLabel = "FILE", description = "With --verify: Sigstore trusted_root.json for keyless rules (default: the public-good root).")
    java.nio.file.Path trustedRoot;

    @Mixin
    StoreOption store;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!output.equals("text") && !output.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--output must be text or json, found \"" + output + "\"");
        }
        PolicySet set = Policies.loadOrReport(policies, err);
        if (set == null) {
            return ExitCodes.INPUT_ERROR;
        }
        java.util.function.Supplier<dev.custody.verify.TrustRoot> roots;
        try {
            roots = dev.custody.signatures.Verification.roots(trustedRoot);
        } catch (dev.custody.verify.TrustRootException e) {
            err.println("custody: --trusted-root: " + e.getMessage());
            return ExitCodes.INPUT_ERROR;
        }
        RunningWorkloads.Evaluation ev;
        try (Store s = store.open();
             var verification = verify ? dev.custody.signatures.Verification.open(java.util.Set.copyOf(insecure), roots, null) : null) {
            ev = RunningWorkloads.evaluate(new Engine(set), new RuntimeInventory(s).presentPods(), cluster, DryRunCommand::wouldDeny,
                    verification == null ? null : verification.service(), java.time.Duration.ofSeconds(30),
                    dev.custody.evidence.DenylistCache.view(s, new dev.custody.store.Denylist(s).active(System.currentTimeMillis())),
                    new dev.custody.vulns.StoredVulnEvidence(s));
        } catch (StoreException e) {
            err.println("custody: store error: " + e.getMessage());
            return ExitCodes.INTERNAL_ERROR;
        }
        List<RunningWorkloads.Verdict> denied = ev.withFindings();
        long deniedToday = ev.workloads().stream().filter(RunningWorkloads.Verdict::deniedToday).count();
        long deniedPods = denied.stream().mapToLong(w -> w.pods().size()).sum();
        List<String> problems = ev.problems();
        if (output.equals("json")) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("policyVersion", set.version());
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("workloads", ev.workloads().size());
            summary.put("pods", ev.pods());
            summary.put("denied", denied.size());
            summary.put("deniedPods", deniedPods);
            summary.put("deniedWithTodaysActions", deniedToday);
            summary.put("inputErrors", problems.size());
            o.put("summary", summary);
            o.put("denied", denied.stream().map(DryRunCommand::json).toList());
            o.put("errors", problems);
            Json.print(out, o);
        } else {
            for (RunningWorkloads.Verdict w : denied) {
                out.printf("%s/%s %s/%s (%d %s)%n", w.cluster(), w.namespace(), w.workload().kind(), w.workload().name(), w.pods().size(),
                        w.pods().size() == 1 ? "pod" : "pods");
                for (RuleResult r : w.findings()) {
                    out.printf("    %s %s/%s %s at %s: %s%n", r.action().label(), r.policy(), r.rule(), r.code().name(), r.path(), r.message());
                }
            }
            problems.forEach(p -> out.println("error: " + p));
            out.printf("%nenforcing this would deny %d running %s (%d pods) of %d; %d denied with today's actions; policies %s%n",
                    denied.size(), denied.size() == 1 ? "workload" : "workloads", deniedPods, ev.workloads().size(), deniedToday, set.version());
        }
        out.flush();
        return denied.isEmpty() ? ExitCodes.OK : ExitCodes.DENIED;
    }

    /** Broken (whatever the action), or not evaluable where the rule fails closed. */
    private static boolean wouldDeny(RuleResult r) {
        return r.outcome() == Outcome.FAIL || r.outcome() == Outcome.WARN
                || (r.outcome() == Outcome.ERROR && r.failureMode() == dev.custody.decision.FailureMode.CLOSED);
    }

    private static Map<String, Object> json(RunningWorkloads.Verdict w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cluster", w.cluster());
        m.put("namespace", w.namespace());
        m.put("workload", Map.of("kind", w.workload().kind(), "name", w.workload().name()));
        m.put("pods", w.pods());
        m.put("policies", w.policies());
        m.put("deniedWithTodaysActions", w.deniedToday());
        m.put("violations", dev.custody.evidence.InventoryViews.findings(w.findings()));
        return m;
    }
}
