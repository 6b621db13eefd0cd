package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.store.RuntimeInventory;
import dev.custody.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code custody incident} as a user runs it, on an embedded store: a vulnerability incident from a real OSV record
 * (GHSA corpus) over an ingested SBOM and a recorded pod; usage errors name the option.
 */
class IncidentCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path OSV = EvidenceCommandsTest.ROOT.resolve("../shared/corpora/osv/ghsa-maven-zeppelin/GHSA-2268-98wh-qfhf.json");
    static final String DIGEST = "sha256:" + "3c".repeat(32);

    @TempDir
    Path tmp;

    @Test
    void aVulnerabilityIncidentFindsThePodsWhoseSbomListsAnAffectedVersion() throws Exception {
        String store = tmp.resolve("c.db").toString();
        Path sbom = tmp.resolve("bom.json");
        Files.writeString(sbom, """
                {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
                  {"type": "library", "name": "jline-parent", "group": "org.jline", "version": "3.24.1", "purl": "pkg:maven/org.jline/jline-parent@3.24.1"},
                  {"type": "library", "name": "guava", "group": "com.google.guava", "version": "33.0.0-jre", "purl": "pkg:maven/com.google.guava/guava@33.0.0-jre"}]}
                """);
        CliResult ingested = CliResult.run("sbom", "ingest", sbom.toString(), "--digest", DIGEST, "--store", store);
        assertThat(ingested.code()).as(ingested.err()).isZero();
        try (Store s = Store.open(store)) { // what a collector would record: one pod running the digest
            new RuntimeInventory(s).observe(List.of(new RuntimeInventory.PodObservation("east", "u1", "shop", "api-1",
                    new RuntimeInventory.WorkloadRef("Deployment", "api"), "Deployment/api", "n1", "default", "Running", 1L, "{}",
                    List.of(new RuntimeInventory.ContainerObservation("app", "containers", "r.example/shop/api:1", null, "r.example/shop/api@" + DIGEST,
                            DIGEST, true, 0, 1L, null)))), 2L);
        }

        CliResult opened = CliResult.run("incident", "open", "--vulnerability", "CVE-2023-50572", "--advisory", OSV.toString(), "--title",
                "jline DoS", "--store", store);
        assertThat(opened.code()).as(opened.err()).isZero();
        String id = opened.out().strip();
        assertThat(id).matches("INC-\\d{8}-[0-9a-f]{6}");
        assertThat(opened.err()).contains("1 pods of 1 workloads in 1 namespaces of 1 clusters run it").contains("38 affected package versions");

        JsonNode shown = JSON.readTree(CliResult.run("incident", "show", id, "-o", "json", "--store", store).out());
        assertThat(shown.path("target").path("kind").asText()).isEqualTo("vulnerability");
        assertThat(shown.path("blastRadius").path("digests").toString()).isEqualTo("[\"" + DIGEST + "\"]");
        assertThat(shown.path("blastRadius").path("pods").get(0).path("pod").asText()).isEqualTo("api-1");
        assertThat(shown.path("burndown").get(0).path("running").asInt()).isEqualTo(1);

        CliResult blocked = CliResult.run("incident", "block", id, "--store", store);
        assertThat(blocked.code()).as(blocked.err()).isZero();
        assertThat(blocked.out().lines().count()).isEqualTo(38); // one package entry per affected version
        CliResult text = CliResult.run("incident", "show", id, "--store", store);
        assertThat(text.out()).contains("blast radius: 1 pods, 1 workloads, 1 namespaces, 1 clusters").contains("east/shop Deployment/api: 1 pods")
                .contains("blocked ").contains("still running");
        CliResult listed = CliResult.run("incident", "list", "--store", store);
        assertThat(listed.out()).contains(id).contains("1 running").contains("1 incidents");
    }

    @Test
    void usageErrorsNameTheOptionAndTouchNothing() {
        String store = tmp.resolve("u.db").toString();
        CliResult severity = CliResult.run("incident", "open", "--digest", DIGEST, "--title", "x", "--severity", "urgent", "--store", store);
        assertThat(severity.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(severity.err()).contains("severity is one of critical, high, medium, low; found \"urgent\"");
        CliResult advisory = CliResult.run("incident", "open", "--digest", DIGEST, "--advisory", OSV.toString(), "--title", "x", "--store", store);
        assertThat(advisory.err()).contains("--advisory goes with --vulnerability");
        CliResult other = CliResult.run("incident", "open", "--vulnerability", "CVE-2000-1", "--advisory", OSV.toString(), "--title", "x", "--store",
                store);
        assertThat(other.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(other.err()).contains("is GHSA-2268-98wh-qfhf").contains("not CVE-2000-1");
        CliResult none = CliResult.run("incident", "show", "INC-20990101-000000", "--store", store);
        assertThat(none.err()).contains("no incident INC-20990101-000000");
        CliResult workload = CliResult.run("incident", "action", "INC-1", "--workload", "shop/api", "--action", "restart", "--store", store);
        assertThat(workload.err()).contains("--workload is NAMESPACE/KIND/NAME");
        CliResult both = CliResult.run("incident", "open", "--digest", DIGEST, "--package", "pkg:npm/a@1", "--title", "x", "--store", store);
        assertThat(both.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        CliResult badPurl = CliResult.run("incident", "open", "--package", "npm/a", "--title", "x", "--store", store);
        assertThat(badPurl.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(CliResult.run("incident", "list", "--state", "all", "--store", store).out()).contains("0 incidents");
    }
}
