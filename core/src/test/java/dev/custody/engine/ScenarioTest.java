package dev.custody.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.custody.TestPaths;
import dev.custody.decision.RuleResult;
import dev.custody.decision.WorkloadDecision;
import dev.custody.manifest.ManifestReader;
import dev.custody.policy.PolicyParser;
import dev.custody.policy.PolicySet;
import dev.custody.workload.Extraction;
import dev.custody.workload.Workload;
import dev.custody.workload.WorkloadExtractor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Policy evaluation as a table: each folder under core/src/test/resources/scenarios holds policy.yaml,
 * input.yaml and expected.yaml. expected.yaml lists, per workload ({@code Kind/namespace/name}), the verdict
 * and the exact findings as {@code rule CODE path}; passes and skips are not listed.
 */
class ScenarioTest {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TestFactory
    Stream<DynamicTest> scenarios() throws IOException {
        Path root = TestPaths.repoRoot().resolve("core/src/test/resources/scenarios");
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root)) {
            dirs = s.filter(Files::isDirectory).sorted().toList();
        }
        assertThat(dirs).isNotEmpty();
        return dirs.stream().map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> run(d)));
    }

    static void run(Path dir) throws IOException {
        PolicySet policies = new PolicyParser().load(Map.of("policy.yaml", Files.readString(dir.resolve("policy.yaml"))));
        JsonNode expected = YAML.readTree(dir.resolve("expected.yaml").toFile());
        String defaultNs = expected.path("namespace").asText("default");
        Map<String, String> flagLabels = new HashMap<>();
        expected.path("namespaceLabels").fields().forEachRemaining(e -> flagLabels.put(e.getKey(), e.getValue().asText()));

        Extraction x = WorkloadExtractor.extract(new ManifestReader().read("input.yaml", Files.readString(dir.resolve("input.yaml"))));
        assertThat(x.problems()).as("input problems").isEmpty();
        Map<String, Map<String, String>> nsLabels = new HashMap<>();
        x.namespaces().forEach(n -> nsLabels.put(n.name(), n.labels()));
        Engine engine = new Engine(policies);

        Map<String, WorkloadDecision> actual = new LinkedHashMap<>();
        for (Workload w : x.workloads()) {
            String ns = w.namespace() != null ? w.namespace() : defaultNs;
            Map<String, String> labels = nsLabels.getOrDefault(ns, flagLabels);
            WorkloadDecision d = engine.evaluate(w, defaultNs, labels);
            actual.put(w.kind().kind() + "/" + d.namespace() + "/" + w.name(), d);
        }
        List<String> expectedNames = new ArrayList<>();
        for (JsonNode e : expected.path("workloads")) {
            String name = e.path("name").asText();
            expectedNames.add(name);
            WorkloadDecision d = actual.get(name);
            assertThat(d).as("workload %s in %s", name, actual.keySet()).isNotNull();
            assertThat(d.allowed()).as("%s allowed", name).isEqualTo(e.path("allowed").asBoolean());
            assertThat(findings(d.violations())).as("%s violations", name).containsExactlyInAnyOrderElementsOf(strings(e.path("violations")));
            assertThat(findings(d.warnings())).as("%s warnings", name).containsExactlyInAnyOrderElementsOf(strings(e.path("warnings")));
            assertThat(findings(d.audits())).as("%s audit", name).containsExactlyInAnyOrderElementsOf(strings(e.path("audit")));
            if (e.has("policies")) {
                assertThat(d.policies()).as("%s policies", name).containsExactlyElementsOf(strings(e.path("policies")));
            }
        }
        assertThat(actual.keySet()).as("every workload has an expectation").containsExactlyInAnyOrderElementsOf(expectedNames);
    }

    static List<String> findings(List<RuleResult> results) {
        return results.stream().map(r -> r.rule() + " " + r.code() + " " + r.path()).toList();
    }

    static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }
}
