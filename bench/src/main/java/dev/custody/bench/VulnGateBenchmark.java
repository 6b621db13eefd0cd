package dev.custody.bench;

import dev.custody.decision.WorkloadDecision;
import dev.custody.engine.Denylisted;
import dev.custody.engine.Engine;
import dev.custody.manifest.ManifestReader;
import dev.custody.policy.PolicyParser;
import dev.custody.sbom.Sbom;
import dev.custody.sbom.SbomReader;
import dev.custody.store.SbomStore;
import dev.custody.store.Store;
import dev.custody.store.StoreLocation;
import dev.custody.vulns.AdvisoryImport;
import dev.custody.vulns.StoredVulnEvidence;
import dev.custody.workload.Workload;
import dev.custody.workload.WorkloadExtractor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the vulnerability gate adds to an admission: {@code Engine.decide} for one two-container Pod under the
 * production tier, with {@code spec.vulnerabilities} ({@code gate=true}) and without, the gate reading a warm
 * {@link StoredVulnEvidence} over a store of synthetic advisories and an SBOM per image (the second image has one
 * stored, with its findings; the first none). SampleTime: compare the p99 of the two.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class VulnGateBenchmark {

    @Param({"false", "true"})
    boolean gate;

    @Param({"20000"})
    int records;

    @Param({"2000"})
    int components;

    static final String SCANNED = "sha256:" + "5c".repeat(32);
    static final String UNSCANNED = "sha256:" + "0d".repeat(32);

    Path dir;
    Store store;
    StoredVulnEvidence evidence;
    Engine engine;
    Workload pod;
    int findings;

    @Setup
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("custody-gate-bench");
        SyntheticAdvisories.write(records, components, dir.resolve("db"), 42);
        store = Store.open(StoreLocation.sqlite(dir.resolve("v.db")));
        List<Path> zips;
        try (var s = Files.walk(dir.resolve("db"))) {
            zips = s.filter(p -> p.getFileName().toString().equals("all.zip")).toList();
        }
        new AdvisoryImport(store, m -> {}).run(zips);
        byte[] raw = Files.readAllBytes(dir.resolve("db/bom.json"));
        Sbom sbom = SbomReader.read(raw, "bom.json");
        new SbomStore(store).ingest(sbom, raw, List.of(SCANNED), "bench");
        evidence = new StoredVulnEvidence(store);
        engine = new Engine(new PolicyParser().load(Map.of("p.yaml", """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: production}
                spec:
                  tier: production
                  serviceAccount: {denyDefault: false, automountToken: false}
                """ + (gate ? "  vulnerabilities: {}\n" : ""))));
        pod = WorkloadExtractor.extract(new ManifestReader().read("pod.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: api, namespace: shop}
                spec:
                  containers:
                    - {name: app, image: "registry.example.com/shop/api@%s"}
                    - {name: sidecar, image: "registry.example.com/shop/proxy@%s"}
                """.formatted(UNSCANNED, SCANNED))).workloads().getFirst();
        findings = evidence.findings(SCANNED).size(); // warm: what admission holds after the first review of the digest
        evidence.findings(UNSCANNED);
    }

    @Benchmark
    public WorkloadDecision decide() {
        return engine.decide(pod, "shop", Map.of(), null, null, null, Denylisted.NONE, null, evidence, Instant.MAX);
    }

    @TearDown
    public void tearDown() throws Exception {
        System.out.println("\nfindings of the scanned image: " + findings);
        store.close();
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
