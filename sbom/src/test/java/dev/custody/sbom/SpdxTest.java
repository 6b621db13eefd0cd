package dev.custody.sbom;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SPDX 2.x JSON and tag-value: the same model from both, and refusal of what is not SPDX 2. */
class SpdxTest {

    private static Sbom read(String text) throws SbomException {
        return SbomReader.read(text.getBytes(UTF_8), "test.spdx");
    }

    @Test
    void theSpec23ExampleGivesTheSamePackagesFromJsonAndTagValue() throws SbomException {
        Sbom json = SbomCorpus.read(SbomCorpus.spdxExample("SPDXJSONExample-v2.3.spdx.json"));
        Sbom tag = SbomCorpus.read(SbomCorpus.spdxExample("SPDXTagExample-v2.3.spdx"));
        assertThat(json.format()).isEqualTo(SbomFormat.SPDX_JSON);
        assertThat(tag.format()).isEqualTo(SbomFormat.SPDX_TAG_VALUE);
        assertThat(tag.components()).isEqualTo(json.components());
        assertThat(tag.dependencies()).isEqualTo(json.dependencies());
        assertThat(tag.specVersion()).isEqualTo(json.specVersion()).isEqualTo("2.3");
        assertThat(tag.serialNumber()).isEqualTo(json.serialNumber())
                .isEqualTo("http://spdx.org/spdxdocs/spdx-example-444504E0-4F89-41D3-9A0C-0305E82C3301");
        assertThat(tag.name()).isEqualTo(json.name()).isEqualTo("SPDX-Tools-v2.0");
        assertThat(tag.quality()).isEqualTo(json.quality());

        // glibc is described (documentDescribes / DESCRIBES), so it is the subject, not a component
        assertThat(json.components()).extracting(Component::name)
                .containsExactly("Apache Commons Lang", "Jena", "Saxon");
        Component jena = json.components().get(1);
        assertThat(jena.ref()).isEqualTo("SPDXRef-fromDoap-0");
        assertThat(jena.purl()).isEqualTo("pkg:maven/org.apache.jena/apache-jena@3.12.0");
        assertThat(jena.version()).isEqualTo("3.12.0");
        assertThat(jena.type()).isEqualTo("library");
        Component lang = json.components().get(0);
        assertThat(lang.licenses()).isEmpty(); // NOASSERTION
        assertThat(lang.version()).isNull();
        Component saxon = json.components().get(2);
        assertThat(saxon.licenses()).containsExactly("MPL-1.0");
        assertThat(saxon.hashes()).containsOnlyKeys("SHA-1");
        // Organization: ExampleCodeInspect in creationInfo names the supplier
        assertThat(json.quality().supplier()).isTrue();
        // glibc is a SOURCE package: its SHA256 is an archive checksum, not an image digest
        assertThat(json.subjectDigests()).isEmpty();
    }

