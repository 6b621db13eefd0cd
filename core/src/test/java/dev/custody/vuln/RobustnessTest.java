package dev.custody.vuln;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.manifest.ManifestException;
import dev.custody.manifest.ManifestReader;
import dev.custody.rbac.IdentityAnalysis;
import dev.custody.rbac.Rbac;
import dev.custody.vuln.osv.OsvRecord;
import dev.custody.vuln.scan.ScanReport;
import dev.custody.vuln.vex.VexDocuments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz-style, for the vulnerability and identity inputs: OSV records, VEX documents (OpenVEX and CycloneDX),
 * scanner reports (Trivy, Grype, cosign vuln), RBAC objects and actors files, truncated and corrupted at random and as
 * nesting bombs. Each case ends in a result, in the bounded JSON or YAML reader's refusal, or in the parser's own
 * exception naming what is wrong; never in another exception, never in a hang. Seeded, so a failure names a case
 * that can be replayed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RobustnessTest {

    static final long SEED = 0x0551_dead_beefL;
    static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(1 << 20).build());
        JSON.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    enum Kind { OSV, VEX, SCAN, RBAC, ACTORS }

    record Seed(Kind kind, byte[] bytes) {}

    static final Map<String, Seed> ALL = new LinkedHashMap<>();

    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("../shared/corpora"))) {
            p = p.getParent();
        }
        return p;
    }

    @BeforeAll
    static void seeds() throws Exception {
        Path corpora = root().resolve("../shared/corpora");
        ALL.put("GHSA-3xrr-7m6p-p7xh.json", new Seed(Kind.OSV, Files.readAllBytes(corpora.resolve("osv/ghsa-maven-zeppelin/GHSA-3xrr-7m6p-p7xh.json"))));
        try (var s = Files.list(corpora.resolve("osv/osv-scanner-offline-dbs/Debian"))) {
            Path f = s.filter(p -> p.toString().endsWith(".json")).sorted().findFirst().orElseThrow();
            ALL.put(f.getFileName().toString(), new Seed(Kind.OSV, Files.readAllBytes(f)));
        }
        Path guac = corpora.resolve("sbom/guac-exampledata/internal/testing/testdata/exampledata");
        ALL.put("open-vex-affected.json", new Seed(Kind.VEX, Files.readAllBytes(guac.resolve("open-vex-affected.json"))));
        ALL.put("cyclonedx-vex-affected.json", new Seed(Kind.VEX, Files.readAllBytes(guac.resolve("cyclonedx-vex-affected.json"))));
        ALL.put("trivy.json", new Seed(Kind.SCAN, dev.custody.vuln.scan.ScanReportTest.TRIVY.getBytes(UTF_8)));
        ALL.put("grype.json", new Seed(Kind.SCAN, dev.custody.vuln.scan.ScanReportTest.GRYPE.getBytes(UTF_8)));
        ALL.put("rbac.yaml", new Seed(Kind.RBAC, dev.custody.rbac.RbacTest.OBJECTS.getBytes(UTF_8)));
        ALL.put("actors.yaml", new Seed(Kind.ACTORS, """
                apiVersion: custody.dev/v1alpha1
                kind: Actors
                production: {namespaces: [prod], selector: {matchLabels: {tier: production}}}
                actors:
                  - {name: release, role: release-builder, kubernetes: [{kind: ServiceAccount, namespace: ci, name: release}], signing: [x]}
                  - {name: alice, role: human, kubernetes: [{kind: User, name: alice}]}
                """.getBytes(UTF_8)));
        for (var e : ALL.entrySet()) {
            assertThat(attempt(e.getKey(), e.getValue().kind(), e.getValue().bytes())).as("every seed is itself valid: " + e.getKey()).isTrue();
        }
    }

    /** Parses; true for a result, false for a refusal by the reader or the parser; anything else fails, naming the case. */
    static boolean attempt(String what, Kind kind, byte[] bytes) {
        try {
            switch (kind) {
                case OSV -> OsvRecord.parse(JSON.readTree(bytes));
                case VEX -> VexDocuments.parse(JSON.readTree(bytes), "sha256:" + "a".repeat(64));
                case SCAN -> ScanReport.parse(JSON.readTree(bytes));
                case RBAC -> Rbac.read(new ManifestReader().read(what, new String(bytes, UTF_8)).stream().map(d -> d.root()).toList()).aggregated();
                case ACTORS -> {
                    var docs = new ManifestReader().read(what, new String(bytes, UTF_8));
                    IdentityAnalysis.actors(docs.isEmpty() ? null : docs.getFirst().root(), what);
                }
            }
            return true;
        } catch (IOException | ManifestException | OsvRecord.InvalidRecordException | VexDocuments.InvalidVexException | ScanReport.InvalidReportException
                 | Rbac.InvalidRbacException e) {
            return false;
        } catch (Throwable t) {
            throw new AssertionError(what + ": expected a result or the parser's own error, got " + t, t);
        }
    }

    @Test
    void truncatedAndCorruptedInputs() {
        Random random = new Random(SEED);
        int cases = 0;
        int refused = 0;
        for (var e : ALL.entrySet()) {
            byte[] doc = e.getValue().bytes();
            for (int i = 0; i < 200; i++) {
                byte[] mutated;
                String how;
                switch (random.nextInt(5)) {
                    case 0 -> {
                        int cut = random.nextInt(doc.length);
                        mutated = java.util.Arrays.copyOf(doc, cut);
                        how = "cut at " + cut;
                    }
                    case 1 -> {
                        mutated = doc.clone();
                        int at = random.nextInt(doc.length);
                        mutated[at] ^= (byte) (1 << random.nextInt(8));
                        how = "bit flip at " + at;
                    }
                    case 2 -> {
                        mutated = doc.clone();
                        int n = 1 + random.nextInt(8);
                        for (int k = 0; k < n; k++) {
                            String structural = "{}[]\":,-  \n0aZ";
                            mutated[random.nextInt(mutated.length)] = (byte) structural.charAt(random.nextInt(structural.length()));
                        }
                        how = n + " structural bytes";
                    }
                    case 3 -> {
                        int from = random.nextInt(doc.length);
                        int to = Math.min(doc.length, from + 1 + random.nextInt(80));
                        mutated = new byte[doc.length - (to - from)];
                        System.arraycopy(doc, 0, mutated, 0, from);
                        System.arraycopy(doc, to, mutated, from, doc.length - to);
                        how = "deleted " + from + ".." + to;
                    }
                    default -> {
                        // a value of another type where a list or a string belongs
                        String text = new String(doc, UTF_8);
                        String[] swaps = {"[", "{", "\"", "null", "true", "1"};
                        int at = text.indexOf(':', random.nextInt(Math.max(1, text.length() - 1)));
                        mutated = (at < 0 ? text : text.substring(0, at + 1) + " " + swaps[random.nextInt(swaps.length)] + " " + text.substring(at + 1))
                                .getBytes(UTF_8);
                        how = "a foreign value after " + at;
                    }
                }
                refused += attempt(e.getKey() + " with " + how, e.getValue().kind(), mutated) ? 0 : 1;
                cases++;
            }
        }
        assertThat(cases).isEqualTo(ALL.size() * 200);
        assertThat(refused).as("most mutations are refused").isGreaterThan(cases / 3);
    }

    @Test
    void nestingBombsAndFloodsAreRefusedOrBounded() {
        int n = 100_000;
        List<String> bombs = new ArrayList<>(List.of("{\"id\": \"X\", \"x\": " + "[".repeat(n) + "]".repeat(n) + "}",
                "{" + "\"a\": {".repeat(n) + "}".repeat(n + 1),
                "{\"matches\": [" + "{\"vulnerability\": {\"id\": \"CVE-1\"}, \"artifact\": {\"name\": \"a\"}},".repeat(20_000) + "{}]}",
                "{\"SchemaVersion\": 2, \"Results\": [{\"Vulnerabilities\": " + "[".repeat(n) + "]".repeat(n) + "}]}"));
        for (Kind k : List.of(Kind.OSV, Kind.VEX, Kind.SCAN)) {
            for (int i = 0; i < bombs.size(); i++) {
                attempt(k + " bomb " + i, k, bombs.get(i).getBytes(UTF_8));
            }
        }
        String yamlBomb = "kind: ClusterRole\nmetadata: {name: x}\nrules: " + "[".repeat(5_000) + "]".repeat(5_000) + "\n";
        assertThat(attempt("rbac bomb", Kind.RBAC, yamlBomb.getBytes(UTF_8))).isFalse();
        String aliases = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                + "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
        attempt("actors alias bomb", Kind.ACTORS, aliases.getBytes(UTF_8));
    }
}
