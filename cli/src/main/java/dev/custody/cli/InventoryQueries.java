package dev.custody.cli;

import static dev.custody.evidence.InventoryViews.instant;

import dev.custody.evidence.InventoryViews;
import dev.custody.imageref.ImageReference;
import dev.custody.imageref.InvalidImageReferenceException;
import dev.custody.oci.Call;
import dev.custody.oci.DockerConfig;
import dev.custody.oci.Keychain;
import dev.custody.oci.RegistryClient;
import dev.custody.oci.RegistryException;
import dev.custody.store.RuntimeInventory;
import dev.custody.store.Store;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code custody query} subcommands that read the runtime inventory. */
final class InventoryQueries {

    private InventoryQueries() {}

    private static void text(PrintWriter out, RuntimeInventory.Row r) {
        out.printf("%s/%s/%s %s [%s %s] %s on %s%s%n", r.cluster(), r.namespace(), r.pod(), r.container(), r.workload().kind(),
                r.workload().name(), r.image(), r.node() == null ? "-" : r.node(),
                r.podPresent() ? (r.running() ? "" : " (not running)") : " (stopped " + instant(r.stoppedAt()) + ")");
    }

    @Command(name = "pods", mixinStandardHelpOptions = true,
            description = {"Pods whose containers run an image digest (read from containerStatuses[].imageID by `custody collect`), or",
                    "whose running image's SBOM lists a package (--purl, compared by parts; without a version, every version).",
                    "Without --history only pods present now; with it (--digest), every pod that ever ran the digest while collected."})
    static final class Pods extends QueryCommand.Base {
        @Option(names = "--digest", paramLabel = "sha256:HEX", description = "The image (manifest or index) digest.")
        String digest;

        @Option(names = "--purl", paramLabel = "PURL", description = "A package, as a scanner or an advisory prints its purl.")
        String purl;

        @Option(names = "--history", description = "With --digest: include pods that have stopped since.")
        boolean history;

        private dev.custody.sbom.PackageUrl parsed;

        @Override
        void validate() {
            if ((digest == null) == (purl == null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give --digest or --purl");
            }
            if (digest != null) {
                digest(digest);
            } else {
                if (history) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--history goes with --digest");
                }
                try {
                    parsed = dev.custody.sbom.PackageUrl.parse(purl);
                } catch (dev.custody.sbom.PackageUrl.MalformedException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--purl: " + e.getMessage());
                }
            }
        }

