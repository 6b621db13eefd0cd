package dev.custody.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.files.InputFiles;
import dev.custody.manifest.Document;
import dev.custody.manifest.InputLimits;
import dev.custody.manifest.ManifestException;
import dev.custody.manifest.ManifestReader;
import dev.custody.rbac.IdentityAnalysis;
import dev.custody.rbac.Rbac;
import dev.custody.workload.Extraction;
import dev.custody.workload.Workload;
import dev.custody.workload.WorkloadExtractor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code custody identities}: identity separation from RBAC and the CI/CD actors. */
@Command(name = "identities", mixinStandardHelpOptions = true, description = "Identity separation: who can sign, push, deploy, escalate.",
        subcommands = {IdentitiesCommand.Analyze.class})
final class IdentitiesCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "analyze", mixinStandardHelpOptions = true,
            description = {"Read RBAC (Roles, ClusterRoles with aggregation, bindings) and the ServiceAccounts workloads run as, from a cluster",
                    "or from manifest files, with an actors file naming the CI/CD identities, and report: identities that can both sign or",
                    "push releases and deploy to production; workload ServiceAccounts that can write workloads, read Secrets cluster-wide,",
                    "exec into pods or escalate; a scanner that can mutate workloads; humans who can write production workloads directly."},
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:no finding at or above --fail-on", "1:findings at or above --fail-on", "2:usage error or unusable input",
                    "3:the cluster could not be read"})
    static final class Analyze implements Callable<Integer> {
        @Parameters(arity = "0..*", paramLabel = "PATH", description = "Manifest files or directories (YAML or JSON; Lists too).")
        List<String> paths = new ArrayList<>();

        @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Read the cluster of this kubeconfig's current context instead.")
        Path kubeconfig;

        @Option(names = "--actors", paramLabel = "FILE", description = "The actors file (kind Actors): CI/CD actors and production namespaces.")
        Path actors;

        @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT", description = "text, json or dot (default: ${DEFAULT-VALUE}).")
        String output;

        @Option(names = "--fail-on", defaultValue = "high", paramLabel = "SEVERITY",
                description = "Exit 1 when a finding is at least this severe: critical, high, medium, low, or none (default: ${DEFAULT-VALUE}).")
        String failOn;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (!List.of("text", "json", "dot").contains(output)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--output must be text, json or dot, found \"" + output + "\"");
            }
            if (!List.of("critical", "high", "medium", "low", "none").contains(failOn)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--fail-on must be critical, high, medium, low or none, found \"" + failOn + "\"");
            }
            if ((kubeconfig == null) == paths.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give either --kubeconfig FILE or manifest PATHs");
            }
            PrintWriter err = spec.commandLine().getErr();
            IdentityAnalysis.Actors who;
            ManifestReader reader = new ManifestReader(InputLimits.DEFAULT);
            try {
                who = actors(actors);
            } catch (InputFiles.InputException e) {
                err.println("custody: " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            } catch (ManifestException e) {
                err.println("custody: " + e.describe());
                return ExitCodes.INPUT_ERROR;
            } catch (Rbac.InvalidRbacException e) {
                err.println("custody: " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            }
            Inputs in;
            try {
                in = kubeconfig != null ? fromCluster(kubeconfig) : fromFiles(paths, reader, err);
            } catch (Rbac.InvalidRbacException e) {
                err.println("custody: " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            } catch (InputProblem e) {
                return ExitCodes.INPUT_ERROR;
            } catch (dev.custody.inventory.Clusters.ConfigException e) {
                err.println("custody: " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                err.println("custody: the cluster could not be read: " + e.getMessage());
                return ExitCodes.INTERNAL_ERROR;
            }
            IdentityAnalysis.Result r = new IdentityAnalysis(in.rbac(), in.namespaces(), in.workloads(), who).analyze();
            PrintWriter out = spec.commandLine().getOut();
            switch (output) {
                case "json" -> {
                    Map<String, Object> o = new LinkedHashMap<>();
                    List<Map<String, Object>> findings = new ArrayList<>();
                    for (IdentityAnalysis.Finding f : r.findings()) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("code", f.code());
                        m.put("severity", f.severity().label());
                        m.put("subject", f.subject());
                        m.put("permissions", f.permissions());
                        m.put("message", f.message());
                        findings.add(m);
                    }
                    o.put("findings", findings);
                    o.put("graph", r.graph());
                    Json.print(out, o);
                }
                case "dot" -> out.print(IdentityAnalysis.dot(r.graph()));
                default -> {
                    for (IdentityAnalysis.Finding f : r.findings()) {
                        out.printf("%-8s %-28s %s%n  %s%n", f.severity().label(), f.code(), f.subject(), f.message());
                        f.permissions().stream().limit(10).forEach(p -> out.println("    " + p));
                        if (f.permissions().size() > 10) {
                            out.println("    and " + (f.permissions().size() - 10) + " more (-o json lists them all)");
                        }
                    }
                    out.printf("%d findings; %d roles, %d bindings, %d workloads read%n", r.findings().size(),
                            in.rbac().roles().size() + in.rbac().clusterRoles().size(), in.rbac().bindings().size(), in.workloads().size());
                }
            }
            out.flush();
            if (failOn.equals("none")) {
                return ExitCodes.OK;
            }
            IdentityAnalysis.Severity bar = IdentityAnalysis.Severity.parse(failOn);
            return r.findings().stream().anyMatch(f -> f.severity().ordinal() <= bar.ordinal()) ? ExitCodes.DENIED : ExitCodes.OK;
        }
    }

    /** The actors file (kind Actors), or no actors when none is given. */
    static IdentityAnalysis.Actors actors(Path file) throws InputFiles.InputException, ManifestException {
        if (file == null) {
            return IdentityAnalysis.Actors.NONE;
        }
        InputFiles.Input in = InputFiles.read(file, InputLimits.POLICY.maxBytes(), System.in);
        List<Document> docs = new ManifestReader(InputLimits.DEFAULT).read(in.name(), in.text());
        return IdentityAnalysis.actors(docs.isEmpty() ? null : docs.getFirst().root(), in.name());
    }

    record Inputs(Rbac rbac, Map<String, Map<String, String>> namespaces, List<IdentityAnalysis.WorkloadIdentity> workloads) {}

    static final class InputProblem extends Exception {}

    /** From files: aggregated ClusterRoles get their rules here, as the controller manager would give them. */
    static Inputs fromFiles(List<String> args, ManifestReader reader, PrintWriter err) throws InputProblem {
        List<InputFiles.Problem> unusable = new ArrayList<>();
        List<Path> files = InputFiles.expand(args, unusable);
        boolean bad = false;
        for (InputFiles.Problem p : unusable) {
            err.println("custody: " + p.describe());
            bad = true;
        }
        List<JsonNode> objects = new ArrayList<>();
        List<Document> all = new ArrayList<>();
        for (Path f : files) {
            try {
                InputFiles.Input in = InputFiles.read(f, InputLimits.DEFAULT.maxBytes(), System.in);
                for (Document d : reader.read(in.name(), in.text())) {
                    if (d.root() != null && !d.root().isNull()) {
                        objects.add(d.root());
                        all.add(d);
                    }
                }
            } catch (InputFiles.InputException e) {
                err.println("custody: " + e.getMessage());
                bad = true;
            } catch (ManifestException e) {
                err.println("custody: " + e.describe());
                bad = true;
            }
        }
        if (bad) {
            throw new InputProblem();
        }
        Extraction x = WorkloadExtractor.extract(all);
        Map<String, Map<String, String>> namespaces = new LinkedHashMap<>();
        x.namespaces().forEach(n -> namespaces.put(n.name(), n.labels()));
        return new Inputs(Rbac.read(objects).aggregated(), namespaces, identities(x.workloads()));
    }

    static List<IdentityAnalysis.WorkloadIdentity> identities(List<Workload> workloads) {
        List<IdentityAnalysis.WorkloadIdentity> out = new ArrayList<>();
        for (Workload w : workloads) {
            JsonNode spec = w.podSpec();
            String sa = spec == null ? "default" : spec.path("serviceAccountName").asText(spec.path("serviceAccount").asText("default"));
            out.add(new IdentityAnalysis.WorkloadIdentity(w.namespace() == null || w.namespace().isEmpty() ? "default" : w.namespace(),
                    w.kind().kind(), w.name(), sa.isEmpty() ? "default" : sa));
        }
        return out;
    }

    /** From a cluster: its RBAC as the authorizer reads it (aggregated rules as the controller manager stored them). */
    static Inputs fromCluster(Path kubeconfig) {
        var conn = dev.custody.inventory.Clusters.fromKubeconfig(kubeconfig, List.of(), 15_000).getFirst();
        try (var client = conn.client()) {
            ObjectMapper json = new ObjectMapper();
            List<JsonNode> objects = new ArrayList<>();
            client.rbac().roles().inAnyNamespace().list().getItems().forEach(o -> objects.add(with(json.valueToTree(o), "Role")));
            client.rbac().clusterRoles().list().getItems().forEach(o -> objects.add(with(json.valueToTree(o), "ClusterRole")));
            client.rbac().roleBindings().inAnyNamespace().list().getItems().forEach(o -> objects.add(with(json.valueToTree(o), "RoleBinding")));
            client.rbac().clusterRoleBindings().list().getItems().forEach(o -> objects.add(with(json.valueToTree(o), "ClusterRoleBinding")));
            Map<String, Map<String, String>> namespaces = new LinkedHashMap<>();
            client.namespaces().list().getItems().forEach(n -> namespaces.put(n.getMetadata().getName(),
                    n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels()));
            List<Document> docs = new ArrayList<>();
            java.util.function.BiConsumer<Object, String> add = (o, kind) -> docs.add(Document.of(kind, with(json.valueToTree(o), kind)));
            client.apps().deployments().inAnyNamespace().list().getItems().forEach(o -> add.accept(o, "Deployment"));
            client.apps().statefulSets().inAnyNamespace().list().getItems().forEach(o -> add.accept(o, "StatefulSet"));
            client.apps().daemonSets().inAnyNamespace().list().getItems().forEach(o -> add.accept(o, "DaemonSet"));
            client.batch().v1().cronjobs().inAnyNamespace().list().getItems().forEach(o -> add.accept(o, "CronJob"));
            client.batch().v1().jobs().inAnyNamespace().list().getItems().stream()
                    .filter(j -> j.getMetadata().getOwnerReferences() == null || j.getMetadata().getOwnerReferences().isEmpty())
                    .forEach(o -> add.accept(o, "Job"));
            client.pods().inAnyNamespace().list().getItems().stream()
                    .filter(p -> p.getMetadata().getOwnerReferences() == null || p.getMetadata().getOwnerReferences().isEmpty())
                    .forEach(o -> add.accept(o, "Pod"));
            return new Inputs(Rbac.read(objects), namespaces, identities(WorkloadExtractor.extract(docs).workloads()));
        }
    }

    private static JsonNode with(JsonNode o, String kind) {
        if (o instanceof com.fasterxml.jackson.databind.node.ObjectNode n && !n.hasNonNull("kind")) {
            n.put("kind", kind); // list items come without kind
        }
        return o;
    }
}
