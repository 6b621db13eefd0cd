package dev.custody.bench;

import dev.custody.engine.Engine;
import dev.custody.manifest.Document;
import dev.custody.manifest.ManifestReader;
import dev.custody.policy.PolicyParser;
import dev.custody.workload.Extraction;
import dev.custody.workload.Workload;
import dev.custody.workload.WorkloadExtractor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code custody check} in process: the example policies over generated workloads. {@code checkAll} parses,
 * extracts and evaluates the whole text (one thread); {@code evaluateOnly} measures the engine alone.
 * Throughput in workloads per second = workloads / (ms per op / 1000).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CheckBenchmark {

    @Param("10000")
    public int workloads;

    String text;
    Engine engine;
    List<Workload> extracted;

    @Setup
    public void setup() throws IOException {
        Path root = Path.of(System.getProperty("custody.repoRoot", "."));
        Map<String, String> sources = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(root.resolve("examples/policies"))) {
            for (Path p : s.sorted().toList()) {
                sources.put(p.toString(), Files.readString(p));
            }
        }
        engine = new Engine(new PolicyParser().load(sources));
        String namespaces = """
                apiVersion: v1
                kind: Namespace
                metadata: {name: payments, labels: {custody.dev/tier: production}}
                ---
                """;
        text = namespaces + WorkloadGenerator.generateText(workloads, 42);
        extracted = WorkloadExtractor.extract(new ManifestReader().read("bench.yaml", text)).workloads();
        if (extracted.size() != workloads) {
            throw new IllegalStateException("generated " + extracted.size() + " workloads, expected " + workloads);
        }
    }

    @Benchmark
    public int checkAll() {
        List<Document> docs = new ManifestReader().read("bench.yaml", text);
        Extraction x = WorkloadExtractor.extract(docs);
        int denied = 0;
        for (Workload w : x.workloads()) {
            if (!engine.evaluate(w, "default", Map.of("custody.dev/tier", "production")).allowed()) {
                denied++;
            }
        }
        return denied;
    }

    @Benchmark
    public int evaluateOnly() {
        int denied = 0;
        for (Workload w : extracted) {
            if (!engine.evaluate(w, "default", Map.of("custody.dev/tier", "production")).allowed()) {
                denied++;
            }
        }
        return denied;
    }
}
