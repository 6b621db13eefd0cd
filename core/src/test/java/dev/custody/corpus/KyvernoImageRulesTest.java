package dev.custody.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.TestPaths;
import dev.custody.decision.ReasonCode;
import dev.custody.decision.RuleResult;
import dev.custody.decision.WorkloadDecision;
import dev.custody.engine.Engine;
import dev.custody.manifest.ManifestReader;
import dev.custody.policy.PolicyParser;
import dev.custody.workload.Extraction;
import dev.custody.workload.Workload;
import dev.custody.workload.WorkloadExtractor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reproduces Kyverno's expected verdicts (../shared/corpora/kyverno-policies/expected-results.csv) for its
 * image policies with equivalent Custody policies, in all three flavours (classic, CEL, ValidatingPolicy).
 *
 * <p>Translations: disallow-latest-tag's {@code require-image-tag} ("*:*") is Custody's denyTags finding
 * IMPLICIT_LATEST_DENIED, its {@code validate-image-tag} ("!*:latest") is TAG_DENIED, and the CEL/vpol flavours
 * combine both; restrict-image-registries ("eu.foo.io/* | bar.io/*") is allowedRegistries with the same globs
 * matched against the normalized name; require-image-checksum ("*@*") is requireDigest. Meaning differences
 * are listed in docs/kyverno-equivalence.md; none of them occurs in these fixtures, so every row must agree.
 */
class KyvernoImageRulesTest {

    record Row(String resourceFile, String rule, String kind, String resource, String result) {}

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            disallow-latest-tag        | images: {denyTags: [latest]}
            restrict-image-registries  | images: {allowedRegistries: ["eu.foo.io/*", "bar.io/*"]}
            require-image-checksum     | images: {requireDigest: true}
            """)
    void reproducesKyvernoVerdicts(String policy, String rules) throws IOException {
        Path corpus = TestPaths.corpora().resolve("kyverno-policies");
        List<Row> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(corpus.resolve("expected-results.csv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f[3].equals(policy)) {
                rows.add(new Row(f[2], f[4], f[5], f[6], f[8]));
            }
        }
        assertThat(rows).as("rows for " + policy).hasSizeGreaterThan(5);

        String policyYaml = """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: %s}
                spec:
                  tier: dev
                  %s
                """.formatted(policy, rules);
        Engine engine = new Engine(new PolicyParser().load(Map.of("translated.yaml", policyYaml)));

        Map<String, Map<String, WorkloadDecision>> byFile = new HashMap<>();
        List<String> mismatches = new ArrayList<>();
        Set<String> flavours = new java.util.TreeSet<>();
        for (Row row : rows) {
            flavours.add(row.resourceFile().substring(0, row.resourceFile().indexOf('/')));
            Map<String, WorkloadDecision> decisions = byFile.computeIfAbsent(row.resourceFile(), f -> evaluate(engine, corpus.resolve(f)));
            String name = row.resource().contains("/") ? row.resource().substring(row.resource().indexOf('/') + 1) : row.resource();
            WorkloadDecision d = decisions.get(row.kind() + "/" + name);
            assertThat(d).as("%s %s/%s in %s", policy, row.kind(), name, row.resourceFile()).isNotNull();
            String ours = verdict(policy, row.rule(), d);
            if (!ours.equals(row.result())) {
                mismatches.add(row + " -> custody says " + ours + " " + findings(d));
            }
        }
        assertThat(flavours).as("all three Kyverno flavours are covered").hasSize(3);
        assertThat(mismatches).as("rows where Custody disagrees with Kyverno").isEmpty();
    }

    static Map<String, WorkloadDecision> evaluate(Engine engine, Path file) {
        try {
            Extraction x = WorkloadExtractor.extract(new ManifestReader().read(file.toString(), Files.readString(file)));
            Map<String, WorkloadDecision> out = new HashMap<>();
            for (Workload w : x.workloads()) {
                out.put(w.kind().kind() + "/" + w.name(), engine.evaluate(w, "default", Map.of()));
            }
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String verdict(String policy, String kyvernoRule, WorkloadDecision d) {
        Set<ReasonCode> codes = new java.util.HashSet<>();
        for (RuleResult r : d.violations()) {
            codes.add(r.code());
        }
        boolean fail = switch (policy) {
            case "disallow-latest-tag" -> switch (kyvernoRule) {
                case "require-image-tag" -> codes.contains(ReasonCode.IMPLICIT_LATEST_DENIED);
                case "validate-image-tag" -> codes.contains(ReasonCode.TAG_DENIED);
                default -> codes.contains(ReasonCode.IMPLICIT_LATEST_DENIED) || codes.contains(ReasonCode.TAG_DENIED);
            };
            case "restrict-image-registries" -> codes.contains(ReasonCode.REGISTRY_NOT_ALLOWED);
            case "require-image-checksum" -> codes.contains(ReasonCode.DIGEST_REQUIRED);
            default -> throw new IllegalArgumentException(policy);
        };
        return fail ? "fail" : "pass";
    }

    static List<String> findings(WorkloadDecision d) {
        return d.violations().stream().map(r -> r.code() + "@" + r.path()).toList();
    }
}
