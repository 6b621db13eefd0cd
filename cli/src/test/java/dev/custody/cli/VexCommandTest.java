package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VEX as a user runs it, with the real OpenVEX and CycloneDX VEX documents of the GUAC corpus: a not_affected
 * statement about an image and its apk subcomponent turns the finding's status; a CycloneDX document without an
 * image needs --digest; the export is OpenVEX that Custody reads back. The advisory the OpenVEX document speaks of
 * (CVE-2023-12345, a made-up id in GUAC's data) is written by the test as an OSV record, since no real one exists.
 */
class VexCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path GUAC = EvidenceCommandsTest.ROOT.resolve("../shared/corpora/sbom/guac-exampledata/internal/testing/testdata/exampledata");
    static final String IMAGE = "sha256:23a264e6e429852221a963e9f17338ba3f5796dc7086e46439a6f4482cf6e0cb";

    @TempDir
    Path tmp;

    @Test
    void aNotAffectedStatementTurnsTheFindingAndTheExportSaysSo() throws Exception {
        String store = tmp.resolve("x.db").toString();
        Path osv = tmp.resolve("osv.json");
        Files.writeString(osv, """
                {"schema_version": "1.6.0", "id": "ALPINE-CVE-2023-12345", "aliases": ["CVE-2023-12345"], "modified": "2023-01-10T00:00:00Z",
                 "affected": [{"package": {"ecosystem": "Alpine:v3.17", "name": "git"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.38.2-r0"}]}]}]}
                """);
        assertThat(CliResult.run("vuln", "db", "import", osv.toString(), "--store", store).code()).isZero();
        Path sbom = tmp.resolve("git.json");
        Files.writeString(sbom, """
                {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
                  {"type": "library", "name": "git", "version": "2.38.1-r0", "purl": "pkg:apk/alpine/git@2.38.1-r0?arch=x86_64&distro=alpine-3.17.1"}]}
                """);
        assertThat(CliResult.run("sbom", "ingest", sbom.toString(), "--digest", IMAGE, "--store", store).code()).isZero();
        JsonNode before = JSON.readTree(CliResult.run("vuln", "match", "--digest", IMAGE, "-o", "json", "--store", store).out());
        assertThat(before.path("findings").get(0).path("status").asText()).isEqualTo("affected");

        CliResult imported = CliResult.run("vex", "import", GUAC.resolve("open-vex-not-affected.json").toString(), "--store", store);
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("1 statements");
        assertThat(CliResult.run("vex", "import", GUAC.resolve("open-vex-not-affected.json").toString(), "--store", store).out())
                .contains("stored already");
        JsonNode after = JSON.readTree(CliResult.run("vuln", "match", "--digest", IMAGE, "-o", "json", "--store", store).out());
        JsonNode f = after.path("findings").get(0);
        assertThat(f.path("id").asText()).isEqualTo("ALPINE-CVE-2023-12345");
        assertThat(f.path("status").asText()).isEqualTo("not_affected");
        assertThat(f.path("vex").path("justification").asText()).isEqualTo("inline_mitigations_already_exist");
        assertThat(f.path("sources").toString()).contains("vex:open-vex-not-affected.json");

        CliResult exported = CliResult.run("vex", "export", "--digest", IMAGE, "--author", "sec@example", "--store", store);
        assertThat(exported.code()).as(exported.err()).isZero();
        JsonNode doc = JSON.readTree(exported.out());
        assertThat(doc.path("@context").asText()).startsWith("https://openvex.dev/ns");
        JsonNode st = doc.path("statements").get(0);
        assertThat(st.path("vulnerability").path("name").asText()).isEqualTo("ALPINE-CVE-2023-12345");
        assertThat(st.path("vulnerability").path("aliases").toString()).contains("CVE-2023-12345");
        assertThat(st.path("status").asText()).isEqualTo("not_affected");
        assertThat(st.path("justification").asText()).isEqualTo("inline_mitigations_already_exist");
        assertThat(st.path("products").get(0).path("hashes").path("sha-256").asText()).isEqualTo(IMAGE.substring(7));
        // and what Custody writes, Custody reads
        Path out = tmp.resolve("out.openvex.json");
        Files.writeString(out, exported.out());
        assertThat(CliResult.run("vex", "import", out.toString(), "--store", store).code()).isZero();
    }

    @Test
    void aCycloneDxVexWithoutAnImageNeedsADigestAndBadDocumentsNameTheField() throws Exception {
        String store = tmp.resolve("y.db").toString();
        CliResult noImage = CliResult.run("vex", "import", GUAC.resolve("cyclonedx-vex-affected.json").toString(), "--store", store);
        assertThat(noImage.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(noImage.err()).contains("vulnerabilities[0]: the document names no image");
        CliResult withDigest = CliResult.run("vex", "import", GUAC.resolve("cyclonedx-vex-affected.json").toString(), "--digest", IMAGE, "--store", store);
        assertThat(withDigest.code()).as(withDigest.err()).isZero();
        for (String f : new String[] {"cyclonedx-vex-false-positive.json", "cyclonedx-vex-resolved-with-pedigree.json", "cyclonedx-unaffected-vex.json",
                "open-vex-affected.json"}) {
            CliResult r = CliResult.run("vex", "import", GUAC.resolve(f).toString(), "--digest", IMAGE, "--store", store);
            assertThat(r.code()).as(f + ": " + r.err()).isZero();
        }
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"statements\": [{\"vulnerability\": {\"name\": \"CVE-1\"}, "
                + "\"products\": [{\"@id\": \"" + IMAGE + "\"}], \"status\": \"not_affected\", \"justification\": \"trust_me\"}]}");
        CliResult refused = CliResult.run("vex", "import", bad.toString(), "--store", store);
        assertThat(refused.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(refused.err()).contains("statements[0].justification: not an OpenVEX justification: \"trust_me\"");
        Files.writeString(bad, "{\"hello\": 1}");
        assertThat(CliResult.run("vex", "import", bad.toString(), "--store", store).err()).contains("neither OpenVEX");
    }
}
