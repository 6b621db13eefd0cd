package dev.custody.bench;

import dev.custody.sbom.Component;
import dev.custody.sbom.PackageUrl;
import dev.custody.sbom.Quality;
import dev.custody.sbom.Sbom;
import dev.custody.sbom.SbomFormat;
import dev.custody.store.RuntimeInventory;
import dev.custody.store.SbomStore;
import dev.custody.store.Store;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmark B7, the runtime inventory at fleet size, against a real store:
 *
 * <pre>
 * InventoryLoad STORE queries PODS IMAGES COMPONENTS_PER_IMAGE QUERIES   seed, then time pods-by-digest and pods-by-package
 * InventoryLoad KUBECONFIG seed-cluster PODS IMAGES                      create PODS running pods in a real API server
 * </pre>
 *
 * Images share a pool of packages (each in several versions), so a package question fans out over many images, as
 * openssl or zlib do in a real fleet. Seeding is not timed; the queries are, one at a time, after a warm-up.
 */
public final class InventoryLoad {

    static final int PACKAGES = 50_000;
    static final int VERSIONS = 4;

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: InventoryLoad STORE queries PODS IMAGES COMPONENTS_PER_IMAGE QUERIES | KUBECONFIG seed-cluster PODS IMAGES");
            System.exit(2);
        }
        switch (args[1]) {
            case "queries" -> {
                try (Store store = Store.open(args[0])) {
                    queries(store, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
                }
            }
            case "seed-cluster" -> seedCluster(Path.of(args[0]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("queries or seed-cluster, not " + args[1]);
        }
    }

    static String digest(int image) {
        return "sha256:" + String.format("%064x", 0xB7_0000L + image);
    }

    static String purl(int pkg, int version) {
        return "pkg:deb/debian/lib" + pkg + "@1." + version + ".0-1?arch=amd64";
    }

    private static void queries(Store store, int pods, int images, int perImage, int queries) throws Exception {
        RuntimeInventory inventory = new RuntimeInventory(store);
        Random rnd = new Random(7);
        seed(store, pods, images, perImage, rnd);
        queries(store, inventory, images, queries, rnd);
    }

    /** SBOMs for {@code images} digests, then one listing of {@code pods} pods running them (not timed but the listing). */
    static void seed(Store store, int pods, int images, int perImage, Random rnd) {
        SbomStore sboms = new SbomStore(store);
        RuntimeInventory inventory = new RuntimeInventory(store);
        long t0 = System.nanoTime();
        for (int i = 0; i < images; i++) {
            List<Component> components = new ArrayList<>(perImage);
            int[] chosen = rnd.ints(0, PACKAGES).distinct().limit(perImage).toArray();
            for (int n = 0; n < chosen.length; n++) {
                int v = rnd.nextInt(VERSIONS);
                components.add(new Component("c" + n, purl(chosen[n], v), "library", "lib" + chosen[n], "1." + v + ".0-1", List.of("MIT"), Map.of(),
                        null));
            }
            String hash = String.format("%064x", 0xC0FFEE_0000L + i);
            Sbom sbom = new Sbom(SbomFormat.CYCLONEDX_JSON, "1.5", "urn:uuid:" + i, "image-" + i, List.of(), components, List.of(), "sha256:" + hash,
                    new Quality(components.size(), 1, 1, 1, 0, false, 0, List.of(), 80));
            sboms.ingest(sbom, ("{\"image\":" + i + "}").getBytes(StandardCharsets.UTF_8), List.of(digest(i)), "bench");
            if ((i + 1) % 250 == 0) {
                System.err.printf("%s seeded %d/%d SBOMs (%,d component rows) in %.0f s%n", store.dialect(), i + 1, images, (long) (i + 1) * perImage,
                        (System.nanoTime() - t0) / 1e9);
            }
        }
        List<RuntimeInventory.PodObservation> observed = new ArrayList<>(pods);
        for (int p = 0; p < pods; p++) {
            int image = rnd.nextInt(images);
            String ref = "registry.example/app" + image + "@" + digest(image);
            observed.add(new RuntimeInventory.PodObservation("bench", "uid-" + p, "ns-" + (p / 5 % 100), "pod-" + p,
                    new RuntimeInventory.WorkloadRef("Deployment", "app-" + (p / 5)), "Deployment/app-" + (p / 5) + " > Pod/pod-" + p, "node-" + (p % 50),
                    "default", "Running", 1_000L, podObject(p, ref),
                    List.of(new RuntimeInventory.ContainerObservation("app", "containers", ref, digest(image), ref, digest(image), true, 0, 1_000L, null))));
        }
        long r0 = System.nanoTime();
        inventory.replaceAll("bench", observed, System.currentTimeMillis());
        System.out.printf("%s recorded %,d pods in one listing: %.0f ms%n", store.dialect(), pods, (System.nanoTime() - r0) / 1e6);
    }

    private static void queries(Store store, RuntimeInventory inventory, int images, int queries, Random rnd) throws Exception {

        // warm-up, then measured
        for (int i = 0; i < 200; i++) {
            inventory.byDigest(digest(rnd.nextInt(images)), false);
        }
        double[] byDigest = new double[queries];
        long rows = 0;
        for (int i = 0; i < queries; i++) {
            long q0 = System.nanoTime();
            rows += inventory.byDigest(digest(rnd.nextInt(images)), false).size();
            byDigest[i] = (System.nanoTime() - q0) / 1e6;
        }
        report(store, "pods by digest", byDigest, rows);
        for (int i = 0; i < 20; i++) {
            inventory.runningWithPackage(PackageUrl.parse("pkg:deb/debian/lib" + rnd.nextInt(PACKAGES)));
        }
        int packageQueries = Math.max(20, queries / 10);
        double[] byPackage = new double[packageQueries];
        rows = 0;
        for (int i = 0; i < packageQueries; i++) {
            long q0 = System.nanoTime();
            rows += inventory.runningWithPackage(PackageUrl.parse("pkg:deb/debian/lib" + rnd.nextInt(PACKAGES))).size();
            byPackage[i] = (System.nanoTime() - q0) / 1e6;
        }
        report(store, "pods carrying a package (purl, any version)", byPackage, rows);

        // background re-evaluation of every running pod, by the engine admission uses (no trust rules: no registry)
        dev.custody.engine.Engine engine = new dev.custody.engine.Engine(new dev.custody.policy.PolicyParser().load(Map.of("bench.yaml", """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: bench}
                spec:
                  tier: production
                  images:
                    allowedRegistries: [registry.example]
                  podSecurity: {level: restricted}
                  serviceAccount: {denyDefault: false, automountToken: false}
                """)));
        try (dev.custody.evidence.Reevaluator re = new dev.custody.evidence.Reevaluator(store, () -> engine, null, java.time.Duration.ZERO,
                java.time.Duration.ZERO, java.time.Duration.ZERO)) {
            for (int run = 1; run <= 3; run++) {
                var r = re.run(engine, "bench");
                System.out.printf("%s re-evaluated %,d pods (%,d workloads) in %d ms, run %d; verdicts %s%n", store.dialect(), r.pods(), r.workloads(),
                        r.millis(), run, r.verdicts());
            }
        }
    }

    /** A pod as the collector stores it: metadata and a spec with one container, as a Deployment's pods look. */
    static String podObject(int p, String image) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"pod-" + p + "\",\"namespace\":\"ns-" + (p / 5 % 100)
                + "\",\"labels\":{\"app\":\"app-" + (p / 5) + "\"}},\"spec\":{\"serviceAccountName\":\"default\",\"containers\":[{\"name\":\"app\","
                + "\"image\":\"" + image + "\",\"securityContext\":{\"runAsNonRoot\":true,\"allowPrivilegeEscalation\":false,"
                + "\"capabilities\":{\"drop\":[\"ALL\"]},\"seccompProfile\":{\"type\":\"RuntimeDefault\"}},"
                + "\"resources\":{\"limits\":{\"cpu\":\"1\",\"memory\":\"256Mi\"}}}]}}";
    }

    static void report(Store store, String what, double[] ms, long rows) {
        double[] s = ms.clone();
        Arrays.sort(s);
        System.out.printf("%s %s: %d queries, p50 %.2f ms, p99 %.2f ms, max %.2f ms, %.1f rows per answer%n", store.dialect(), what, s.length,
                s[s.length / 2], s[(int) Math.ceil(s.length * 0.99) - 1], s[s.length - 1], rows / (double) s.length);
    }

    /** Creates {@code pods} bare pods in 20 namespaces, each with a running container status, 16 requests at a time. */
    private static void seedCluster(Path kubeconfig, int pods, int images) throws Exception {
        Config config = Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
        config.setMaxConcurrentRequests(64);
        config.setMaxConcurrentRequestsPerHost(64);
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
            for (int n = 0; n < 20; n++) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("bench-" + n).addToLabels("team", "t" + (n % 5))
                        .endMetadata().build()).serverSideApply();
            }
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<?>> done = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int p = 0; p < pods; p++) {
                int i = p;
                done.add(pool.submit(() -> {
                    int image = i % images;
                    String ref = "registry.example/app" + image + ":v1";
                    Pod pod = new PodBuilder().withNewMetadata().withName("pod-" + i).withNamespace("bench-" + (i % 20)).endMetadata()
                            .withNewSpec().withNodeName("node-" + (i % 50)).addNewContainer().withName("app").withImage(ref).endContainer()
                            .addNewContainer().withName("sidecar").withImage("registry.example/proxy@" + digest(0)).endContainer().endSpec().build();
                    Pod created = client.pods().resource(pod).create();
                    created.setStatus(new PodStatusBuilder().withPhase("Running").withContainerStatuses(
                            new ContainerStatusBuilder().withName("app").withImage(ref).withImageID("registry.example/app" + image + "@" + digest(image))
                                    .withReady(true).withRestartCount(0).withNewState().withNewRunning().withStartedAt("2026-12-01T10:00:00Z").endRunning()
                                    .endState().build(),
                            new ContainerStatusBuilder().withName("sidecar").withImage("proxy").withImageID("registry.example/proxy@" + digest(0))
                                    .withReady(true).withRestartCount(0).withNewState().withNewRunning().withStartedAt("2026-12-01T10:00:00Z").endRunning()
                                    .endState().build()).build());
                    client.pods().resource(created).updateStatus();
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            System.err.printf("created %,d running pods in %.0f s%n", pods, (System.nanoTime() - t0) / 1e9);
        }
    }
}
