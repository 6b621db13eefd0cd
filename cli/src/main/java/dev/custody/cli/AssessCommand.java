package dev.custody.cli;

import dev.custody.assess.Assessment;
import dev.custody.assess.Facts;
import dev.custody.engine.Denylisted;
import dev.custody.files.InputFiles;
import dev.custody.imageref.ImageReference;
import dev.custody.manifest.ManifestException;
import dev.custody.policy.LabelSelector;
import dev.custody.policy.PolicySet;
import dev.custody.rbac.IdentityAnalysis;
import dev.custody.rbac.Rbac;
import dev.custody.store.Audit;
import dev.custody.store.Denylist;
import dev.custody.store.Evidence;
import dev.custody.store.Exceptions;
import dev.custody.store.Incidents;
import dev.custody.store.Promotions;
import dev.custody.store.RuntimeInventory;
import dev.custody.store.Store;
import dev.custody.store.StoreException;
import dev.custody.store.WorkloadReports;
import dev.custody.vuln.gate.ExceptionGrant;
import dev.custody.vuln.gate.GateFinding;
import dev.custody.vulns.StoredVulnEvidence;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code custody assess}: the maturity level, the production gate and the design review questions, from real configuration. */
@Command(name = "assess", mixinStandardHelpOptions = true,
        description = {"Compute the maturity level (0-6), the production gate checklist (16 items) and the answers to the design review",
                "questions (11) from the policies, the cluster (webhook registration, namespaces, RBAC with the actors file) and the store",
                "(inventory, evidence, decisions, exceptions, denylist, promotions, re-evaluation). Each item is pass, fail or unknown,",
                "with the evidence that decided it and what is missing. The criteria are in docs/assessment.md."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:assessed (and at or above --fail-below, and the gate passes with --fail-on-gate)",
                "1:below --fail-below, or a gate item does not pass with --fail-on-gate", "2:usage error or unusable input",
                "3:the cluster or the store could not be read"})
final class AssessCommand implements Callable<Integer> {

    @Option(names = {"-p", "--policy"}, paramLabel = "FILE|DIR", description = "The policies custody serve enforces (repeatable).")
    List<String> policies = new ArrayList<>();

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Read the cluster of this kubeconfig's current context: webhooks, namespaces, RBAC.")
    Path kubeconfig;

    @Option(names = "--actors", paramLabel = "FILE", description = "The actors file (kind Actors) for the identity analysis, as custody identities analyze reads it.")
    Path actors;

    @Option(names = "--no-store", description = "Read no store: every criterion about inventory, evidence or decisions is unknown.")
    boolean noStore;

    @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT", description = "text, json or markdown (default: ${DEFAULT-VALUE}).")
    String output;

    @Option(names = "--fail-below", paramLabel = "LEVEL", description = "Exit 1 when the level is below this (0-6).")
    Integer failBelow;

    @Option(names = "--fail-on-gate", description = "Exit 1 when any production gate item does not pass.")
    boolean failOnGate;

    @Mixin
    StoreOption store;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Custody's own webhooks are named {@code *.custody.dev} (custody install names its webhook validate.custody.dev). */
    static boolean custodys(ValidatingWebhook w) {
        return w.getName() != null && w.getName().endsWith(".custody.dev");
    }

