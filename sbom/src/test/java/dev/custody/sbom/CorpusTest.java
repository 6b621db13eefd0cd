package dev.custody.sbom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every document in ../shared/corpora/sbom either reads or is refused for a reason that names it, and the set of
 * refused documents is exactly the one below. SBOM-INDEX.csv, which MANIFEST.md mentions, is not in this copy of
 * the corpus; the counts in {@link #componentCounts} are our own, checked by an independent count (CycloneDX:
 * every components[] entry at any depth, including metadata.component.components, the subject itself excluded;
 * SPDX: packages[] minus the described ones). Where MANIFEST.md states a count (keycloak 903, juice-shop 840,
 * big-mongo 293, kubectl arm-v7 183 packages) it agrees: those documents describe no package, or their subject is
 * metadata.component, which the manifest does not count either.
 */
class CorpusTest {

    private static final String GUAC = "guac-exampledata/internal/testing/testdata/exampledata/";

    /** Documents that are not SBOMs Custody reads, or are invalid, with why; the spec vectors come on top. */
    private static final Map<String, String> REFUSED = Map.ofEntries(
            Map.entry(GUAC + "invalid-cyclonedx.json", "bomFormat \"CDX\" (a negative fixture)"),
            Map.entry(GUAC + "invalid-spdx.json", "spdxVersion is the number 2 (a negative fixture)"),
            Map.entry(GUAC + "invalid-spdx-identifier-spdx.json", "empty document SPDXID (a negative fixture)"),
            Map.entry(GUAC + "cyclonedx-1.7.json", "CycloneDX 1.7; cyclonedx-core-java 12.1 bundles schemas to 1.6"),
            Map.entry(GUAC + "go-spdx-multi-arch_1.json", "ko 0.12 wrote a package with an empty name"),
            Map.entry(GUAC + "go-spdx-multi-arch_2.json", "ko 0.12 wrote a package with an empty name"),
            Map.entry(GUAC + "oci-dsse-att.json", "a DSSE envelope, not an SBOM"),
            Map.entry(GUAC + "oci-kubectl-linux-amd64-in-toto.json", "an in-toto SLSA provenance statement"),
            Map.entry(GUAC + "open-vex-affected.json", "OpenVEX"),
            Map.entry(GUAC + "open-vex-not-affected.json", "OpenVEX"),
            Map.entry("spdx-spec-2.3-examples/SPDXYAMLExample-2.3.spdx.yaml", "SPDX YAML is not read"));

