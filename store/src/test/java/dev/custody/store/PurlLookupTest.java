package dev.custody.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.sbom.Sbom;
import dev.custody.sbom.SbomReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A purl finds its package however it is spelled: exactly as syft printed it into a real SBOM (big-mongo, syft 0.58,
 * from ../shared/corpora), in the specification's canonical form, with its qualifiers in another order, or without
 * a version. The lookup compares parsed parts, so none of these is a silent "no image contains it".
 */
class PurlLookupTest {

    /** Tests run in the module's directory; the corpus is next to the repository. */
    static final Path MONGO = Path.of("../../shared/corpora/sbom/guac-exampledata/internal/testing/testdata/exampledata/big-mongo-cyclonedx.json");
    static final String DIGEST = "sha256:" + "4d".repeat(32);

    @StoreTest
    void aPurlIsFoundInEverySpelling(Store store) throws Exception {
        byte[] raw = Files.readAllBytes(MONGO);
        Sbom sbom = SbomReader.read(raw, MONGO.toString());
        new SbomStore(store).ingest(sbom, raw, List.of(DIGEST), "test");
        Evidence evidence = new Evidence(store);

        List<String> spellings = List.of(
                "pkg:deb/ubuntu/tar@1.30+dfsg-7ubuntu0.20.04.2?arch=amd64&distro=ubuntu-20.04", // as syft wrote it in the SBOM
                "pkg:deb/ubuntu/tar@1.30+dfsg-7ubuntu0.20.04.2?distro=ubuntu-20.04", // as an advisory or trivy prints it
                "pkg:deb/ubuntu/tar@1.30%2Bdfsg-7ubuntu0.20.04.2?distro=ubuntu-20.04&arch=amd64", // encoded, qualifiers reordered
                "PKG:DEB/ubuntu/tar@1.30%2bdfsg-7ubuntu0.20.04.2", // upper-case scheme and type, lower-case hex, no qualifiers
                "pkg:deb/ubuntu/tar"); // every version
        for (String purl : spellings) {
            assertThat(evidence.componentsByPurl(purl)).as(purl).singleElement().satisfies(h -> {
                assertThat(h.component().purl()).isEqualTo("pkg:deb/ubuntu/tar@1.30%2Bdfsg-7ubuntu0.20.04.2?arch=amd64&distro=ubuntu-20.04");
                assertThat(h.digests()).contains(DIGEST); // and the image the SBOM itself names
            });
        }
        // an epoch: the colon is never percent-encoded in the stored text, and either spelling finds it
        for (String purl : List.of("pkg:deb/ubuntu/bsdutils@1:2.34-0.1ubuntu9.3", "pkg:deb/ubuntu/bsdutils@1%3A2.34-0.1ubuntu9.3?distro=ubuntu-20.04")) {
            assertThat(evidence.componentsByPurl(purl)).as(purl).singleElement().satisfies(h -> assertThat(h.component().purl())
                    .isEqualTo("pkg:deb/ubuntu/bsdutils@1:2.34-0.1ubuntu9.3?arch=amd64&distro=ubuntu-20.04&upstream=util-linux%402.34-0.1ubuntu9.3"));
        }
        // what contradicts the stored package is not it: another version, architecture, distribution or namespace
        for (String purl : List.of("pkg:deb/ubuntu/tar@1.30+dfsg-7", "pkg:deb/ubuntu/tar@1.30+dfsg-7ubuntu0.20.04.2?arch=arm64",
                "pkg:deb/ubuntu/tar?distro=ubuntu-22.04", "pkg:deb/debian/tar", "pkg:rpm/ubuntu/tar")) {
            assertThat(evidence.componentsByPurl(purl)).as(purl).isEmpty();
        }
        // every heimdal library at one version, across the SBOM
        assertThat(evidence.componentsByPurl("pkg:deb/ubuntu/libasn1-8-heimdal@7.7.0+dfsg-1ubuntu1")).hasSize(1);
    }

    @StoreTest
    void rowsStoredBeforeTheirPartsExistedAreFilledInAndMerged(Store store) {
        // A row as an earlier Custody wrote it (packageurl-java's text, ":" encoded, no parts), and the same package
        // as this one writes it: the step that fills in the parts makes them one component, in both SBOMs.
        SbomStore sboms = new SbomStore(store);
        sboms.ingest(Records.sbom("a", List.of(Records.D1), "pkg:deb/ubuntu/libllvm15@1:15.0.4-1~kisak~f"), new byte[] {1}, List.of(), "cli");
        String old = "pkg:deb/ubuntu/libllvm15@1%3A15.0.4-1~kisak~f";
        long oldId = SbomStore.id(old);
        store.write(c -> {
            try (var s = c.createStatement()) {
                s.executeUpdate("INSERT INTO component (component_id, component_key, purl, purl_type, name, version, type) VALUES (" + oldId
                        + ", '" + old + "', '" + old + "', 'deb', 'libllvm15', '1:15.0.4-1~kisak~f', 'library')");
                s.executeUpdate("INSERT INTO sbom_document (doc_id, content_hash, format, spec_version, name, component_count, dependency_count, "
                        + "quality_score, quality, size_bytes, document, ingested_at, source) SELECT 77, 'sha256:" + "77".repeat(32)
                        + "', format, spec_version, name, 1, 0, quality_score, quality, size_bytes, document, ingested_at, source FROM sbom_document");
                s.executeUpdate("INSERT INTO sbom_component (doc_id, ordinal, ref, component_id) VALUES (77, 0, 'old', " + oldId + ")");
                s.executeUpdate("INSERT INTO component (component_id, component_key, purl, purl_type, name, version, type) VALUES (12345, "
                        + "'pkg:npm/%40scope/x@1.0.0', 'pkg:npm/%40scope/x@1.0.0', 'npm', 'x', '1.0.0', 'library')");
                s.executeUpdate("INSERT INTO component (component_id, component_key, purl, purl_type, name, version, type) VALUES (12346, "
                        + "'pkg:broken', 'pkg:broken', NULL, 'broken', NULL, 'library')");
            }
            PurlParts.backfill(c);
            return null;
        });
        Evidence evidence = new Evidence(store);
        assertThat(evidence.componentsByPurl("pkg:deb/ubuntu/libllvm15@1:15.0.4-1~kisak~f")).singleElement().satisfies(h -> {
            assertThat(h.component().purl()).isEqualTo("pkg:deb/ubuntu/libllvm15@1:15.0.4-1~kisak~f");
            assertThat(h.sboms()).hasSize(2);
        });
        assertThat(evidence.componentsByPurl("pkg:npm/@scope/x")).singleElement()
                .satisfies(h -> assertThat(h.component().purl()).isEqualTo("pkg:npm/%40scope/x@1.0.0"));
        Integer left = store.read(c -> {
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM component WHERE purl = 'pkg:broken'")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(left).isEqualTo(1); // a purl that does not parse keeps its text
    }
}