    @Override
    public Integer call() {
        if (!List.of("text", "json", "markdown").contains(output)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--output must be text, json or markdown, found \"" + output + "\"");
        }
        if (failBelow != null && (failBelow < 0 || failBelow > 6)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--fail-below must be 0 to 6, found " + failBelow);
        }
        if (actors != null && kubeconfig == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--actors needs --kubeconfig: the identity analysis reads the cluster's RBAC");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PolicySet set = policies.isEmpty() ? new PolicySet(List.of()) : Policies.loadOrReport(policies, err);
        if (set == null) {
            return ExitCodes.INPUT_ERROR;
        }
        long now = System.currentTimeMillis();
        Facts.Cluster cluster = null;
        if (kubeconfig != null) {
            try {
                cluster = cluster(kubeconfig, actors);
            } catch (InputProblem e) {
                err.println("custody: " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            } catch (dev.custody.inventory.Clusters.ConfigException e) {
                err.println("custody: " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                err.println("custody: the cluster could not be read: " + e.getMessage());
                return ExitCodes.INTERNAL_ERROR;
            }
        }
        Facts.Stored stored = null;
        if (!noStore) {
            String location = store.location();
            if (!store.given() && !Files.exists(Path.of(location))) {
                err.println("custody: no store at " + location + " (give --store, or --no-store): criteria about what runs are unknown");
            } else {
                try (Store s = store.open()) {
                    stored = stored(s, location, now);
                } catch (StoreException e) {
                    err.println("custody: store error: " + e.getMessage());
                    return ExitCodes.INTERNAL_ERROR;
                }
            }
        }
        Assessment.Report report = Assessment.assess(new Facts(set, cluster, stored, now));
        switch (output) {
            case "json" -> Json.print(out, AssessReports.json(report));
            case "markdown" -> out.print(AssessReports.markdown(report));
            default -> out.print(AssessReports.text(report));
        }
        out.flush();
        if (failBelow != null && report.level() < failBelow) {
            return ExitCodes.DENIED;
        }
        if (failOnGate && report.gate().stream().anyMatch(i -> i.status() != Assessment.Status.PASS)) {
            return ExitCodes.DENIED;
        }
        return ExitCodes.OK;
    }

    static final class InputProblem extends Exception {
        InputProblem(String message) {
            super(message);
        }
    }

    // ---------------------------------------------------------------- the cluster

    static Facts.Cluster cluster(Path kubeconfig, Path actorsFile) throws InputProblem {
        IdentityAnalysis.Actors who;
        try {
            who = IdentitiesCommand.actors(actorsFile);
        } catch (InputFiles.InputException | Rbac.InvalidRbacException e) {
            throw new InputProblem(e.getMessage());
        } catch (ManifestException e) {
            throw new InputProblem(e.describe());
        }
        var conn = dev.custody.inventory.Clusters.fromKubeconfig(kubeconfig, List.of(), 15_000).getFirst();
        IdentitiesCommand.Inputs rbac = IdentitiesCommand.fromCluster(kubeconfig);
        Map<String, Map<String, String>> namespaces = rbac.namespaces();
        List<Facts.Webhook> hooks = new ArrayList<>();
        try (var client = conn.client()) {
            for (ValidatingWebhookConfiguration c : client.admissionRegistration().v1().validatingWebhookConfigurations().list().getItems()) {
                for (ValidatingWebhook w : c.getWebhooks() == null ? List.<ValidatingWebhook>of() : c.getWebhooks()) {
                    if (!custodys(w)) {
                        continue;
                    }
                    Set<String> resources = new TreeSet<>();
                    for (RuleWithOperations r : w.getRules() == null ? List.<RuleWithOperations>of() : w.getRules()) {
                        List<String> ops = r.getOperations() == null ? List.of() : r.getOperations();
                        if (ops.contains("CREATE") || ops.contains("*")) {
                            resources.addAll(r.getResources() == null ? List.of() : r.getResources());
                        }
                    }
                    LabelSelector selector = selector(w.getNamespaceSelector());
                    Set<String> covered = new TreeSet<>();
                    namespaces.forEach((ns, labels) -> {
                        if (selector.matches(labels)) {
                            covered.add(ns);
                        }
                    });
                    hooks.add(new Facts.Webhook(c.getMetadata().getName(), w.getName(), w.getFailurePolicy() == null ? "Fail" : w.getFailurePolicy(),
                            resources, covered));
                }
            }
        }
        IdentityAnalysis.Result r = new IdentityAnalysis(rbac.rbac(), namespaces, rbac.workloads(), who).analyze();
        Set<String> roles = new TreeSet<>();
        who.actors().forEach(a -> roles.add(a.role()));
        return new Facts.Cluster(conn.name(), namespaces, hooks,
                new Facts.Identities(actorsFile == null ? null : actorsFile.toString(), roles, r.findings()));
    }

    /** A Kubernetes label selector as the core evaluates it; an absent selector selects everything. */
    static LabelSelector selector(io.fabric8.kubernetes.api.model.LabelSelector s) {
        if (s == null) {
            return LabelSelector.EVERYTHING;
        }
        List<LabelSelector.Requirement> reqs = new ArrayList<>();
        if (s.getMatchExpressions() != null) {
            for (var e : s.getMatchExpressions()) {
                LabelSelector.Operator op = LabelSelector.Operator.parse(e.getOperator());
                if (op == null) {
                    // an operator the API server would refuse; nothing matches rather than everything
                    return new LabelSelector(Map.of(), List.of(new LabelSelector.Requirement("", LabelSelector.Operator.IN, List.of())));
                }
                reqs.add(new LabelSelector.Requirement(e.getKey(), op, e.getValues() == null ? List.of() : e.getValues()));
            }
        }
        return new LabelSelector(s.getMatchLabels() == null ? Map.of() : s.getMatchLabels(), reqs);
    }

    // ---------------------------------------------------------------- the store

    static Facts.Stored stored(Store s, String location, long now) {
        RuntimeInventory inventory = new RuntimeInventory(s);
        List<Facts.ClusterSeen> clusters = new ArrayList<>();
        for (RuntimeInventory.ClusterState c : inventory.clusters()) {
            clusters.add(new Facts.ClusterSeen(c.cluster(), c.syncedAt() != null, c.state(), c.presentPods(), c.seenAt()));
        }
        Set<String> unsigned = keys(inventory.runningWithout(RuntimeInventory.EvidenceKind.SIGNATURE));
        Set<String> noProvenance = keys(inventory.runningWithout(RuntimeInventory.EvidenceKind.PROVENANCE));
        Set<String> noSbom = keys(inventory.runningWithout(RuntimeInventory.EvidenceKind.SBOM));
        Set<String> notAdmitted = keys(inventory.neverAdmitted());
        Denylisted denylisted = dev.custody.evidence.DenylistCache.view(s, new Denylist(s).active(now));
        Promotions promotions = new Promotions(s);
        Map<String, Set<String>> promotedTo = new HashMap<>();
        Map<String, List<String>> critical = new HashMap<>();
        List<Facts.Container> containers = new ArrayList<>();
        try (StoredVulnEvidence vulns = new StoredVulnEvidence(s)) {
            for (RuntimeInventory.Row r : inventory.present(null)) {
                String key = key(r);
                List<String> listed = new ArrayList<>();
                List<String> open = null;
                if (r.digest() != null) {
                    promotedTo.computeIfAbsent(r.digest(), d -> {
                        Set<String> tiers = new TreeSet<>();
                        promotions.of(d).forEach(p -> tiers.add(p.toTier()));
                        return tiers;
                    });
                    open = critical.computeIfAbsent(r.digest() + "\u0000" + r.namespace(), k -> openCritical(vulns, r.digest(), r.namespace(), now));
                    try {
                        denylisted.hits(ImageReference.parse(r.image()), r.digest()).forEach(e -> listed.add(e.id()));
                    } catch (RuntimeException e) {
                        // an image the kubelet accepted but the parser does not: the digest alone is still checked
                        denylisted.hits(ImageReference.parse("unparsed.invalid/unparsed@" + r.digest()), r.digest()).forEach(x -> listed.add(x.id()));
                    }
                }
                containers.add(new Facts.Container(r.cluster(), r.namespace(), r.pod(), r.workload().kind() + "/" + r.workload().name(), r.container(),
                        r.image(), r.digest(), !notAdmitted.contains(key), r.digest() != null && !unsigned.contains(key),
                        r.digest() != null && !noProvenance.contains(key), r.digest() != null && !noSbom.contains(key),
                        r.digest() == null ? Set.of() : promotedTo.get(r.digest()), listed, open));
            }
        }
        Evidence.DecisionCounts counts = new Evidence(s).decisionCounts();
        Audit.Verification chain = new Audit(s).verify(null);
        List<Facts.ExceptionFact> exceptions = new ArrayList<>();
        for (Exceptions.VulnException e : new Exceptions(s).list(100_000)) {
            String state = e.state(now);
            if (state.equals(Exceptions.REQUESTED) || state.equals(Exceptions.ACTIVE)) {
                exceptions.add(new Facts.ExceptionFact(e.id(), e.breakGlass(), state.equals(Exceptions.ACTIVE) ? "active" : "pending", e.scope(), e.owner(), e.requester(), e.approver(),
                        e.requestedAt(), e.expiresAt()));
            }
        }
        List<String> deny = new ArrayList<>();
        new Denylist(s).active(now).forEach(e -> deny.add(e.id()));
        List<String> incidents = new ArrayList<>();
        new Incidents(s).list(Incidents.OPEN).forEach(i -> incidents.add(i.id()));
        List<Facts.Report> reports = new ArrayList<>();
        for (WorkloadReports.Report r : new WorkloadReports(s).list(null, null, null)) {
            reports.add(new Facts.Report(r.cluster(), r.namespace(), r.workload().kind() + "/" + r.workload().name(), r.verdict(), r.policyVersion(),
                    r.evaluatedAt()));
        }
        return new Facts.Stored(dev.custody.store.StoreLocation.parse(location).display(), clusters, inventory.namespaceLabels(), containers,
                new Facts.Decisions(counts.admission(), counts.total(), counts.lastAt()), new Facts.Chain(chain.records(), chain.problems()),
                exceptions, deny, incidents, reports);
    }

    /** The critical findings of a digest that no active exception covers in the namespace; null when no SBOM of it is known. */
    static List<String> openCritical(StoredVulnEvidence vulns, String digest, String namespace, long now) {
        List<GateFinding> findings = vulns.findings(digest);
        if (findings == null) {
            return null;
        }
        List<ExceptionGrant> grants = vulns.exceptions(digest).stream().filter(g -> g.activeAt(now))
                .filter(g -> g.namespace().equals(ExceptionGrant.ANY) || g.namespace().equals(namespace)).toList();
        Set<String> out = new TreeSet<>();
        for (GateFinding f : findings) {
            if (!f.severity().equals("critical") || f.status().equals("not_affected") || f.status().equals("fixed")) {
                continue;
            }
            Set<String> names = new HashSet<>(f.aliases());
            names.add(f.id());
            boolean covered = grants.stream().anyMatch(g -> g.vulnerability().equals(ExceptionGrant.ANY) || names.contains(g.vulnerability()));
            if (!covered) {
                out.add(f.id() + " in " + f.purl());
            }
        }
        return List.copyOf(out);
    }

    private static String key(RuntimeInventory.Row r) {
        return r.cluster() + "\u0000" + r.podUid() + "\u0000" + r.container();
    }

    private static Set<String> keys(List<RuntimeInventory.Row> rows) {
        Set<String> out = new HashSet<>();
        rows.forEach(r -> out.add(key(r)));
        return out;
    }
}