        @Override
        int query(Store s, PrintWriter out, boolean json) {
            if (purl != null) {
                List<RuntimeInventory.Carrying> rows = new RuntimeInventory(s).runningWithPackage(parsed);
                if (json) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("purl", purl);
                    o.put("pods", InventoryViews.carrying(rows));
                    Json.print(out, o);
                    return ExitCodes.OK;
                }
                rows.forEach(r -> {
                    text(out, r.row());
                    out.println("    has " + r.purl());
                });
                long pods = rows.stream().map(r -> r.row().cluster() + "/" + r.row().podUid()).distinct().count();
                out.println(pods + (pods == 1 ? " running pod carries " : " running pods carry ") + purl);
                return ExitCodes.OK;
            }
            List<RuntimeInventory.Row> rows = new RuntimeInventory(s).byDigest(digest, history);
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("digest", digest);
                o.put("history", history);
                o.put("pods", InventoryViews.rows(rows));
                Json.print(out, o);
                return ExitCodes.OK;
            }
            rows.forEach(r -> text(out, r));
            long pods = rows.stream().map(r -> r.cluster() + "/" + r.podUid()).distinct().count();
            out.println(pods + (pods == 1 ? " pod runs " : " pods run ") + digest + (history ? " or ran it" : ""));
            return ExitCodes.OK;
        }
    }

    @Command(name = "clusters", mixinStandardHelpOptions = true, description = "Clusters the collector records, and how their watch stands.")
    static final class Clusters extends QueryCommand.Base {
        @Override
        int query(Store s, PrintWriter out, boolean json) {
            if (json) {
                Json.print(out, InventoryViews.clusters(new RuntimeInventory(s)));
                return ExitCodes.OK;
            }
            List<RuntimeInventory.ClusterState> cs = new RuntimeInventory(s).clusters();
            for (RuntimeInventory.ClusterState c : cs) {
                out.printf("%-24s %-12s %5d pods, last listed %s%s%n", c.cluster(), c.state(), c.presentPods(),
                        c.syncedAt() == null ? "never" : instant(c.syncedAt()), c.message() == null ? "" : " (" + c.message() + ")");
            }
            out.println(cs.size() + " clusters");
            return ExitCodes.OK;
        }
    }

    @Command(name = "drift", mixinStandardHelpOptions = true,
            description = {"Running containers that are not what was declared: the running digest (imageID) differs from the digest the",
                    "spec pins (RUNNING_DIGEST_DIFFERS), or, with --resolve, the image's tag now resolves to another digest than the one",
                    "that runs (TAG_MOVED). Exit code 1 when there is drift."})
    static final class Drift extends QueryCommand.Base {
        @Option(names = "--resolve", description = "Ask the registries what each running tag resolves to now (one request per distinct tag).")
        boolean resolve;

        @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]", description = "Talk plain HTTP to this registry (loopback ones always are).")
        List<String> insecure = new ArrayList<>();

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
                description = "With --resolve: how long one tag may take to resolve (default: ${DEFAULT-VALUE}).")
        String timeout;

        private Duration perTag;

        @Override
        void validate() {
            try {
                perTag = dev.custody.server.WebhookServer.parseDuration(timeout);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--timeout: " + e.getMessage());
            }
        }

        @Override
        int query(Store s, PrintWriter out, boolean json) {
            RuntimeInventory inventory = new RuntimeInventory(s);
            List<Map<String, Object>> drift = new ArrayList<>();
            List<String> lines = new ArrayList<>();
            for (Map<String, Object> d : InventoryViews.digestDrift(inventory)) {
                drift.add(d);
                lines.add(line(d));
            }
            List<String> unresolved = new ArrayList<>();
            if (resolve) {
                tagDrift(inventory, drift, lines, unresolved);
            }
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("resolved", resolve);
                o.put("drift", drift);
                o.put("unresolved", unresolved);
                Json.print(out, o);
            } else {
                lines.forEach(out::println);
                unresolved.forEach(u -> out.println("could not resolve " + u));
                out.println(drift.size() + " drifted containers" + (resolve ? "" : " (tags not resolved; add --resolve)"));
            }
            return drift.isEmpty() ? ExitCodes.OK : ExitCodes.DENIED;
        }

        private void tagDrift(RuntimeInventory inventory, List<Map<String, Object>> drift, List<String> lines, List<String> unresolved) {
            Keychain keychain = DockerConfig.loadDefault().map(k -> (Keychain) k).orElse(Keychain.anonymous());
            Map<String, String> now = new HashMap<>(); // canonical tag reference -> digest it resolves to, or null when it did not
            try (RegistryClient client = RegistryClient.builder().keychain(keychain).insecureRegistries(Set.copyOf(insecure)).build()) {
                for (RuntimeInventory.Row r : inventory.present(null)) {
                    ImageReference ref;
                    try {
                        ref = ImageReference.parse(r.image());
                    } catch (InvalidImageReferenceException e) {
                        continue; // the API server accepted it; it names no tag we could resolve
                    }
                    String was = r.digest() != null ? r.digest() : r.declaredDigest();
                    if (ref.effectiveTag().isEmpty() || was == null) {
                        continue;
                    }
                    ImageReference tagged = new ImageReference(r.image(), ref.registry(), ref.repository(), ref.effectiveTag().get(), null);
                    String key = tagged.canonical();
                    if (!now.containsKey(key)) {
                        try {
                            now.put(key, client.resolve(tagged, Call.within(perTag)).toString());
                        } catch (RegistryException e) {
                            now.put(key, null);
                            unresolved.add(key + ": " + e.getMessage());
                        }
                    }
                    String resolved = now.get(key);
                    if (resolved != null && !resolved.equals(was)) {
                        add(drift, lines, r, "TAG_MOVED", key + " now resolves to " + resolved + ", the container runs " + was, resolved);
                    }
                }
            }
        }

        private static void add(List<Map<String, Object>> drift, List<String> lines, RuntimeInventory.Row r, String reason, String detail,
                                String tagDigest) {
            Map<String, Object> m = InventoryViews.drift(r, reason, detail, tagDigest);
            drift.add(m);
            lines.add(line(m));
        }

        @SuppressWarnings("unchecked")
        private static String line(Map<String, Object> d) {
            Map<String, Object> w = (Map<String, Object>) d.get("workload");
            return d.get("reason") + " " + d.get("cluster") + "/" + d.get("namespace") + "/" + d.get("pod") + " " + d.get("container") + " ["
                    + w.get("kind") + " " + w.get("name") + "]: " + d.get("detail");
        }
    }

    private static void textRows(PrintWriter out, List<RuntimeInventory.Row> rows, String what) {
        rows.forEach(r -> text(out, r));
        out.println(rows.size() + (rows.size() == 1 ? " container " : " containers ") + what);
    }

    @Command(name = "built-from", mixinStandardHelpOptions = true,
            description = {"Running workloads built from a source repository or commit, as their verified provenance says.",
                    "Repositories match in any usual spelling (https://, git+https://...@ref, git@host:org/repo.git)."})
    static final class BuiltFrom extends QueryCommand.Base {
        @Option(names = "--commit", paramLabel = "SHA", description = "A commit (7 to 64 hex digits; a prefix matches).")
        String commit;

        @Option(names = "--source-repo", paramLabel = "REPO", description = "A source repository.")
        String repository;

        @Override
        void validate() {
            if (commit == null && repository == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give --commit, --source-repo, or both");
            }
            if (commit != null && !commit.matches("[0-9a-fA-F]{7,64}")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--commit must be 7 to 64 hex digits, found \"" + commit + "\"");
            }
        }

        @Override
        int query(Store s, PrintWriter out, boolean json) {
            RuntimeInventory inventory = new RuntimeInventory(s);
            List<RuntimeInventory.Built> built = inventory.builtFrom(repository == null ? null : InventoryViews.spellingsOf(inventory, repository),
                    commit);
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("commit", commit);
                o.put("sourceRepository", repository);
                o.put("pods", InventoryViews.built(built));
                Json.print(out, o);
                return ExitCodes.OK;
            }
            for (RuntimeInventory.Built b : built) {
                text(out, b.row());
                out.println("    built from " + b.sourceRepository() + "@" + b.sourceCommit() + (b.sourceRef() == null ? "" : " (" + b.sourceRef() + ")")
                        + " by " + b.builderId());
            }
            out.println(built.size() + " running containers built from " + (repository != null ? repository : "") + (commit != null ? "@" + commit : ""));
            return ExitCodes.OK;
        }
    }

    @Command(name = "running-without", mixinStandardHelpOptions = true,
            description = "Running containers whose image digest has no SBOM, no verified signature, or no verified provenance in the store.")
    static final class RunningWithout extends QueryCommand.Base {
        @CommandLine.Parameters(index = "0", paramLabel = "sbom|signature|provenance")
        String evidence;

        @Override
        void validate() {
            kind();
        }

        RuntimeInventory.EvidenceKind kind() {
            try {
                return RuntimeInventory.EvidenceKind.valueOf(evidence.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "evidence must be sbom, signature or provenance, found \"" + evidence + "\"");
            }
        }

        @Override
        int query(Store s, PrintWriter out, boolean json) {
            List<RuntimeInventory.Row> rows = new RuntimeInventory(s).runningWithout(kind());
            if (json) {
                Json.print(out, Map.of("evidence", evidence, "pods", InventoryViews.rows(rows)));
            } else {
                textRows(out, rows, "run an image without " + (evidence.equals("sbom") ? "an SBOM" : "a verified " + evidence));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "never-admitted", mixinStandardHelpOptions = true,
            description = {"Running pods no admission decision let in: created while the webhook was absent, failing open, or not",
                    "watching their namespace. A pod matches the Pod CREATE decision of its namespace and name made around its creation."})
    static final class NeverAdmitted extends QueryCommand.Base {
        @Override
        int query(Store s, PrintWriter out, boolean json) {
            List<RuntimeInventory.Row> rows = new RuntimeInventory(s).neverAdmitted();
            if (json) {
                Json.print(out, Map.of("pods", InventoryViews.rows(rows)));
            } else {
                textRows(out, rows, "in pods admission never saw");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "older-policy", mixinStandardHelpOptions = true,
            description = {"Running pods admitted under another policy version than the current one (by default the version of the",
                    "newest admission decision)."})
    static final class OlderPolicy extends QueryCommand.Base {
        @Option(names = "--policy-version", paramLabel = "VERSION", description = "The current policy version (as `custody policy validate` prints it).")
        String version;

        @Override
        int query(Store s, PrintWriter out, boolean json) {
            RuntimeInventory inventory = new RuntimeInventory(s);
            String current = version != null ? version : inventory.newestAdmissionPolicyVersion();
            List<RuntimeInventory.Admitted> rows = current == null ? List.of() : inventory.admittedUnderOtherPolicy(current);
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("policyVersion", current);
                o.put("pods", InventoryViews.admitted(rows));
                Json.print(out, o);
                return ExitCodes.OK;
            }
            for (RuntimeInventory.Admitted a : rows) {
                text(out, a.row());
                out.println("    admitted under " + a.policyVersion() + " at " + instant(a.admittedAt()) + " (decision #" + a.decisionSeq() + ")");
            }
            out.println(rows.size() + " running containers admitted under another policy version than " + (current == null ? "(none yet)" : current));
            return ExitCodes.OK;
        }
    }

    @Command(name = "registries", mixinStandardHelpOptions = true,
            description = {"Namespaces whose running workloads use images from registries outside the allowlist: the patterns given",
                    "(--allow, as a policy's images.allowedRegistries takes them), or the allowedRegistries rules of policies (--policy)."})
    static final class Registries extends QueryCommand.Base {
        @Option(names = "--allow", paramLabel = "PATTERN", description = "An allowed registry or repository prefix, or a glob (repeatable).")
        List<String> allow = new ArrayList<>();

        @Option(names = {"-p", "--policy"}, paramLabel = "FILE|DIR", description = "Policies whose allowedRegistries rules say what is allowed.")
        List<String> policies = new ArrayList<>();

        private dev.custody.policy.PolicySet set;

        @Override
        void validate() {
            if (allow.isEmpty() == policies.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give --allow PATTERN... or --policy FILE|DIR, not both");
            }
            try {
                set = allow.isEmpty() ? dev.custody.files.PolicyFiles.load(policies, Policies.parser())
                        : InventoryViews.allowlist(Policies.parser(), allow);
            } catch (dev.custody.policy.InvalidPolicyException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.errors().stream()
                        .map(pe -> (allow.isEmpty() ? "" : "--allow: ") + pe.describe()).collect(java.util.stream.Collectors.joining("; ")));
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        int query(Store s, PrintWriter out, boolean json) {
            Map<String, Object> report = InventoryViews.outsideAllowlist(set, new RuntimeInventory(s).presentPods());
            List<Map<String, Object>> namespaces = (List<Map<String, Object>>) report.get("namespaces");
            if (json) {
                Json.print(out, report);
            } else {
                for (Map<String, Object> ns : namespaces) {
                    out.println(ns.get("cluster") + "/" + ns.get("namespace"));
                    for (Map<String, Object> w : (List<Map<String, Object>>) ns.get("workloads")) {
                        Map<String, Object> ref = (Map<String, Object>) w.get("workload");
                        for (Map<String, Object> f : (List<Map<String, Object>>) w.get("findings")) {
                            out.println("    " + ref.get("kind") + "/" + ref.get("name") + ": " + f.get("message"));
                        }
                    }
                }
                out.println(namespaces.size() + " namespaces run images from registries outside the allowlist");
            }
            return namespaces.isEmpty() ? ExitCodes.OK : ExitCodes.DENIED;
        }
    }

    @Command(name = "reports", mixinStandardHelpOptions = true,
            description = {"The background verdicts on running workloads (`custody serve --reevaluate`): each workload's worst outcome",
                    "under the policies served at the last run, with every rule result, when it was evaluated and when it last changed."})
    static final class Reports extends QueryCommand.Base {
        @Option(names = "--cluster", paramLabel = "NAME")
        String cluster;

        @Option(names = {"-n", "--namespace"}, paramLabel = "NAME")
        String namespace;

        @Option(names = "--verdict", paramLabel = "pass|warn|fail|error", description = "Only workloads with this verdict.")
        String verdict;

        @Override
        void validate() {
            if (verdict != null && !List.of("pass", "warn", "fail", "error").contains(verdict)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--verdict must be pass, warn, fail or error, found \"" + verdict + "\"");
            }
        }

        @Override
        int query(Store s, PrintWriter out, boolean json) {
            List<dev.custody.store.WorkloadReports.Report> reports = new dev.custody.store.WorkloadReports(s).list(cluster, namespace, verdict);
            if (json) {
                Json.print(out, InventoryViews.reports(reports));
                return ExitCodes.OK;
            }
            for (var r : reports) {
                out.printf("%-5s %s/%s %s/%s (%d %s) under %s, evaluated %s%n", r.verdict(), r.cluster(), r.namespace(), r.workload().kind(),
                        r.workload().name(), r.pods(), r.pods() == 1 ? "pod" : "pods", r.policyVersion(), instant(r.evaluatedAt()));
                for (var f : readTree(r.results())) {
                    if (!f.path("outcome").asText().equals("pass")) {
                        out.printf("    %s %s/%s %s at %s: %s%n", f.path("outcome").asText(), f.path("policy").asText(), f.path("rule").asText(),
                                f.path("code").asText(), f.path("path").asText(), f.path("message").asText());
                    }
                }
            }
            out.println(reports.size() + " workload reports");
            return ExitCodes.OK;
        }

        private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
            try {
                return Json.MAPPER.readTree(json);
            } catch (java.io.IOException e) {
                return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
            }
        }
    }
}
