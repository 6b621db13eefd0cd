package dev.custody.bench;

import dev.custody.evidence.IncidentTracker;
import dev.custody.server.TlsMaterial;
import dev.custody.store.Denylist;
import dev.custody.store.Incidents;
import dev.custody.store.RuntimeInventory;
import dev.custody.store.Store;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The incident path's two figures, against a real store:
 *
 * <pre>
 * IncidentLoad STORE propagation ITERATIONS             two `custody serve` replicas on STORE; per iteration a denylist entry for a
 *                                                       new digest is committed, and each replica is asked (an AdmissionReview every
 *                                                       20 ms) until it denies; the time from the commit to each denial
 * IncidentLoad STORE blast-radius PODS IMAGES PER_IMAGE QUERIES
 *                                                       the B7 fleet (PODS pods on IMAGES images, SBOMs of PER_IMAGE components), then
 *                                                       an incident's blast radius (IncidentTracker.blastRadius, as `incident show`
 *                                                       computes it) for digests, for packages, and for one digest every pod runs
 * </pre>
 *
 * The replicas are processes started from this jar with loopback TLS; the load stops by itself.
 */
public final class IncidentLoad {

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: IncidentLoad STORE propagation ITERATIONS | STORE blast-radius PODS IMAGES PER_IMAGE QUERIES");
            System.exit(2);
        }
        switch (args[1]) {
            case "propagation" -> propagation(args[0], Integer.parseInt(args[2]));
            case "blast-radius" -> {
                try (Store store = Store.open(args[0])) {
                    blastRadius(store, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
                }
            }
            default -> throw new IllegalArgumentException("propagation or blast-radius, not " + args[1]);
        }
    }

    private record Replica(Process process, String base, HttpClient http) {}

    private static Replica start(String store, Path dir, String name) throws Exception {
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: p}\nspec: {tier: dev}\n");
        Path tls = dir.resolve("tls-" + name);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--sun-misc-unsafe-memory-access=allow",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "dev.custody.cli.Main", "serve", "--policy",
                policies.toString(), "--port", "0", "--self-signed", "--tls-dir", tls.toString(), "--store", store, "--decision-log", "async",
                "--denylist-copy", dir.resolve("denylist-" + name + ".json").toString()).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Pattern ready = Pattern.compile("custody serve: (https://127\\.0\\.0\\.1:\\d+)/validate");
        String line;
        while ((line = out.readLine()) != null) {
            Matcher m = ready.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // the replica's log is not the measure
                        }
                    } catch (java.io.IOException ignored) {
                        // it stopped
                    }
                }, "drain-" + name);
                drain.setDaemon(true);
                drain.start();
                return new Replica(p, m.group(1), HttpClient.newBuilder().sslContext(TlsMaterial.trusting(tls.resolve("ca.crt")))
                        .connectTimeout(Duration.ofSeconds(5)).build());
            }
        }
        throw new IllegalStateException("replica " + name + " did not start (exit " + p.waitFor() + ")");
    }

    private static boolean allowed(Replica r, String review) throws Exception {
        HttpResponse<String> res = r.http().send(HttpRequest.newBuilder(URI.create(r.base() + "/validate")).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(review)).build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new IllegalStateException("replica " + r.base() + " answered " + res.statusCode());
        }
        return res.body().contains("\"allowed\":true");
    }

    private static void propagation(String store, int iterations) throws Exception {
        Path dir = Files.createTempDirectory("custody-propagation-");
        String template = Files.readString(Path.of("bench/load/pod-review.json"));
        String pinned = "sha256:" + "9f".repeat(32);
        List<Replica> replicas = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Store s = Store.open(store)) {
            replicas.add(start(store, dir, "a"));
            replicas.add(start(store, dir, "b"));
            Denylist denylist = new Denylist(s);
            Random rnd = new Random(14);
            double[] ms = new double[iterations * replicas.size()];
            for (int i = 0; i < iterations; i++) {
                String digest = "sha256:" + String.format("%016x", rnd.nextLong()).repeat(4);
                String review = template.replace(pinned, digest);
                for (Replica r : replicas) {
                    if (!allowed(r, review.replace("705ab4f5-6393-11e8-b7cc-42010a800002", "pre-" + i))) {
                        throw new IllegalStateException("denied before the entry");
                    }
                }
                Thread.sleep(rnd.nextInt(1000)); // entries land at any point of the replicas' poll
                denylist.add(Denylist.Kind.DIGEST, digest, "propagation bench", "bench", null, "INC-BENCH");
                long committed = System.nanoTime();
                List<Future<Double>> waits = new ArrayList<>();
                for (Replica r : replicas) {
                    waits.add(pool.submit(() -> {
                        int k = 0;
                        while (allowed(r, review.replace("705ab4f5-6393-11e8-b7cc-42010a800002", "post-" + System.nanoTime() + "-" + k++))) {
                            if (System.nanoTime() - committed > TimeUnit.SECONDS.toNanos(30)) {
                                throw new IllegalStateException("replica " + r.base() + " did not deny within 30 s");
                            }
                            Thread.sleep(20);
                        }
                        return (System.nanoTime() - committed) / 1e6;
                    }));
                }
                for (int k = 0; k < waits.size(); k++) {
                    ms[i * replicas.size() + k] = waits.get(k).get();
                }
            }
            InventoryLoad.report(s, "denylist entry committed to denied, on each of 2 replicas (" + iterations + " entries)", ms, 0);
        } finally {
            pool.shutdownNow();
            for (Replica r : replicas) {
                r.process().destroy();
                r.process().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void blastRadius(Store store, int pods, int images, int perImage, int queries) {
        Random rnd = new Random(7);
        InventoryLoad.seed(store, pods, images, perImage, rnd);
        try (IncidentTracker t = new IncidentTracker(store)) {
            Incidents incidents = t.incidents();
            // digest incidents: the pods of one image
            List<Incidents.Incident> byDigest = new ArrayList<>();
            for (int i = 0; i < queries; i++) {
                byDigest.add(incidents.open(Incidents.TargetKind.DIGEST, InventoryLoad.digest(rnd.nextInt(images)), List.of(), "bench", "high", null,
                        "bench", 1L));
            }
            measure(store, t, "blast radius of a digest incident", byDigest.subList(0, Math.min(20, queries)), byDigest);
            // package incidents: every version of a package in about 5% of the images
            List<Incidents.Incident> byPackage = new ArrayList<>();
            for (int i = 0; i < Math.max(20, queries / 10); i++) {
                byPackage.add(t.open(Incidents.TargetKind.PACKAGE, "pkg:deb/debian/lib" + rnd.nextInt(InventoryLoad.PACKAGES), List.of(), "bench",
                        "high", null, "bench", 1L));
            }
            measure(store, t, "blast radius of a package incident (any version)", byPackage.subList(0, 5), byPackage);
            // the worst case: one digest every pod runs
            RuntimeInventory inventory = new RuntimeInventory(store);
            List<RuntimeInventory.PodObservation> all = new ArrayList<>(pods);
            String one = InventoryLoad.digest(0);
            for (int p = 0; p < pods; p++) {
                String ref = "registry.example/app0@" + one;
                all.add(new RuntimeInventory.PodObservation("bench", "uid-" + p, "ns-" + (p / 5 % 100), "pod-" + p,
                        new RuntimeInventory.WorkloadRef("Deployment", "app-" + (p / 5)), "Deployment/app-" + (p / 5) + " > Pod/pod-" + p,
                        "node-" + (p % 50), "default", "Running", 1_000L, InventoryLoad.podObject(p, ref), List.of(new RuntimeInventory.ContainerObservation(
                        "app", "containers", ref, one, ref, one, true, 0, 1_000L, null))));
            }
            inventory.replaceAll("bench", all, System.currentTimeMillis());
            Incidents.Incident fleet = incidents.open(Incidents.TargetKind.DIGEST, one, List.of(), "bench", "high", null, "bench", 1L);
            measure(store, t, "blast radius of a digest all " + pods + " pods run", java.util.Collections.nCopies(10, fleet),
                    java.util.Collections.nCopies(100, fleet));
            double[] rowsOnly = new double[100];
            for (int k = 0; k < rowsOnly.length; k++) {
                long q0 = System.nanoTime();
                inventory.runningAny(List.of(one));
                rowsOnly[k] = (System.nanoTime() - q0) / 1e6;
            }
            InventoryLoad.report(store, "  of which reading the " + pods + " container rows", rowsOnly, (long) pods * rowsOnly.length);
        }
    }

    @SuppressWarnings("unchecked")
    private static void measure(Store store, IncidentTracker t, String what, List<Incidents.Incident> warm, List<Incidents.Incident> measured) {
        for (Incidents.Incident i : warm) {
            t.blastRadius(i);
        }
        double[] ms = new double[measured.size()];
        long pods = 0;
        for (int k = 0; k < measured.size(); k++) {
            long q0 = System.nanoTime();
            Map<String, Object> r = t.blastRadius(measured.get(k));
            ms[k] = (System.nanoTime() - q0) / 1e6;
            pods += ((Map<String, Integer>) r.get("counts")).get("pods");
        }
        InventoryLoad.report(store, what + " (pods per answer below)", ms, pods);
    }
}
