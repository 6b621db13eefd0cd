package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code custody vuln db import} and {@code vuln match} as a user runs them, over the real OSV records of the corpus
 * (GHSA, PYSEC, Go vulndb, Debian DLA, Alpine): counts, refusals named by file and field, an incremental second
 * run, and matches with each ecosystem's order, in and out of ranges, merged by alias.
 */
class VulnCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path OSV = EvidenceCommandsTest.ROOT.resolve("../shared/corpora/osv");

    @TempDir
    Path tmp;

    @Test
    void importIsIncrementalRefusesBrokenRecordsAndMatchesWithEachEcosystemsOrder() throws Exception {
        String store = tmp.resolve("v.db").toString();
        Path broken = Files.createDirectories(tmp.resolve("broken"));
        Files.writeString(broken.resolve("bad-event.json"), "{\"id\": \"X-1\", \"modified\": \"2024-01-01T00:00:00Z\", \"affected\": [{\"package\": "
                + "{\"ecosystem\": \"npm\", \"name\": \"a\"}, \"ranges\": [{\"type\": \"SEMVER\", \"events\": [{\"fixed\": \"1.0.0\"}]}]}]}");
        Files.writeString(broken.resolve("not-json.json"), "{\"id\": ");
        Files.writeString(broken.resolve("no-modified.json"), "{\"id\": \"X-2\"}");

        CliResult first = CliResult.run("vuln", "db", "import", OSV.resolve("ghsa-maven-zeppelin").toString(), OSV.resolve("pypi-pysec").toString(),
                OSV.resolve("go-vulndb").toString(), OSV.resolve("osv-scanner-offline-dbs").toString(), broken.toString(), "--store", store);
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).containsPattern("^1\\d\\d\\d added, \\d+ updated, \\d+ withdrawn, \\d+ unchanged, 3 refused");
        assertThat(first.err()).contains("bad-event.json: affected[0].ranges[0].events: missing 'introduced' object in event")
                .contains("no-modified.json: modified: required").contains("not-json.json: not JSON");
        CliResult again = CliResult.run("vuln", "db", "import", OSV.resolve("ghsa-maven-zeppelin").toString(), "--store", store);
        assertThat(again.out()).startsWith("0 added, 0 updated, 0 withdrawn, 356 unchanged, 0 refused");

        Path sbom = tmp.resolve("bom.json");
        Files.writeString(sbom, """
                {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
                  {"type": "library", "name": "jline-parent", "version": "3.24.1", "purl": "pkg:maven/org.jline/jline-parent@3.24.1"},
                  {"type": "library", "name": "jline-parent", "version": "3.25.0", "purl": "pkg:maven/org.jline/jline-parent@3.25.0"},
                  {"type": "library", "name": "Django", "version": "3.2.4", "purl": "pkg:pypi/Django@3.2.4"},
                  {"type": "library", "name": "openssl", "version": "1.1.0l-1~deb9u5", "purl": "pkg:deb/debian/libssl1.1@1.1.0l-1~deb9u5?arch=amd64&distro=debian-9&upstream=openssl"},
                  {"type": "library", "name": "openssl", "version": "1.1.0l-1~deb9u6", "purl": "pkg:deb/debian/libssl1.1@1.1.0l-1~deb9u6?arch=amd64&distro=debian-9&upstream=openssl"},
                  {"type": "library", "name": "left-pad", "purl": "pkg:npm/left-pad"},
                  {"type": "library", "name": "x", "purl": "pkg:generic/x@1"}]}
                """);
        CliResult matched = CliResult.run("vuln", "match", "--sbom", sbom.toString(), "-o", "json", "--store", store);
        assertThat(matched.code()).as(matched.err()).isZero();
        JsonNode m = JSON.readTree(matched.out());
        List<String> found = new ArrayList<>();
        m.path("findings").forEach(f -> found.add(f.path("purl").asText() + " " + f.path("id").asText()));
        assertThat(found).contains("pkg:maven/org.jline/jline-parent@3.24.1 GHSA-2268-98wh-qfhf")
                .noneMatch(f -> f.startsWith("pkg:maven/org.jline/jline-parent@3.25.0"))
                .anyMatch(f -> f.startsWith("pkg:pypi/django@3.2.4 PYSEC-")) // the SBOM reader spells PyPI names as PEP 503 does
                .contains("pkg:deb/debian/libssl1.1@1.1.0l-1~deb9u5?arch=amd64&distro=debian-9&upstream=openssl DLA-3008-1")
                .noneMatch(f -> f.contains("deb9u6"));
        JsonNode jline = null;
        for (JsonNode f : m.path("findings")) {
            if (f.path("id").asText().equals("GHSA-2268-98wh-qfhf")) {
                jline = f;
            }
        }
        assertThat(jline.path("aliases").toString()).isEqualTo("[\"CVE-2023-50572\"]");
        assertThat(jline.path("fixed").toString()).isEqualTo("[\"3.25.0\"]");
        assertThat(jline.path("severity").asText()).isIn("critical", "high", "medium", "low");
        assertThat(jline.path("sources").toString()).isEqualTo("[\"osv:GHSA-2268-98wh-qfhf\"]");
        assertThat(jline.path("status").asText()).isEqualTo("affected");
        assertThat(jline.has("exception") && jline.get("exception").isNull()).isTrue();
        assertThat(m.path("unmatched").findValuesAsText("reason")).contains("no version: every version would match", "no OSV ecosystem for purl type generic");

        assertThat(jline.path("knownExploited").asBoolean()).isFalse();
        assertThat(jline.path("epss").isNull()).isTrue();

        // exploit signals, in the files' published formats (written here: the corpus holds neither)
        Path kev = tmp.resolve("known_exploited_vulnerabilities.json");
        Files.writeString(kev, "{\"title\": \"Known Exploited Vulnerabilities Catalog\", \"catalogVersion\": \"2026.12.01\", \"count\": 1, "
                + "\"vulnerabilities\": [{\"cveID\": \"CVE-2023-50572\", \"vendorProject\": \"JLine\", \"product\": \"JLine\", "
                + "\"dateAdded\": \"2026-11-30\", \"dueDate\": \"2026-12-21\"}]}");
        Path epss = tmp.resolve("epss_scores.csv");
        Files.writeString(epss, "#model_version:v2025.03.14,score_date:2026-12-01T00:00:00+0000\ncve,epss,percentile\nCVE-2023-50572,0.91234,0.99876\n");
        CliResult feeds = CliResult.run("vuln", "db", "import", "--kev", kev.toString(), "--epss", epss.toString(), "--store", store);
        assertThat(feeds.code()).as(feeds.err()).isZero();
        assertThat(feeds.out()).contains("1 known-exploited CVEs").contains("1 exploit prediction scores");
        JsonNode marked = null;
        for (JsonNode f : JSON.readTree(CliResult.run("vuln", "match", "--sbom", sbom.toString(), "-o", "json", "--store", store).out()).path("findings")) {
            if (f.path("id").asText().equals("GHSA-2268-98wh-qfhf")) {
                marked = f;
            }
        }
        assertThat(marked.path("knownExploited").asBoolean()).isTrue();
        assertThat(marked.path("epss").asDouble()).isEqualTo(0.91234);
        Path badEpss = tmp.resolve("bad.csv");
        Files.writeString(badEpss, "cve,epss,percentile\nCVE-2023-1,1.5,0.2\n");
        CliResult refused = CliResult.run("vuln", "db", "import", "--epss", badEpss.toString(), "--store", store);
        assertThat(refused.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(refused.err()).contains("bad.csv:2: not \"CVE-id,score,percentile\"");

        CliResult text = CliResult.run("vuln", "match", "--sbom", sbom.toString(), "--store", store);
        assertThat(text.out()).contains("GHSA-2268-98wh-qfhf").contains("fixed in 3.25.0").containsPattern("\\d+ findings in 7 components \\(2 not matchable\\)");
        assertThat(CliResult.run("vuln", "match", "--digest", "sha256:" + "0".repeat(64), "--store", store).err()).contains("holds no SBOM");
    }

    /** A vulnerability id blocks, and an incident finds, every stored digest whose SBOM lists a version its records affect. */
    @Test
    void aVulnerabilityIdReachesTheDigestsWhoseComponentsItsRecordsAffect() throws Exception {
        String store = tmp.resolve("d.db").toString();
        assertThat(CliResult.run("vuln", "db", "import", OSV.resolve("ghsa-maven-zeppelin").toString(), "--store", store).code()).isZero();
        String bad = "sha256:" + "b1".repeat(32);
        String fixed = "sha256:" + "f1".repeat(32);
        for (var e : java.util.Map.of(bad, "3.24.1", fixed, "3.25.0").entrySet()) {
            Path sbom = tmp.resolve(e.getValue() + ".json");
            Files.writeString(sbom, "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\", \"version\": 1, \"components\": [{\"type\": \"library\", "
                    + "\"name\": \"jline-parent\", \"version\": \"" + e.getValue() + "\", \"purl\": \"pkg:maven/org.jline/jline-parent@" + e.getValue() + "\"}]}");
            assertThat(CliResult.run("sbom", "ingest", sbom.toString(), "--digest", e.getKey(), "--store", store).code()).isZero();
        }
        CliResult added = CliResult.run("denylist", "add", "--vulnerability", "CVE-2023-50572", "--reason", "jline DoS", "--store", store);
        assertThat(added.code()).as(added.err()).isZero();
        try (dev.custody.store.Store s = dev.custody.store.Store.open(store)) {
            var view = dev.custody.evidence.DenylistCache.view(s, new dev.custody.store.Denylist(s).active(System.currentTimeMillis()));
            assertThat(view.entries()).extracting(dev.custody.engine.Denylisted.Entry::value).containsExactly(bad);
            assertThat(view.entries().get(0).reason()).contains("affected by CVE-2023-50572");
        }
        assertThat(CliResult.run("denylist", "add", "--vulnerability", "not an id", "--reason", "x", "--store", store).err())
                .contains("a vulnerability entry is an advisory id");

        CliResult opened = CliResult.run("incident", "open", "--vulnerability", "CVE-2023-50572", "--title", "jline DoS", "-o", "json", "--store", store);
        assertThat(opened.code()).as(opened.err()).isZero();
        JsonNode incident = JSON.readTree(opened.out());
        assertThat(incident.path("blastRadius").path("digests").toString()).isEqualTo("[\"" + bad + "\"]");
        CliResult blocked = CliResult.run("incident", "block", incident.path("id").asText(), "--store", store);
        assertThat(blocked.code()).as(blocked.err()).isZero();
        assertThat(blocked.out()).contains("denylisted CVE-2023-50572");
        CliResult unknown = CliResult.run("incident", "open", "--vulnerability", "CVE-1999-0001", "--title", "x", "--block", "--store", store);
        assertThat(unknown.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(unknown.err()).contains("nothing to block for CVE-1999-0001: the advisory database does not know it");
        assertThat(CliResult.run("incident", "list", "--state", "all", "--store", store).out()).contains("1 incidents"); // nothing half-opened
    }
}
