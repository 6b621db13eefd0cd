package dev.custody.bench;

import dev.custody.sbom.Sbom;
import dev.custody.sbom.SbomReader;
import dev.custody.sbom.SyntheticSbom;
import dev.custody.store.DecisionLog;
import dev.custody.store.DecisionRecord;
import dev.custody.store.SbomStore;
import dev.custody.store.Store;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Store throughput, in process, against a real store: SBOM ingestion (parse + store, each run a new document) and
 * the durable decision log (many callers, each waiting for its commit).
 *
 * <pre>
 * java -cp custody-bench.jar dev.custody.bench.StoreLoad STORE ingest COMPONENTS RUNS
 * java -cp custody-bench.jar dev.custody.bench.StoreLoad STORE decisions COUNT CALLERS
 * </pre>
 */
public final class StoreLoad {

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: StoreLoad STORE ingest COMPONENTS RUNS | STORE decisions COUNT CALLERS");
            System.exit(2);
        }
        try (Store store = Store.open(args[0])) {
            switch (args[1]) {
                case "ingest" -> ingest(store, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
                case "decisions" -> decisions(store, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
                default -> throw new IllegalArgumentException("ingest or decisions, not " + args[1]);
            }
        }
    }

    private static void ingest(Store store, int components, int runs) throws Exception {
        SbomStore sboms = new SbomStore(store);
        long seed = System.nanoTime();
        double[] totals = new double[runs];
        for (int run = 0; run < runs; run++) {
            byte[] doc = SyntheticSbom.cycloneDxJson(components, seed + run); // a new document each run: nothing deduplicated
            long t0 = System.nanoTime();
            Sbom sbom = SbomReader.read(doc, "synthetic-" + run + ".json");
            long t1 = System.nanoTime();
            sboms.ingest(sbom, doc, List.of("sha256:" + String.format("%064x", seed + run)), "bench");
            long t2 = System.nanoTime();
            totals[run] = (t2 - t0) / 1e6;
            System.out.printf("%s ingest %,d components (%,d bytes): parse %.0f ms + store %.0f ms = %.0f ms, %,.0f components/s%n",
                    store.dialect(), components, doc.length, (t1 - t0) / 1e6, (t2 - t1) / 1e6, totals[run], components / ((t2 - t0) / 1e9));
        }
        double[] sorted = totals.clone();
        Arrays.sort(sorted);
        System.out.printf("%s ingest %,d components: first %.0f ms, median %.0f ms, worst %.0f ms over %d runs; heap used %d MB%n",
                store.dialect(), components, totals[0], sorted[sorted.length / 2], sorted[sorted.length - 1], runs,
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
    }

    private static void decisions(Store store, int count, int callers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try (DecisionLog log = new DecisionLog(store)) {
            warm(log, pool, Math.min(count / 10, 5000), callers);
            long b0 = log.batches();
            long t0 = System.nanoTime();
            long[] latencies = run(log, pool, count, callers);
            double secs = (System.nanoTime() - t0) / 1e9;
            Arrays.sort(latencies);
            System.out.printf("%s durable decision log: %,d decisions from %d callers in %.2f s = %,.0f decisions/s; %d commits "
                            + "(%.0f per commit); wait p50 %.2f ms, p99 %.2f ms%n", store.dialect(), count, callers, secs, count / secs,
                    log.batches() - b0, (double) count / (log.batches() - b0), latencies[count / 2] / 1e6, latencies[(int) (count * 0.99)] / 1e6);
        } finally {
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static void warm(DecisionLog log, ExecutorService pool, int n, int callers) throws Exception {
        run(log, pool, n, callers);
    }

    /** Each caller appends and waits for its commit, like an admission handler in durable mode. */
    private static long[] run(DecisionLog log, ExecutorService pool, int count, int callers) throws Exception {
        long[] latencies = new long[count];
        List<CompletableFuture<Void>> all = new ArrayList<>();
        int per = count / callers;
        for (int c = 0; c < callers; c++) {
            int from = c * per;
            int to = c == callers - 1 ? count : from + per;
            all.add(CompletableFuture.runAsync(() -> {
                for (int i = from; i < to; i++) {
                    long s = System.nanoTime();
                    log.append(record(i)).join();
                    latencies[i] = System.nanoTime() - s;
                }
            }, pool));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
        return latencies;
    }

    static DecisionRecord record(int i) {
        String digest = "sha256:" + String.format("%064x", i % 500);
        List<DecisionRecord.RuleOutcome> rules = new ArrayList<>();
        for (int r = 0; r < 20; r++) {
            rules.add(new DecisionRecord.RuleOutcome("production", "rule-" + r, r == 7 && i % 10 == 0 ? "FAIL" : "PASS", "ENFORCE",
                    r == 7 && i % 10 == 0 ? "IMAGE_NOT_PINNED" : "OK", "spec.containers[0].image", "checked"));
        }
        return new DecisionRecord(System.currentTimeMillis(), "admission", "uid-" + i, "system:serviceaccount:kube-system:replicaset-controller",
                "CREATE", "shop", "Pod", "api-" + i, i % 10 == 0 ? "denied" : "allowed", false, "pv-bench",
                List.of(new DecisionRecord.Image("api", "registry.example/shop/api@" + digest, digest)), rules, List.of());
    }
}