    @Test
    void everyDocumentReadsOrIsRefusedForAReasonThatNamesIt() {
        Map<String, String> refused = new TreeMap<>();
        List<String> read = new ArrayList<>();
        for (Path p : SbomCorpus.documents()) {
            String name = SbomCorpus.relative(p);
            try {
                Sbom sbom = SbomCorpus.read(p);
                assertThat(sbom.contentHash()).matches("sha256:[0-9a-f]{64}");
                read.add(name);
            } catch (SbomException e) {
                assertThat(e.getMessage()).as(name).startsWith(p.getFileName() + ":").hasSizeLessThan(2000);
                refused.put(name, e.getMessage());
            }
        }
        System.out.println("SBOM corpus: " + read.size() + " read, " + refused.size() + " refused:");
        refused.values().forEach(m -> System.out.println("  refused " + m));

        List<String> expected = new ArrayList<>(REFUSED.keySet());
        SbomCorpus.documents().stream().map(SbomCorpus::relative)
                .filter(n -> n.startsWith("cyclonedx-spec-testvectors/") && n.contains("/invalid-"))
                .forEach(expected::add);
        assertThat(refused.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(read).hasSizeGreaterThan(150);
    }

    @Test
    void specTestVectorsFollowTheirNames() {
        int valid = 0;
        int invalid = 0;
        for (Path p : SbomCorpus.documents()) {
            String name = p.getFileName().toString();
            if (!SbomCorpus.relative(p).startsWith("cyclonedx-spec-testvectors/")) {
                continue;
            }
            if (name.startsWith("valid-")) {
                valid++;
                try {
                    Sbom sbom = SbomCorpus.read(p);
                    assertThat(sbom.format()).isEqualTo(SbomFormat.CYCLONEDX_JSON);
                    assertThat(name).endsWith("-" + sbom.specVersion() + ".json");
                } catch (SbomException e) {
                    throw new AssertionError(name + " must read: " + e.getMessage(), e);
                }
            } else if (name.startsWith("invalid-")) {
                invalid++;
                assertThatThrownBy(() -> SbomCorpus.read(p)).as(name).isInstanceOf(SbomException.class);
            }
        }
        // MANIFEST.md: 1.6 has 45 valid / 25 invalid, 1.5 has 36 valid / 22 invalid
        assertThat(valid).isEqualTo(81);
        assertThat(invalid).isEqualTo(47);
    }

    @Test
    void invalidVectorsAreRefusedWithTheValidatorsPointer() {
        Path vectors = SbomCorpus.root().resolve("cyclonedx-spec-testvectors/tools/src/test/resources");
        assertThatThrownBy(() -> SbomCorpus.read(vectors.resolve("1.6/invalid-hash-sha256-1.6.json")))
                .hasMessageStartingWith("invalid-hash-sha256-1.6.json: not valid CycloneDX 1.6: ")
                .hasMessageContaining("$.components[0].hashes[2].content");
        assertThatThrownBy(() -> SbomCorpus.read(vectors.resolve("1.5/invalid-metadata-timestamp-1.5.json")))
                .hasMessageContaining("$.metadata.timestamp");
        assertThatThrownBy(() -> SbomCorpus.read(SbomCorpus.guac("invalid-cyclonedx.json")))
                .hasMessage("invalid-cyclonedx.json: bomFormat: expected \"CycloneDX\", found \"CDX\"");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            cosign-testdata/test/testdata/bom-go-mod.cyclonedx.json                   | CYCLONEDX_JSON |   0 |   0
            cosign-testdata/test/testdata/bom-go-mod.spdx                             | SPDX_TAG_VALUE | 142 | 619
            cosign-testdata/test/testdata/bom-go-mod.spdx.json                        | SPDX_JSON      |   0 |   0
            cyclonedx-bom-examples/SBOM/cern-lhc-vdm-editor-e564943/bom.json          | CYCLONEDX_JSON |  43 |   0
            cyclonedx-bom-examples/SBOM/dropwizard-1.3.15/bom.json                    | CYCLONEDX_JSON | 167 | 170
            cyclonedx-bom-examples/SBOM/juice-shop/v11.1.2/bom.json                   | CYCLONEDX_JSON | 840 |   0
            cyclonedx-bom-examples/SBOM/keycloak-10.0.2/bom.json                      | CYCLONEDX_JSON | 903 | 994
            cyclonedx-bom-examples/SBOM/laravel-7.12.0/bom.1.4.json                   | CYCLONEDX_JSON |  62 | 113
            cyclonedx-bom-examples/SBOM/proton-bridge/proton-bridge-v1.6.3.bom.json   | CYCLONEDX_JSON | 201 | 232
            cyclonedx-bom-examples/SBOM/proton-bridge/proton-bridge-v1.8.0.bom.json   | CYCLONEDX_JSON | 201 | 232
            cyclonedx-bom-examples/VEX/bom.json                                       | CYCLONEDX_JSON |   3 |   0
            cyclonedx-bom-examples/VEX/Use-Cases/Case-6/bom-1.json                    | CYCLONEDX_JSON |   0 |   0
            guac-exampledata/internal/testing/testdata/exampledata/alpine-cyclonedx.json            | CYCLONEDX_JSON |  15 |   0
            guac-exampledata/internal/testing/testdata/exampledata/alpine-small-spdx.json           | SPDX_JSON      |   3 |   1
            guac-exampledata/internal/testing/testdata/exampledata/alpine-spdx.json                 | SPDX_JSON      |  14 |   0
            guac-exampledata/internal/testing/testdata/exampledata/big-mongo-cyclonedx.json         | CYCLONEDX_JSON | 293 |   0
            guac-exampledata/internal/testing/testdata/exampledata/busybox-cyclonedx.json           | CYCLONEDX_JSON |   1 |   0
            guac-exampledata/internal/testing/testdata/exampledata/cdx-v1.4.json                    | CYCLONEDX_JSON |   2 |   0
            guac-exampledata/internal/testing/testdata/exampledata/cyclonedx-components-flat.json   | CYCLONEDX_JSON |   3 |   2
            guac-exampledata/internal/testing/testdata/exampledata/cyclonedx-components-nested.json | CYCLONEDX_JSON |   3 |   2
            guac-exampledata/internal/testing/testdata/exampledata/distroless-cyclonedx.json        | CYCLONEDX_JSON |   3 |   0
            guac-exampledata/internal/testing/testdata/exampledata/go-spdx-multi-arch_3.json        | SPDX_JSON      |   3 |   0
            guac-exampledata/internal/testing/testdata/exampledata/npm-cyclonedx-dependencies-missing-depends-on.json | CYCLONEDX_JSON | 1 | 0
            guac-exampledata/internal/testing/testdata/exampledata/oci-kubectl-linux-amd64-spdx.json  | SPDX_JSON    |  88 |   0
            guac-exampledata/internal/testing/testdata/exampledata/oci-kubectl-linux-arm-v7-spdx.json | SPDX_JSON    | 183 |   0
            guac-exampledata/internal/testing/testdata/exampledata/oci-spdx.json                    | SPDX_JSON      |  15 |   0
            guac-exampledata/internal/testing/testdata/exampledata/quarkus-deps-cyclonedx.json      | CYCLONEDX_JSON |  94 | 206
            guac-exampledata/internal/testing/testdata/exampledata/small-deps-cyclonedx.json        | CYCLONEDX_JSON |   2 |   2
            spdx-spec-2.3-examples/SPDXJSONExample-v2.3.spdx.json                     | SPDX_JSON      |   3 |   0
            spdx-spec-2.3-examples/SPDXTagExample-v2.3.spdx                           | SPDX_TAG_VALUE |   3 |   0
            """)
    void componentCounts(String file, SbomFormat format, int components, int dependencies) throws SbomException {
        Sbom sbom = SbomCorpus.read(SbomCorpus.root().resolve(file));
        assertThat(sbom.format()).isEqualTo(format);
        assertThat(sbom.components()).hasSize(components);
        assertThat(sbom.dependencies()).hasSize(dependencies);
        assertThat(sbom.quality().components()).isEqualTo(components);
    }

    @Test
    void nestedAndFlatComponentsGiveTheSamePurls() throws SbomException {
        Sbom nested = SbomCorpus.read(SbomCorpus.guac("cyclonedx-components-nested.json"));
        Sbom flat = SbomCorpus.read(SbomCorpus.guac("cyclonedx-components-flat.json"));
        List<String> purls = nested.components().stream().map(Component::purl).toList();
        assertThat(purls).hasSize(3).doesNotContainNull().doesNotHaveDuplicates();
        assertThat(flat.components()).map(Component::purl).containsExactlyInAnyOrderElementsOf(purls);
        // document order: the image, then what is nested in it
        assertThat(purls.get(0)).startsWith("pkg:oci/mandrel-for-jdk-21-rhel8@sha256:41d92daf"); // the specification never encodes ":"
        assertThat(purls).anyMatch(p -> p.startsWith("pkg:rpm/redhat/abattis-cantarell-fonts@"))
                .anyMatch(p -> p.startsWith("pkg:maven/compiler/compiler@"));
        assertThat(nested.dependencies()).isEqualTo(flat.dependencies());
    }

    @Test
    void imageSbomsNameTheirSubjectDigest() throws SbomException {
        // syft puts the image digest in metadata.component.version
        assertThat(SbomCorpus.read(SbomCorpus.guac("alpine-cyclonedx.json")).subjectDigests())
                .containsExactly("sha256:cbaa390ec61abd889dfa5146a411c11717c19ef9e5e18458dbdc06439076ffe7");
        assertThat(SbomCorpus.read(SbomCorpus.guac("distroless-cyclonedx.json")).subjectDigests())
                .containsExactly("sha256:6ad5b696af3ca05a048bd29bf0f623040462638cb0b29c8d702cbb2805687388");
        // the same document with "version: nonroot": an image SBOM that cannot be pinned to a digest
        Sbom unpinned = SbomCorpus.read(SbomCorpus.guac("distroless-cyclonedx-invalid-version.json"));
        assertThat(unpinned.subjectDigests()).isEmpty();
        assertThat(unpinned.name()).isEqualTo("gcr.io/distroless/static");
        // an oci purl with the digest percent-encoded, and the subject kept out of the components
        Sbom nested = SbomCorpus.read(SbomCorpus.guac("cyclonedx-components-nested.json"));
        assertThat(nested.subjectDigests())
                .containsExactly("sha256:41d92dafa5ccbf7f76fa81c5a0e7de83c51166f27bea9b98df018f644016bf04");
        assertThat(nested.name()).isEqualTo("quarkus/mandrel-for-jdk-21-rhel8");
    }

    @Test
    void syftImageComponentsCarryCanonicalPurls() throws SbomException {
        // syft 0.58 wrote "pkg:alpine/..." where the purl spec says pkg:apk/alpine; canonical form keeps the type
        Sbom alpine = SbomCorpus.read(SbomCorpus.guac("alpine-spdx.json"));
        assertThat(alpine.components()).allSatisfy(c -> assertThat(c.purl()).startsWith("pkg:alpine/"));
        Map<String, Long> types = SbomCorpus.read(SbomCorpus.guac("big-mongo-cyclonedx.json")).components().stream()
                .filter(c -> c.purl() != null)
                .collect(Collectors.groupingBy(c -> c.purl().substring(4, c.purl().indexOf('/')), Collectors.counting()));
        assertThat(types).containsKey("deb");
    }
}
