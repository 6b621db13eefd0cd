package dev.custody.cli;

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

    /** One container row as JSON: times as instants, the workload as an object. */
    static Map<String, Object> row(RuntimeInventory.Row r) {
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

    static String instant(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis).toString();
    }

    private static void text(PrintWriter out, RuntimeInventory.Row r) {
        out.printf("%s/%s/%s %s [%s %s] %s on %s%s%n", r.cluster(), r.namespace(), r.pod(), r.container(), r.workload().kind(),
                r.workload().name(), r.image(), r.node() == null ? "-" : r.node(),
                r.podPresent() ? (r.running() ? "" : " (not running)") : " (stopped " + instant(r.stoppedAt()) + ")");
    }

    @Command(name = "pods", mixinStandardHelpOptions = true,
            description = {"Pods whose containers run an image digest (read from containerStatuses[].imageID by `custody collect`).",
                    "Without --history only pods present now; with it, every pod that ever ran the digest while collected."})
    static final class Pods extends QueryCommand.Base {
        @Option(names = "--digest", required = true, paramLabel = "sha256:HEX", description = "The image (manifest or index) digest.")
        String digest;

        @Option(names = "--history", description = "Include pods that have stopped since.")
        boolean history;

        @Override
        void validate() {
            digest(digest);
        }

        @Override
        int query(Store s, PrintWriter out, boolean json) {
            List<RuntimeInventory.Row> rows = new RuntimeInventory(s).byDigest(digest, history);
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("digest", digest);
                o.put("history", history);
                o.put("pods", rows.stream().map(InventoryQueries::row).toList());
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
            List<RuntimeInventory.ClusterState> cs = new RuntimeInventory(s).clusters();
            if (json) {
                Json.print(out, Map.of("clusters", cs.stream().map(c -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("cluster", c.cluster());
                    m.put("state", c.state());
                    m.put("message", c.message());
                    m.put("syncedAt", instant(c.syncedAt()));
                    m.put("seenAt", instant(c.seenAt()));
                    m.put("presentPods", c.presentPods());
                    return m;
                }).toList()));
                return ExitCodes.OK;
            }
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
            for (RuntimeInventory.Row r : inventory.digestMismatches()) {
                add(drift, lines, r, "RUNNING_DIGEST_DIFFERS", "runs " + r.digest() + ", the spec pins " + r.declaredDigest(), null);
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
            Map<String, Object> m = row(r);
            m.put("reason", reason);
            m.put("detail", detail);
            if (tagDigest != null) {
                m.put("tagResolvesTo", tagDigest);
            }
            drift.add(m);
            lines.add(reason + " " + r.cluster() + "/" + r.namespace() + "/" + r.pod() + " " + r.container() + " [" + r.workload().kind() + " "
                    + r.workload().name() + "]: " + detail);
        }
    }
}