    @Test
    void aTagValueDocumentWithMultiLineTextAndEveryPackageField() throws SbomException {
        Sbom sbom = read("""
                SPDXVersion: SPDX-2.2
                DataLicense: CC0-1.0
                SPDXID: SPDXRef-DOCUMENT
                DocumentName: registry.example.com/shop/checkout@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                DocumentNamespace: https://example.com/spdx/checkout-1
                Creator: Tool: custody-test
                Creator: Organization: Example Shop Ltd (security@shop.example)
                DocumentComment: <text>A comment that
                SPDXID: SPDXRef-NOT-AN-ID
                spans lines and contains tags.</text>

                ##### the image
                PackageName: registry.example.com/shop/checkout
                SPDXID: SPDXRef-image
                PackageVersion: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                PrimaryPackagePurpose: CONTAINER
                Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-image

                PackageName: openssl
                SPDXID: SPDXRef-openssl
                PackageVersion: 3.1.4-r5
                PackageSupplier: Organization: Alpine Linux
                PackageLicenseConcluded: NOASSERTION
                PackageLicenseDeclared: Apache-2.0
                PackageChecksum: SHA256: ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789
                PackageChecksum: SHA1: 0123456789abcdef0123456789abcdef01234567
                PackageDescription: <text>
                OpenSSL
                </text>
                ExternalRef: SECURITY cpe23Type cpe:2.3:a:openssl:openssl:3.1.4:*:*:*:*:*:*:*
                ExternalRef: PACKAGE-MANAGER purl pkg:apk/alpine/openssl@3.1.4-r5?distro=alpine-3.19&arch=x86_64

                FileName: /usr/lib/libssl.so.3
                SPDXID: SPDXRef-file
                FileChecksum: SHA1: 0123456789abcdef0123456789abcdef01234567

                Relationship: SPDXRef-image CONTAINS SPDXRef-openssl
                Relationship: SPDXRef-openssl CONTAINS SPDXRef-file
                Relationship: SPDXRef-openssl DEPENDENCY_OF SPDXRef-image
                """);
        assertThat(sbom.format()).isEqualTo(SbomFormat.SPDX_TAG_VALUE);
        assertThat(sbom.specVersion()).isEqualTo("2.2");
        assertThat(sbom.subjectDigests())
                .containsExactly("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        assertThat(sbom.components()).containsExactly(new Component(
                "SPDXRef-openssl",
                "pkg:apk/alpine/openssl@3.1.4-r5?arch=x86_64&distro=alpine-3.19",
                "library",
                "openssl",
                "3.1.4-r5",
                List.of("Apache-2.0"),
                Map.of("SHA-256", "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
                        "SHA-1", "0123456789abcdef0123456789abcdef01234567"),
                "Alpine Linux"));
        // CONTAINS to a file is not an edge; DEPENDENCY_OF is turned around; duplicates collapse
        assertThat(sbom.dependencies()).containsExactly(new Dependency("SPDXRef-image", "SPDXRef-openssl"));
        assertThat(sbom.quality().supplier()).isTrue();
    }

    @Test
    void spdxSbomGeneratorRelationshipsWithoutAColonAreRead() throws SbomException {
        // cosign's SBOM was written by spdx-sbom-generator, which left out the colon after "Relationship"
        Sbom sbom = SbomCorpus.read(SbomCorpus.root().resolve("cosign-testdata/test/testdata/bom-go-mod.spdx"));
        assertThat(sbom.dependencies()).hasSize(619)
                .contains(new Dependency("SPDXRef-Package-github.com.sigstore.cosign",
                        "SPDXRef-Package-k8s.io.apimachinery-v0.21.2"));
    }

    @Test
    void jsonCategoriesWithUnderscoreAndDescribesRelationships() throws SbomException {
        Sbom sbom = read("""
                {"spdxVersion": "SPDX-2.2", "SPDXID": "SPDXRef-DOCUMENT", "name": "alpine@sha256:1111111111111111111111111111111111111111111111111111111111111111",
                 "documentNamespace": "https://example.com/alpine",
                 "creationInfo": {"creators": ["Tool: syft-0.58.0"]},
                 "packages": [
                   {"SPDXID": "SPDXRef-img", "name": "alpine", "versionInfo": "latest",
                    "externalRefs": [{"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl",
                      "referenceLocator": "pkg:oci/alpine@sha256%3A2222222222222222222222222222222222222222222222222222222222222222?tag=latest"}]},
                   {"SPDXID": "SPDXRef-busybox", "name": "busybox", "versionInfo": "NOASSERTION", "supplier": "NOASSERTION",
                    "licenseConcluded": "GPL-2.0-only", "licenseDeclared": "GPL-2.0-only", "primaryPackagePurpose": "OPERATING_SYSTEM",
                    "externalRefs": [{"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "not a purl"}]}
                 ],
                 "files": [{"SPDXID": "SPDXRef-f", "fileName": "/bin/sh"}],
                 "relationships": [
                   {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-img"},
                   {"spdxElementId": "SPDXRef-img", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-busybox"},
                   {"spdxElementId": "SPDXRef-busybox", "relationshipType": "CONTAINS", "relatedSpdxElement": "SPDXRef-f"}
                 ]}
                """);
        assertThat(sbom.subjectDigests()).containsExactly(
                "sha256:2222222222222222222222222222222222222222222222222222222222222222");
        Component busybox = sbom.components().getFirst();
        assertThat(sbom.components()).hasSize(1);
        assertThat(busybox.purl()).isNull(); // unparsable purls are dropped
        assertThat(busybox.version()).isNull();
        assertThat(busybox.supplier()).isNull();
        assertThat(busybox.licenses()).containsExactly("GPL-2.0-only");
        assertThat(busybox.type()).isEqualTo("operating-system");
        assertThat(sbom.dependencies()).containsExactly(new Dependency("SPDXRef-img", "SPDXRef-busybox"));
        assertThat(sbom.quality().supplier()).isFalse();
    }

    @Test
    void theSubjectDigestCanComeFromTheDescribedPackagesName() throws SbomException {
        Sbom sbom = read("""
                {"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "img",
                 "documentDescribes": ["SPDXRef-img"],
                 "packages": [{"SPDXID": "SPDXRef-img",
                   "name": "docker.io/library/alpine@sha256:3333333333333333333333333333333333333333333333333333333333333333"}]}
                """);
        assertThat(sbom.subjectDigests()).containsExactly(
                "sha256:3333333333333333333333333333333333333333333333333333333333333333");
        assertThat(sbom.components()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            number version     | {"spdxVersion": 2, "SPDXID": "SPDXRef-DOCUMENT"}                                   | spdxVersion: expected a string such as "SPDX-2.3", found number 2
            SPDX 1.2           | {"spdxVersion": "SPDX-1.2", "SPDXID": "SPDXRef-DOCUMENT"}                          | SPDX 1.2 is not supported
            SPDX 3 as 2.x JSON | {"spdxVersion": "SPDX-3.0", "SPDXID": "SPDXRef-DOCUMENT"}                          | SPDX 3.0 is not supported
            garbage version    | {"spdxVersion": "2.3", "SPDXID": "SPDXRef-DOCUMENT"}                               | spdxVersion: expected "SPDX-2.x", found "2.3"
            empty SPDXID       | {"spdxVersion": "SPDX-2.3", "SPDXID": ""}                                          | SPDXID: the document's SPDXID is empty
            missing SPDXID     | {"spdxVersion": "SPDX-2.3", "name": "x"}                                           | SPDXID: the document's SPDXID is missing
            nameless package   | {"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "packages": [{"SPDXID": "SPDXRef-a"}]} | /packages/0/name: package SPDXRef-a has no name
            package without id | {"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "packages": [{"name": "a"}]} | /packages/0/SPDXID: package SPDXID is missing
            packages object    | {"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "packages": {}}           | packages: expected an array, found an object
            SPDX 3 JSON-LD     | {"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}       | SPDX 3.0 (JSON-LD) is not supported
            """)
    void refusesJsonThatIsNotSpdx2(String why, String json, String message) {
        assertThatThrownBy(() -> read(json)).isInstanceOf(SbomException.class).hasMessageContaining(message)
                .hasMessageStartingWith("test.spdx: ");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown version  | SPDXVersion: SPDX-3.0\\nSPDXID: SPDXRef-DOCUMENT                              | SPDX 3.0 is not supported
            no document id   | SPDXVersion: SPDX-2.3\\nPackageName: a\\nSPDXID: SPDXRef-a                     | the document's SPDXID is missing
            empty name       | SPDXVersion: SPDX-2.3\\nSPDXID: SPDXRef-DOCUMENT\\nPackageName:\\nSPDXID: SPDXRef-a | test.spdx:3: PackageName is empty
            package no id    | SPDXVersion: SPDX-2.3\\nSPDXID: SPDXRef-DOCUMENT\\nPackageName: a              | test.spdx:3: package "a" has no SPDXID
            unclosed text    | SPDXVersion: SPDX-2.3\\nSPDXID: SPDXRef-DOCUMENT\\nDocumentComment: <text>oops | test.spdx:3: DocumentComment: <text> is not closed
            not a tag line   | SPDXVersion: SPDX-2.3\\nSPDXID: SPDXRef-DOCUMENT\\nthis is prose               | test.spdx:3: expected "Tag: value", found "this is prose"
            short relation   | SPDXVersion: SPDX-2.3\\nSPDXID: SPDXRef-DOCUMENT\\nRelationship: SPDXRef-a     | test.spdx:3: Relationship: expected
            """)
    void refusesBrokenTagValue(String why, String text, String message) {
        assertThatThrownBy(() -> read(text.replace("\\n", "\n"))).isInstanceOf(SbomException.class)
                .hasMessageContaining(message);
    }

    @Test
    void yamlAndOtherTextAreRefusedSayingWhatTheyAre() {
        assertThatThrownBy(() -> SbomCorpus.read(SbomCorpus.spdxExample("SPDXYAMLExample-2.3.spdx.yaml")))
                .hasMessage("SPDXYAMLExample-2.3.spdx.yaml: SPDX YAML is not supported (use SPDX JSON or tag-value)");
        assertThatThrownBy(() -> read("hello: world\n"))
                .hasMessageStartingWith("test.spdx: not an SBOM document: text starting with \"hello: world\"");
    }

    @Test
    void agentNamesLoseTheirKindAndEmail() {
        assertThat(Spdx.party("Organization: Example Shop Ltd (security@shop.example)")).isEqualTo("Example Shop Ltd");
        assertThat(Spdx.party("Organization: ExampleCodeInspect ()")).isEqualTo("ExampleCodeInspect");
        assertThat(Spdx.party("Person: Jane Doe (jane.doe@example.com)")).isEqualTo("Jane Doe");
        assertThat(Spdx.party("Organization: Acme (Europe)")).isEqualTo("Acme (Europe)");
        assertThat(Spdx.party("NOASSERTION")).isNull();
        assertThat(Spdx.party("Organization: ")).isNull();
    }
}
