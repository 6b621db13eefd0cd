package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.custody.sbom.Quality;
import dev.custody.store.BothStores;
import dev.custody.store.Dialect;
import dev.custody.store.StoreLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code custody sbom ingest} on SBOMs as real generators write them: tolerated schema deviations are stored and
 * reported (ingest, query artifact), {@code --strict} refuses them, and what is not an SBOM is refused as before.
 *
 * <p>The corpus holds no SBOM written by cyclonedx-npm: its two npm SBOMs (juice-shop, cern-lhc-vdm-editor) were
 * written by cyclonedx-node-module 2.0.0 as CycloneDX 1.2, whose schema puts no format on external reference URLs,
 * and their 58 and 1 {@code git+ssh://git@github.com/org/repo.git} URLs are valid IRI references anyway. The
 * document cyclonedx-npm writes (its issue 1198) is made here from juice-shop, read in place: specVersion 1.4 and
 * those URLs in the {@code git@github.com:org/repo.git} form of the package.json files they came from.
 */
class SbomIngestTest {

    static final Path SBOMS = EvidenceCommandsTest.ROOT.resolve("../shared/corpora/sbom").normalize();
    static final Path JUICE_SHOP = SBOMS.resolve("cyclonedx-bom-examples/SBOM/juice-shop/v11.1.2/bom.json");
    static final String DIGEST = "sha256:" + "ef".repeat(32);
    private static final Pattern GIT_SSH = Pattern.compile("git\\+ssh://git@([^/]+)/(.+)");

    @TempDir
    Path tmp;

    /** juice-shop as CycloneDX 1.4, its git+ssh URLs as cyclonedx-npm writes them, and the paths that changed. */
    record NpmStyle(Path file, List<String> changed) {}

    NpmStyle npmStyle(boolean scpLikeUrls) throws IOException {
        ObjectNode root = (ObjectNode) EvidenceCommandsTest.JSON.readTree(JUICE_SHOP.toFile());
        root.put("specVersion", "1.4");
        List<String> changed = new ArrayList<>();
        JsonNode components = root.path("components");
        for (int i = 0; i < components.size(); i++) {
            JsonNode refs = components.get(i).path("externalReferences");
            for (int j = 0; j < refs.size(); j++) {
                Matcher m = GIT_SSH.matcher(refs.get(j).path("url").asText());
                if (m.matches()) {
                    if (scpLikeUrls) {
                        ((ObjectNode) refs.get(j)).set("url", new TextNode("git@" + m.group(1) + ":" + m.group(2)));
                    }
                    changed.add("$.components[" + i + "].externalReferences[" + j + "].url");
                }
            }
        }
        Path file = tmp.resolve(scpLikeUrls ? "juice-shop-npm.json" : "juice-shop-1.4.json");
        EvidenceCommandsTest.JSON.writeValue(file.toFile(), root);
        return new NpmStyle(file, changed);
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void anNpmSbomWithGitSshUrlsIsStoredWithItsDeviationsListed(Dialect dialect) throws Exception {
        NpmStyle npm = npmStyle(true);
        assertThat(npm.changed()).hasSize(58);
        StoreLocation loc = BothStores.freshLocation(dialect);
        try {
            String store = EvidenceCommandsTest.store(loc);
            CliResult in = CliResult.run("sbom", "ingest", npm.file().toString(), "--digest", DIGEST, "--store", store, "-o", "json");
            assertThat(in.code()).as(in.err()).isZero();
            JsonNode result = EvidenceCommandsTest.JSON.readTree(in.out());
            assertThat(result.path("components").asInt()).isEqualTo(840);
            JsonNode quality = result.path("quality");
            assertThat(quality.path("deviationCount").asInt()).isEqualTo(58);
            assertThat(paths(quality)).containsExactlyElementsOf(npm.changed());
            assertThat(reasons(quality)).containsOnly("IRI_REFERENCE_INVALID");

            // the text output lists them too
            CliResult text = CliResult.run("sbom", "ingest", npm.file().toString(), "--digest", DIGEST, "--store", store);
            assertThat(text.code()).as(text.err()).isZero();
            assertThat(text.out()).startsWith("already stored")
                    .contains(npm.changed().getFirst() + " IRI_REFERENCE_INVALID")
                    .contains("and 48 more");

            // and so does what the store knows about the digest
            CliResult artifact = CliResult.run("query", "artifact", DIGEST, "--store", store, "-o", "json");
            assertThat(artifact.code()).as(artifact.err()).isZero();
            JsonNode stored = EvidenceCommandsTest.JSON.readTree(artifact.out()).path("sboms").get(0);
            assertThat(paths(stored.path("quality"))).containsExactlyElementsOf(npm.changed());
            assertThat(stored.path("qualityScore").asDouble()).isEqualTo(quality.path("score").asDouble());
            CliResult artifactText = CliResult.run("query", "artifact", DIGEST, "--store", store);
            assertThat(artifactText.out()).contains("58 places")
                    .contains(npm.changed().get(0) + " IRI_REFERENCE_INVALID")
                    .contains(npm.changed().get(9) + " IRI_REFERENCE_INVALID")
                    .doesNotContain(npm.changed().get(10));

            // the same document with those URLs left valid scores the penalty higher
            String other = "sha256:" + "0e".repeat(32);
            CliResult valid = CliResult.run("sbom", "ingest", npmStyle(false).file().toString(), "--digest", other, "--store", store, "-o", "json");
            assertThat(valid.code()).as(valid.err()).isZero();
            JsonNode validQuality = EvidenceCommandsTest.JSON.readTree(valid.out()).path("quality");
            assertThat(validQuality.path("deviations").size()).isZero();
            assertThat(quality.path("score").asDouble()).isLessThan(validQuality.path("score").asDouble())
                    .isCloseTo(validQuality.path("score").asDouble() - Quality.DEVIATION_PENALTY, within(1e-9));
        } finally {
            BothStores.dropLocation(loc);
        }
    }

    @Test
    void strictRefusesTheNpmSbomAndStoresNothing() throws Exception {
        NpmStyle npm = npmStyle(true);
        String store = tmp.resolve("strict.db").toString();
        CliResult r = CliResult.run("sbom", "ingest", npm.file().toString(), "--digest", DIGEST, "--store", store, "--strict");
        assertThat(r.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(r.err()).startsWith("custody: invalid SBOM (--strict): ")
                .contains(npm.changed().getFirst() + " IRI_REFERENCE_INVALID");
        assertThat(r.out()).isEmpty();
        assertThat(Path.of(store)).doesNotExist();
        // a conforming document passes --strict
        CliResult conforming = CliResult.run("sbom", "ingest", npmStyle(false).file().toString(), "--digest", DIGEST, "--store", store, "--strict");
        assertThat(conforming.code()).as(conforming.err()).isZero();
    }

    @Test
    void aDeviationInAComponentsHashStaysFatal() throws Exception {
        NpmStyle npm = npmStyle(true);
        ObjectNode root = (ObjectNode) EvidenceCommandsTest.JSON.readTree(npm.file().toFile());
        ((ObjectNode) root.path("components").get(3).path("hashes").get(0)).put("content", "git@github.com:org/repo.git");
        Path file = tmp.resolve("bad-hash.json");
        EvidenceCommandsTest.JSON.writeValue(file.toFile(), root);
        String store = tmp.resolve("hash.db").toString();
        CliResult r = CliResult.run("sbom", "ingest", file.toString(), "--digest", DIGEST, "--store", store);
        assertThat(r.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(r.err()).startsWith("custody: invalid SBOM: " + file + ": not valid CycloneDX 1.4: ")
                .contains("$.components[3].hashes[0].content");
        assertThat(Path.of(store)).doesNotExist();
    }

    /** Every file named invalid-* in the corpus: the guac negatives and the 47 spec test vectors. */
    static Stream<Path> invalidExamples() throws IOException {
        try (Stream<Path> files = Files.walk(SBOMS)) {
            List<Path> found = files.filter(p -> p.getFileName().toString().startsWith("invalid-")).sorted().toList();
            assertThat(found).hasSize(50);
            return found.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidExamples")
    void everyInvalidExampleInTheCorpusExitsTwoWithItsReason(Path file) {
        String store = tmp.resolve("invalid.db").toString();
        CliResult r = CliResult.run("sbom", "ingest", file.toString(), "--digest", DIGEST, "--store", store);
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(r.err()).startsWith("custody: invalid SBOM: " + file + ": ");
        assertThat(r.out()).isEmpty();
        assertThat(Path.of(store)).doesNotExist();
    }

    @Test
    void whatIsNotAnSbomAtAllIsStillRefusedWithTheReason() throws Exception {
        byte[] juice = Files.readAllBytes(JUICE_SHOP);
        Path truncated = write("truncated.json", Arrays.copyOf(juice, juice.length / 2));
        Path binary = write("binary.json", new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, (byte) 0xff, (byte) 0xfe});
        Path number = write("number.json", "{\"bomFormat\": \"CycloneDX\", \"specVersion\": 1.4, \"components\": []}".getBytes());
        Path format = SBOMS.resolve("guac-exampledata/internal/testing/testdata/exampledata/invalid-cyclonedx.json");
        String store = tmp.resolve("none.db").toString();
        for (List<String> strict : List.of(List.<String>of(), List.of("--strict"))) {
            for (Object[] c : List.of(
                    new Object[] {truncated, "malformed JSON"},
                    new Object[] {binary, "binary.json: binary data, not an SBOM document"},
                    new Object[] {number, "number.json: specVersion: "},
                    new Object[] {format, "invalid-cyclonedx.json: bomFormat: "})) {
                List<String> args = new ArrayList<>(List.of("sbom", "ingest", c[0].toString(), "--digest", DIGEST, "--store", store));
                args.addAll(strict);
                CliResult r = CliResult.run(args.toArray(String[]::new));
                assertThat(r.code()).as(c[0] + " " + strict + ": " + r.err()).isEqualTo(ExitCodes.INPUT_ERROR);
                assertThat(r.err()).as(c[0] + " " + strict).startsWith("custody: invalid SBOM: ").contains((String) c[1]);
            }
        }
        assertThat(Path.of(store)).doesNotExist();
    }

    private Path write(String name, byte[] bytes) {
        try {
            return Files.write(tmp.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> paths(JsonNode quality) {
        List<String> out = new ArrayList<>();
        quality.path("deviations").forEach(d -> out.add(d.path("path").asText()));
        return out;
    }

    private static List<String> reasons(JsonNode quality) {
        List<String> out = new ArrayList<>();
        quality.path("deviations").forEach(d -> out.add(d.path("reason").asText()));
        return out;
    }
}
