package dev.custody.sbom;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import com.networknt.schema.JsonNodePath;
import com.networknt.schema.PathType;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Schema deviations Custody tolerates (a URL that is not an IRI reference, away from what the document describes)
 * are read, listed and scored down; every other schema error still refuses the document.
 */
class DeviationTest {

    /**
     * The shape cyclonedx-npm 1.x writes when package.json names the repository as git@host:path (its issue 1198):
     * the subject's vcs reference and a dependency's, both copied as they are.
     */
    private static final String NPM = """
            {"bomFormat": "CycloneDX", "specVersion": "%s", "version": 1,
             "metadata": {"tools": [{"vendor": "@cyclonedx", "name": "cyclonedx-npm", "version": "1.19.0"}],
               "component": {"type": "application", "bom-ref": "app@1.0.0", "name": "app", "version": "1.0.0", "purl": "pkg:npm/app@1.0.0",
                 "externalReferences": [{"type": "vcs", "url": "%s",
                   "comment": "as detected from PackageJson property \\"repository.url\\""}]}},
             "components": [
               {"type": "library", "bom-ref": "a@1.0.0", "name": "a", "version": "1.0.0", "purl": "pkg:npm/a@1.0.0",
                "hashes": [{"alg": "SHA-512", "content": "%s"}],
                "licenses": [{"license": {"id": "MIT"}}],
                "externalReferences": [{"type": "website", "url": "https://example.com/a#readme"}, {"type": "vcs", "url": "%s"}]},
               {"type": "library", "bom-ref": "b@2.0.0", "name": "b", "version": "2.0.0", "purl": "pkg:npm/b@2.0.0"}
             ]}
            """;
    private static final String SHA512 = "ab".repeat(64);

    private static Sbom read(String text) throws SbomException {
        return SbomReader.read(text.getBytes(UTF_8), "bom.json");
    }

    private static String npm(String version, String subjectUrl, String hash, String componentUrl) {
        return NPM.formatted(version, subjectUrl, hash, componentUrl);
    }

    @ParameterizedTest(name = "CycloneDX {0}")
    @ValueSource(strings = {"1.4", "1.5", "1.6"})
    void gitSshUrlsAreReadAndListedByPath(String version) throws SbomException {
        Sbom sbom = read(npm(version, "git@github.com:org/app.git", SHA512, "git@gitlab.example.com:group/a.git"));

        assertThat(sbom.components()).extracting(Component::purl).containsExactly("pkg:npm/a@1.0.0", "pkg:npm/b@2.0.0");
        // one deviation per URL, though 1.5 and 1.6 also report the two BOM-Link patterns the URL fails
        assertThat(sbom.quality().deviations())
                .extracting(Deviation::path, Deviation::reason)
                .containsExactlyInAnyOrder(
                        tuple("$.metadata.component.externalReferences[0].url", Deviation.Reason.IRI_REFERENCE_INVALID),
                        tuple("$.components[0].externalReferences[1].url", Deviation.Reason.IRI_REFERENCE_INVALID));
        assertThat(sbom.quality().deviationCount()).isEqualTo(2);
        assertThat(sbom.quality().deviations()).allSatisfy(d -> assertThat(d.message()).contains("git@"));
    }

    @Test
    void deviationsLowerTheScoreByTheFixedPenalty() throws SbomException {
        Quality conforming = read(npm("1.4", "git+ssh://git@github.com/org/app.git", SHA512, "git+ssh://git@gitlab.example.com/group/a.git")).quality();
        Quality deviating = read(npm("1.4", "git@github.com:org/app.git", SHA512, "git@gitlab.example.com:group/a.git")).quality();
        assertThat(conforming.deviations()).isEmpty();
        assertThat(deviating.score()).isLessThan(conforming.score())
                .isCloseTo(conforming.score() - Quality.DEVIATION_PENALTY, within(1e-9));
        // the same components, so the shares are the same
        assertThat(deviating.withPurl()).isEqualTo(conforming.withPurl());
        assertThat(deviating.withHash()).isEqualTo(conforming.withHash());
    }

