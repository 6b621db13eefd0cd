package dev.custody.sbom;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The quality score: the mean share of components with purl, version, license and hash, times 80, plus 20 for a supplier. */
class QualityTest {

    @Test
    void scoresAHandWrittenDocument() throws SbomException {
        // 4 components: purls 3/4 (d's does not parse, so it is dropped), versions 2/4, licenses 1/4, hashes 0/4,
        // supplier in metadata
        Sbom sbom = SbomReader.read("""
                {"bomFormat": "CycloneDX", "specVersion": "1.5",
                 "metadata": {"supplier": {"name": "Example Shop Ltd"}},
                 "components": [
                   {"type": "library", "name": "a", "version": "1", "purl": "pkg:npm/a@1", "licenses": [{"license": {"id": "MIT"}}]},
                   {"type": "library", "name": "b", "version": "2", "purl": "pkg:npm/b@2"},
                   {"type": "library", "name": "c", "purl": "pkg:npm/c"},
                   {"type": "library", "name": "d", "purl": "this is not a purl"}
                 ]}
                """.getBytes(UTF_8), "quality.json");
        Quality q = sbom.quality();
        assertThat(q.components()).isEqualTo(4);
        assertThat(q.withPurl()).isEqualTo(0.75);
        assertThat(q.withVersion()).isEqualTo(0.5);
        assertThat(q.withLicense()).isEqualTo(0.25);
        assertThat(q.withHash()).isEqualTo(0.0);
        assertThat(q.supplier()).isTrue();
        assertThat(q.score()).isCloseTo((0.75 + 0.5 + 0.25 + 0.0) / 4 * 80 + 20, within(1e-9)).isCloseTo(50.0, within(1e-9));
    }

    @Test
    void aPerfectDocumentScores100AndAnEmptyOneAtMost20() {
        Component full = new Component("r", "pkg:npm/a@1", "library", "a", "1", List.of("MIT"),
                java.util.Map.of("SHA-256", "00"), null);
        assertThat(Quality.of(List.of(full, full), true).score()).isEqualTo(100.0);
        assertThat(Quality.of(List.of(full), false).score()).isEqualTo(80.0);
        assertThat(Quality.of(List.of(), true)).isEqualTo(new Quality(0, 0, 0, 0, 0, true, 0, List.of(), 20.0));
        assertThat(Quality.of(List.of(), false).score()).isEqualTo(0.0);
    }

    @Test
    void theSubjectsSupplierCounts() throws SbomException {
        Sbom sbom = SbomReader.read("""
                {"bomFormat": "CycloneDX", "specVersion": "1.6",
                 "metadata": {"component": {"type": "container", "name": "app", "supplier": {"name": "Example"}}}}
                """.getBytes(UTF_8), "quality.json");
        assertThat(sbom.quality().supplier()).isTrue();
        Sbom tools = SbomReader.read("""
                {"bomFormat": "CycloneDX", "specVersion": "1.6",
                 "metadata": {"tools": {"components": [{"type": "application", "name": "syft"}]}}}
                """.getBytes(UTF_8), "quality.json");
        assertThat(tools.quality().supplier()).isFalse(); // a tool is not a supplier
    }
}
