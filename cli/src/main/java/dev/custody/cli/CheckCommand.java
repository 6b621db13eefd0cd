package dev.custody.cli;

import dev.custody.engine.Engine;
import dev.custody.manifest.InputLimits;
import dev.custody.policy.PolicySet;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import dev.custody.decision.WorkloadDecision;
import dev.custody.evidence.DecisionRecorder;
import dev.custody.store.DecisionLog;
import dev.custody.store.Store;
import dev.custody.store.StoreException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code custody check}: evaluates manifests in CI with the same engine and policies as admission. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Evaluate Kubernetes manifests (plain YAML, Helm or Kustomize output, JSON, stdin) against policies.",
                "Prints, per workload, admitted or denied with the rule, reason code, field path and line."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:nothing denied", "1:at least one workload denied", "2:usage or input error", "3:internal error"})
final class CheckCommand implements Callable<Integer> {

    enum Format { text, json, sarif, junit }

    @Option(names = {"-p", "--policy"}, required = true, paramLabel = "FILE|DIR",
            description = "Policy file or directory (repeatable).")
    List<String> policies;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS",
            description = "Namespace for objects that do not name one (default: default).")
    String namespace;

    @Option(names = "--namespace-label", paramLabel = "KEY=VALUE",
            description = {"A label of the namespace (repeatable). Applies to --namespace when given, otherwise to every",
                    "namespace that has no Namespace object in the input."})
    List<String> namespaceLabels = List.of();

    @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format output;

    @Option(names = {"-v", "--verbose"}, description = "Also show passing and skipped rule results (text) and every rule outcome (json).")
    boolean verbose;

    @Option(names = "--max-input-bytes", defaultValue = "33554432", paramLabel = "N",
            description = "Refuse inputs larger than this many bytes (default: ${DEFAULT-VALUE}).")
    long maxInputBytes;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Manifest files or directories (recursive); - reads stdin.")
    List<String> paths;

    @CommandLine.Mixin
    StoreOption store;

    @Option(names = "--record", description = "Record every decision in the evidence store's decision log (implied by --store or $CUSTODY_STORE).")
    boolean record;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Writes every decision of the run to the decision log; returns why it failed, or null. */
    private String record(CheckReport report) {
        String runId = java.util.UUID.randomUUID().toString();
        String user = System.getProperty("user.name", "");
        List<java.util.concurrent.CompletableFuture<Long>> pending = new java.util.ArrayList<>();
        try (Store s = store.open(); DecisionLog log = new DecisionLog(s)) {
            long now = System.currentTimeMillis();
            for (CheckReport.Entry e : report.entries()) {
                if (e instanceof CheckReport.Decided d) {
                    WorkloadDecision w = d.decision();
                    pending.add(log.append(DecisionRecorder.record(now, "cli", runId, user, "CHECK", w.namespace(), w.workload().kind().kind(),
                            w.workload().name(), w.verdict(), false, report.policyVersion(), w)));
                }
            }
            java.util.concurrent.CompletableFuture.allOf(pending.toArray(java.util.concurrent.CompletableFuture[]::new)).get();
            return null;
        } catch (StoreException e) {
            return e.getMessage();
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause().getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Map<String, String> labels = new LinkedHashMap<>();
        for (String kv : namespaceLabels) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--namespace-label must be KEY=VALUE, found \"" + kv + "\"");
            }
            labels.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        PolicySet set = Policies.loadOrReport(policies, err);
        if (set == null) {
            return ExitCodes.INPUT_ERROR;
        }
        InputLimits limits = new InputLimits(maxInputBytes, InputLimits.DEFAULT.maxDepth(), InputLimits.DEFAULT.maxDocuments());
        CheckRun run = new CheckRun(new Engine(set), limits, namespace, labels);
        CheckReport report;
        boolean gate = set.policies().stream().flatMap(p -> p.rules().stream())
                .anyMatch(r -> r instanceof dev.custody.vuln.gate.VulnerabilityGate || r instanceof dev.custody.policy.trust.PromotionRule);
        if (gate && store.given()) {
            // the vulnerability gate and promotion rules judge digests by the store's evidence, as admission does
            try (Store s = store.open()) {
                report = run.judgingVulnerabilities(new dev.custody.vulns.StoredVulnEvidence(s)).run(paths, System.in);
            } catch (StoreException e) {
                err.println("custody: " + e.getMessage());
                return ExitCodes.INTERNAL_ERROR;
            }
        } else {
            report = run.run(paths, System.in);
        }

        PrintWriter out = spec.commandLine().getOut();
        switch (output) {
            case text -> Reports.text(report, out, verbose);
            case json -> Reports.json(report, out, verbose);
            case sarif -> Reports.sarif(report, out, Main.version());
            case junit -> Reports.junit(report, out);
        }
        out.flush();
        for (String p : report.problems()) {
            err.println("custody: input error: " + p);
        }
        if (record || store.given()) {
            String failed = record(report);
            if (failed != null) {
                err.println("custody: decisions were not recorded: " + failed);
                return ExitCodes.INTERNAL_ERROR;
            }
        }
        if (!report.problems().isEmpty()) {
            return ExitCodes.INPUT_ERROR;
        }
        return report.denied() > 0 ? ExitCodes.DENIED : ExitCodes.OK;
    }
}
