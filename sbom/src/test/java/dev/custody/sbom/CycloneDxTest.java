package dev.custody.sbom;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.cyclonedx.Version;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Bom;
import org.cyclonedx.parsers.JsonParser;
import org.cyclonedx.parsers.XmlParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** CycloneDX JSON and XML: mapping, subject, validation, limits and hostile XML. */
class CycloneDxTest {

    private static final String DIGEST = "sha256:4444444444444444444444444444444444444444444444444444444444444444";

    private static Sbom read(String text) throws SbomException {
        return SbomReader.read(text.getBytes(UTF_8), "test.json");
    }

    @Test
    void mapsComponentsSubjectAndDependencies() throws SbomException {
        Sbom sbom = read("""
                {"bomFormat": "CycloneDX", "specVersion": "1.6", "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79", "version": 1,
                 "metadata": {"component": {"bom-ref": "img", "type": "container", "name": "registry.example.com/app",
                   "hashes": [{"alg": "SHA-256", "content": "4444444444444444444444444444444444444444444444444444444444444444"}],
                   "components": [{"type": "file", "name": "/app/config.yaml"}]}},
                 "components": [
                   {"bom-ref": "lib-a", "type": "library", "name": "a", "version": "1.0",
                    "purl": "pkg:Maven/org.example/a@1.0?type=jar&classifier=sources",
                    "licenses": [{"license": {"id": "Apache-2.0"}}, {"license": {"name": "Custom"}}],
                    "hashes": [{"alg": "SHA-1", "content": "ABCDEF0123456789ABCDEF0123456789ABCDEF01"}],
                    "supplier": {"name": "Example Org"},
                    "components": [{"type": "library", "name": "a-shaded", "publisher": "Shady",
                                    "licenses": [{"expression": "MIT OR Apache-2.0"}]}]},
                   {"bom-ref": "os", "type": "operating-system", "name": "alpine", "version": "3.19"}
                 ],
                 "dependencies": [{"ref": "img", "dependsOn": ["lib-a", "os"]}, {"ref": "lib-a", "dependsOn": []}]}
                """);
        assertThat(sbom.format()).isEqualTo(SbomFormat.CYCLONEDX_JSON);
        assertThat(sbom.specVersion()).isEqualTo("1.6");
        assertThat(sbom.serialNumber()).isEqualTo("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79");
        assertThat(sbom.name()).isEqualTo("registry.example.com/app");
        assertThat(sbom.subjectDigests()).containsExactly(DIGEST); // hashes count because the subject is a container
        assertThat(sbom.components()).extracting(Component::name)
                .containsExactly("/app/config.yaml", "a", "a-shaded", "alpine");
        assertThat(sbom.components().get(0).ref()).isEqualTo("/metadata/component/components/0");
        assertThat(sbom.components().get(1)).isEqualTo(new Component("lib-a",
                "pkg:maven/org.example/a@1.0?classifier=sources&type=jar", "library", "a", "1.0",
                List.of("Apache-2.0", "Custom"), Map.of("SHA-1", "abcdef0123456789abcdef0123456789abcdef01"),
                "Example Org"));
        Component shaded = sbom.components().get(2);
        assertThat(shaded.ref()).isEqualTo("/components/0/components/0");
        assertThat(shaded.licenses()).containsExactly("MIT OR Apache-2.0");
        assertThat(shaded.supplier()).isEqualTo("Shady");
        assertThat(sbom.components().get(3).type()).isEqualTo("operating-system");
        assertThat(sbom.dependencies()).containsExactly(new Dependency("img", "lib-a"), new Dependency("img", "os"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            oci purl     | "purl": "pkg:oci/app@sha256%3A4444444444444444444444444444444444444444444444444444444444444444?tag=1"
            docker purl  | "purl": "pkg:docker/library/app@sha256:4444444444444444444444444444444444444444444444444444444444444444"
            digest qual. | "purl": "pkg:generic/app@1.0?digest=sha256:4444444444444444444444444444444444444444444444444444444444444444"
            version      | "version": "sha256:4444444444444444444444444444444444444444444444444444444444444444"
            """)
    void findsTheSubjectDigest(String where, String field) throws SbomException {
        Sbom sbom = read("""
                {"bomFormat": "CycloneDX", "specVersion": "1.5",
                 "metadata": {"component": {"type": "application", "name": "app", %s}}}
                """.formatted(field));
        assertThat(sbom.subjectDigests()).containsExactly(DIGEST);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "\"version\": \"sha256:4444\"",
            "\"version\": \"sha256:4444444444444444444444444444444444444444444444444444444444444444X\"",
            "\"version\": \"SHA256:4444444444444444444444444444444444444444444444444444444444444444\"",
            "\"version\": \"sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"",
            "\"hashes\": [{\"alg\": \"SHA-256\", \"content\": \"4444444444444444444444444444444444444444444444444444444444444444\"}]"})
    void ignoresWhatIsNotAWellFormedImageDigest(String field) throws SbomException {
        // the last: hashes name a digest only when the subject is a container, and this one is an application
        Sbom sbom = read("""
                {"bomFormat": "CycloneDX", "specVersion": "1.5",
                 "metadata": {"component": {"type": "application", "name": "app", %s}}}
                """.formatted(field));
        assertThat(sbom.subjectDigests()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no bomFormat      | {"specVersion": "1.5"}                                         | test.json: bomFormat: expected "CycloneDX", found nothing
            number version    | {"bomFormat": "CycloneDX", "specVersion": 1.5}                 | test.json: specVersion: expected a string such as "1.5", found number 1.5
            1.1 (XML only)    | {"bomFormat": "CycloneDX", "specVersion": "1.1"}               | test.json: CycloneDX 1.1 is not supported (Custody reads 1.2 to 1.6)
            1.7               | {"bomFormat": "CycloneDX", "specVersion": "1.7"}               | test.json: CycloneDX 1.7 is not supported yet (Custody reads and schema-validates 1.2 to 1.6; syft writes 1.6 with -o cyclonedx-json@1.6
            not a version     | {"bomFormat": "CycloneDX", "specVersion": "1"}                 | test.json: specVersion: "1" is not a CycloneDX version (Custody reads 1.2 to 1.6)
            components late   | {"components": [{"type": "library"}], "bomFormat": "CycloneDX", "specVersion": "1.5"} | test.json: not valid CycloneDX 1.5: $.components[0]: required property 'name' not found
            streamed invalid  | {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"type": "library"}]} | test.json: not valid CycloneDX 1.5: $.components[0]: required property 'name' not found
            duplicate key     | {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [], "components": []} | Duplicate field 'components'
            trailing content  | {"bomFormat": "CycloneDX", "specVersion": "1.5"} {}            | content after the document
            array             | [{"bomFormat": "CycloneDX"}]                                   | test.json: a JSON array, not an SBOM document
            other JSON        | {"hello": "world"}                                             | test.json: a JSON document that is neither CycloneDX (no bomFormat) nor SPDX (no spdxVersion); its keys: "hello"
            """)
    void refusesWhatIsNotValidCycloneDx(String why, String json, String message) {
        assertThatThrownBy(() -> read(json)).isInstanceOf(SbomException.class).hasMessageContaining(message);
    }

    @Test
    void xmlReadsLikeJson() throws Exception {
        // the library writes the XML form of real SBOMs; both forms must give the same Sbom
        for (String file : List.of("cyclonedx-bom-examples/SBOM/keycloak-10.0.2/bom.json",
                "cyclonedx-bom-examples/SBOM/laravel-7.12.0/bom.1.4.json",
                "guac-exampledata/internal/testing/testdata/exampledata/cyclonedx-components-nested.json",
                "cyclonedx-spec-testvectors/tools/src/test/resources/1.6/valid-bom-1.6.json",
                "cyclonedx-spec-testvectors/tools/src/test/resources/1.5/valid-component-hashes-1.5.json")) {
            Path path = SbomCorpus.root().resolve(file);
            Sbom json = SbomCorpus.read(path);
            Bom bom = new JsonParser().parse(SbomCorpus.bytes(path));
            String xml = BomGeneratorFactory.createXml(Version.fromVersionString(json.specVersion()), bom).toXmlString();
            Sbom fromXml = SbomReader.read(xml.getBytes(UTF_8), "bom.xml");
            assertThat(fromXml.format()).as(file).isEqualTo(SbomFormat.CYCLONEDX_XML);
            assertThat(fromXml.specVersion()).as(file).isEqualTo(json.specVersion());
            assertThat(fromXml.components()).as(file).isEqualTo(json.components());
            assertThat(new HashSet<>(fromXml.dependencies())).as(file).isEqualTo(new HashSet<>(json.dependencies()));
            assertThat(fromXml.subjectDigests()).as(file).isEqualTo(json.subjectDigests());
            assertThat(fromXml.name()).as(file).isEqualTo(json.name());
        }
    }

    @Test
    void xmlIsValidatedAgainstTheXsd() {
        String xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">
                  <components>
                    <component type="not-a-type"><name>a</name></component>
                  </components>
                </bom>
                """;
        assertThatThrownBy(() -> SbomReader.read(xml.getBytes(UTF_8), "bom.xml"))
                .hasMessageStartingWith("bom.xml: not valid CycloneDX 1.5 XML: line 4: ")
                .hasMessageContaining("not-a-type");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            other root      | <project xmlns="http://maven.apache.org/POM/4.0.0"/>                 | bom.xml: XML root element <project> in namespace http://maven.apache.org/POM/4.0.0 is not a CycloneDX bom
            no namespace    | <bom version="1"/>                                                   | bom.xml: XML root element <bom> without a namespace is not a CycloneDX bom
            1.1             | <bom xmlns="http://cyclonedx.org/schema/bom/1.1" version="1"/>       | bom.xml: CycloneDX 1.1 is not supported (Custody reads 1.2 to 1.6)
            SPDX RDF        | <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:spdx="http://spdx.org/rdf/terms#"><spdx:SpdxDocument/></rdf:RDF> | bom.xml: XML root element <RDF>
            malformed       | <bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components>         | bom.xml:1: malformed XML
            """)
    void refusesXmlThatIsNotACycloneDxBom(String why, String xml, String message) {
        assertThatThrownBy(() -> SbomReader.read(xml.getBytes(UTF_8), "bom.xml")).isInstanceOf(SbomException.class)
                .hasMessageContaining(message);
    }

    @Test
    void xmlExternalEntitiesNeverReadALocalFile(@TempDir Path dir) throws Exception {
        String secret = "custody-xxe-secret-" + System.nanoTime();
        Path file = Files.writeString(dir.resolve("secret.txt"), secret);
        String uri = file.toUri().toString();
        List<String> attacks = List.of(
                // classic external general entity
                """
                <?xml version="1.0"?>
                <!DOCTYPE bom [<!ENTITY xxe SYSTEM "%s">]>
                <bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">
                  <components><component type="library"><name>&xxe;</name><version>1</version></component></components>
                </bom>
                """.formatted(uri),
                // external DTD
                """
                <?xml version="1.0"?>
                <!DOCTYPE bom SYSTEM "%s">
                <bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"/>
                """.formatted(uri),
                // parameter entity
                """
                <?xml version="1.0"?>
                <!DOCTYPE bom [<!ENTITY %% p SYSTEM "%s"> %%p;]>
                <bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"/>
                """.formatted(uri),
                // internal entity expansion (billion laughs, shortened)
                """
                <?xml version="1.0"?>
                <!DOCTYPE bom [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
                <bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">
                  <components><component type="library"><name>&b;</name></component></components>
                </bom>
                """);
        for (String attack : attacks) {
            assertThatThrownBy(() -> SbomReader.read(attack.getBytes(UTF_8), "xxe.xml"))
                    .isInstanceOf(SbomException.class)
                    .hasMessageContaining("DOCTYPE declarations are not allowed")
                    .message().doesNotContain(secret);
        }

        // cyclonedx-core-java on its own blocks the external entity too (accessExternalDTD is ""): it refuses the
        // document rather than reading the file
        XmlParser library = new XmlParser();
        byte[] classic = attacks.getFirst().getBytes(UTF_8);
        assertThat(library.validate(classic, Version.VERSION_15)).isNotEmpty()
                .allSatisfy(e -> assertThat(e.getMessage()).doesNotContain(secret));
        PrintStream err = System.err;
        System.setErr(new PrintStream(OutputStream.nullOutputStream())); // the library's DOM parser prints its errors
        try {
            Bom bom = library.parse(classic);
            assertThat(bom.getComponents()).allSatisfy(c -> assertThat(c.getName()).doesNotContain(secret));
        } catch (org.cyclonedx.exception.ParseException e) {
            assertThat(e.getMessage()).contains("accessExternalDTD").doesNotContain(secret);
        } finally {
            System.setErr(err);
        }
    }

    @Test
    void limitsAreNamed() {
        SbomLimits small = new SbomLimits(1_000_000, 3, 10, 64);
        byte[] eleven = SyntheticSbom.cycloneDxJson(11, 1);
        assertThatThrownBy(() -> SbomReader.read(eleven, "big.json", small))
                .hasMessage("big.json: more than 10 components (limit maxComponents)");
        assertThatThrownBy(() -> SbomReader.read(eleven, "big.json", new SbomLimits(1000, 3, 10, 64)))
                .hasMessageStartingWith("big.json: " + eleven.length + " bytes, larger than the limit of 1000 bytes (limit maxBytes)");

        StringBuilder deep = new StringBuilder("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\", \"components\": [");
        for (int i = 0; i < 5; i++) {
            deep.append("{\"type\": \"library\", \"name\": \"c").append(i).append("\", \"components\": [");
        }
        deep.append("]}".repeat(5)).append("]}");
        assertThatThrownBy(() -> SbomReader.read(deep.toString().getBytes(UTF_8), "deep.json", small))
                .hasMessage("deep.json: components nested more than 3 levels deep (limit maxComponentDepth) at "
                        + "/components/0/components/0/components/0");

        String nested = "{\"bomFormat\": \"CycloneDX\", \"x\": " + "[".repeat(100) + "]".repeat(100) + "}";
        assertThatThrownBy(() -> SbomReader.read(nested.getBytes(UTF_8), "nest.json", small))
                .hasMessageStartingWith("nest.json:1:")
                .hasMessageEndingWith(": JSON nested deeper than 64 levels (limit maxNestingDepth)");

        String xml = "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\">" + "<a>".repeat(100) + "</a>".repeat(100) + "</bom>";
        assertThatThrownBy(() -> SbomReader.read(xml.getBytes(UTF_8), "nest.xml", small))
                .hasMessage("nest.xml:1: XML nested deeper than 64 levels (limit maxNestingDepth)");
    }

    @Test
    void syntheticDocumentsAreValidAndExact() throws Exception {
        byte[] doc = SyntheticSbom.cycloneDxJson(700, 7);
        assertThat(SyntheticSbom.cycloneDxJson(700, 7)).isEqualTo(doc);
        Sbom sbom = SbomReader.read(doc, "synthetic.json");
        assertThat(sbom.specVersion()).isEqualTo("1.5");
        assertThat(sbom.components()).hasSize(700);
        assertThat(sbom.components()).allSatisfy(c -> assertThat(c.purl()).isNotNull());
        assertThat(sbom.subjectDigests()).hasSize(1);
        assertThat(sbom.dependencies()).hasSizeGreaterThan(700);
        assertThat(sbom.components()).anyMatch(c -> c.ref().equals(c.purl()));
        // some components are nested: fewer than 700 are at the top level
        JsonNode top = new ObjectMapper().readTree(doc).get("components");
        assertThat(top.size()).isBetween(400, 699);
    }
}