    @Test
    void cycloneDx12DoesNotAskForIriReferencesInExternalReferences() throws SbomException {
        // 1.2 gave externalReference.url no format, so the same URLs conform there
        assertThat(read(npm("1.2", "git@github.com:org/app.git", SHA512, "git@github.com:org/a.git")).quality().deviations()).isEmpty();
    }

    @Test
    void componentsBeforeTheHeaderGiveTheSameDeviations() throws SbomException {
        // the whole-tree path (components before bomFormat) and the streamed path sort findings alike
        String late = """
                {"components": [{"type": "library", "name": "a", "externalReferences": [{"type": "vcs", "url": "git@h:o/a.git"}]}],
                 "bomFormat": "CycloneDX", "specVersion": "1.6"}
                """;
        String early = """
                {"bomFormat": "CycloneDX", "specVersion": "1.6",
                 "components": [{"type": "library", "name": "a", "externalReferences": [{"type": "vcs", "url": "git@h:o/a.git"}]}]}
                """;
        assertThat(read(late).quality().deviations()).isEqualTo(read(early).quality().deviations())
                .extracting(Deviation::path).containsExactly("$.components[0].externalReferences[0].url");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a hash that is not hex           | "hashes": [{"alg": "SHA-256", "content": "git@github.com:org/a.git"}] | $.components[0].hashes[0].content
            a purl that is not a string      | "purl": 42                                                           | $.components[0].purl
            a version that is not a string   | "version": ["1"]                                                     | $.components[0].version
            a scope the schema does not know | "scope": "sometimes"                                                 | $.components[0].scope
            """)
    void otherSchemaErrorsStillRefuseTheDocumentBesideATolerableOne(String why, String field, String path) {
        String doc = """
                {"bomFormat": "CycloneDX", "specVersion": "1.6",
                 "components": [{"type": "library", "name": "a", %s, "externalReferences": [{"type": "vcs", "url": "git@h:o/a.git"}]}]}
                """.formatted(field);
        assertThatThrownBy(() -> read(doc)).isInstanceOf(SbomException.class)
                .hasMessageStartingWith("bom.json: not valid CycloneDX 1.6: ")
                .hasMessageContaining(path)
                .hasMessageNotContaining("externalReferences"); // the tolerable one is not an error
    }

    @Test
    void aFloodOfDeviationsIsCountedButOnlyTheFirstAreKept() throws SbomException {
        String components = IntStream.range(0, 150)
                .mapToObj(i -> "{\"type\": \"library\", \"name\": \"c" + i + "\", \"externalReferences\": [{\"type\": \"vcs\", \"url\": \"git@h:o/" + i + ".git\"}]}")
                .collect(Collectors.joining(","));
        Quality q = read("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": [" + components + "]}").quality();
        assertThat(q.deviationCount()).isEqualTo(150);
        assertThat(q.deviations()).hasSize(SchemaFindings.MAX_RECORDED_DEVIATIONS);
        assertThat(q.deviations().getFirst().path()).isEqualTo("$.components[0].externalReferences[0].url");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            bomFormat                                    | true
            specVersion                                  | true
            components                                   | true
            components/3                                 | true
            components/3/purl                            | true
            components/3/hashes/0/content                | true
            components/3/components/1/version            | true
            metadata/component                           | true
            metadata/component/name                      | true
            metadata/component/components/0/bom-ref      | true
            metadata/component/externalReferences/0/url  | false
            components/3/externalReferences/0/url        | false
            components/3/licenses/0/license/url          | false
            metadata/timestamp                           | false
            services/0/endpoints/0                       | false
            """)
    void identityCoversTheHeaderAndWhatEachComponentIs(String pointer, boolean identity) {
        JsonNodePath path = new JsonNodePath(PathType.LEGACY);
        for (String part : pointer.split("/")) {
            path = part.matches("\\d+") ? path.append(Integer.parseInt(part)) : path.append(part);
        }
        assertThat(SchemaFindings.identity(path)).as(path.toString()).isEqualTo(identity);
    }
}
