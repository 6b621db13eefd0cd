package dev.custody.vuln.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * Trivy, Grype and cosign vuln attestation reports, in the shapes those tools write (Trivy's {@code -f json} schema 2,
 * Grype's {@code -o json}, cosign's vuln/v1 predicate). The reports are written here: both scanners need their online
 * vulnerability databases to produce one, which this machine cannot reach.
 */
public class ScanReportTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String D = "sha256:" + "ab".repeat(32);

    public static final String TRIVY = """
            {"SchemaVersion": 2, "CreatedAt": "2026-12-01T10:00:00Z", "ArtifactName": "registry.example/shop/web:1.4", "ArtifactType": "container_image",
             "Metadata": {"OS": {"Family": "debian", "Name": "12.5"}, "ImageID": "sha256:%s",
                          "RepoTags": ["registry.example/shop/web:1.4"], "RepoDigests": ["registry.example/shop/web@%s"]},
             "Results": [
              {"Target": "registry.example/shop/web:1.4 (debian 12.5)", "Class": "os-pkgs", "Type": "debian", "Vulnerabilities": [
                {"VulnerabilityID": "CVE-2024-5535", "PkgID": "libssl3@3.0.11-1~deb12u2", "PkgName": "libssl3",
                 "PkgIdentifier": {"PURL": "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.5"},
                 "InstalledVersion": "3.0.11-1~deb12u2", "FixedVersion": "3.0.14-1~deb12u1", "Status": "fixed", "Severity": "CRITICAL",
                 "VendorIDs": ["DSA-5728-1"]}]},
              {"Target": "app/pom.xml", "Class": "lang-pkgs", "Type": "pom", "Vulnerabilities": [
                {"VulnerabilityID": "CVE-2023-26119", "PkgName": "net.sourceforge.htmlunit:htmlunit",
                 "PkgIdentifier": {"PURL": "pkg:maven/net.sourceforge.htmlunit/htmlunit@2.37.0"}, "InstalledVersion": "2.37.0",
                 "FixedVersion": "3.0.0", "Status": "fixed", "Severity": "CRITICAL"},
                {"VulnerabilityID": "CVE-2099-0001", "PkgName": "left-pad", "InstalledVersion": "1.0.0", "Status": "affected", "Severity": "LOW"}]},
              {"Target": "Java", "Class": "lang-pkgs", "Type": "jar"}]}
            """.formatted("9".repeat(64), D);

    public static final String GRYPE = """
            {"matches": [
              {"vulnerability": {"id": "GHSA-3xrr-7m6p-p7xh", "severity": "Critical", "fix": {"versions": ["3.0.0"], "state": "fixed"}},
               "relatedVulnerabilities": [{"id": "CVE-2023-26119", "dataSource": "https://nvd.nist.gov/vuln/detail/CVE-2023-26119"}],
               "matchDetails": [{"type": "exact-direct-match", "matcher": "java-matcher"}],
               "artifact": {"id": "1", "name": "htmlunit", "version": "2.37.0", "type": "java-archive",
                            "purl": "pkg:maven/net.sourceforge.htmlunit/htmlunit@2.37.0"}},
              {"vulnerability": {"id": "CVE-2011-3374", "severity": "Negligible", "fix": {"versions": [], "state": "not-fixed"}},
               "relatedVulnerabilities": [], "artifact": {"name": "apt", "version": "2.6.1", "type": "deb", "purl": ""}}],
             "source": {"type": "image", "target": {"userInput": "registry.example/shop/web:1.4", "manifestDigest": "%s",
                                                    "repoDigests": ["registry.example/shop/web@%s"]}},
             "descriptor": {"name": "grype", "version": "0.87.0"}}
            """.formatted(D, D);

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void aTrivyReportGivesItsDigestItsFindingsAndTheirFixes() throws Exception {
        ScanReport r = ScanReport.parse(json(TRIVY));
        assertThat(r.scanner()).isEqualTo("trivy");
        assertThat(r.digest()).as("the repo digest, not the config's image id").isEqualTo(D);
        assertThat(r.findings()).extracting(ScanReport.Finding::id).containsExactly("CVE-2024-5535", "CVE-2023-26119", "CVE-2099-0001");
        ScanReport.Finding ssl = r.findings().getFirst();
        assertThat(ssl.purl()).isEqualTo("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.5");
        assertThat(ssl.severity()).isEqualTo("critical");
        assertThat(ssl.fixed()).containsExactly("3.0.14-1~deb12u1");
        assertThat(ssl.aliases()).containsExactly("DSA-5728-1");
        ScanReport.Finding pad = r.findings().get(2);
        assertThat(pad.purl()).isNull();
        assertThat(pad.packageName()).isEqualTo("left-pad");
        assertThat(pad.fixed()).isEmpty();
        assertThat(pad.state()).isEqualTo("affected");
    }

    @Test
    void aGrypeReportGivesRelatedIdsAsAliasesAndNegligibleAsLow() throws Exception {
        ScanReport r = ScanReport.parse(json(GRYPE));
        assertThat(r.scanner()).isEqualTo("grype");
        assertThat(r.version()).isEqualTo("0.87.0");
        assertThat(r.digest()).isEqualTo(D);
        assertThat(r.findings().getFirst().aliases()).containsExactly("CVE-2023-26119");
        assertThat(r.findings().get(1).severity()).isEqualTo("low");
        assertThat(r.findings().get(1).purl()).isNull();
        assertThat(r.findings().get(1).state()).isEqualTo("not-fixed");
    }

    @Test
    void aCosignVulnAttestationCarriesEitherReportAndNamesItsSubject() throws Exception {
        String predicate = "{\"invocation\": {\"uri\": \"\"}, \"scanner\": {\"uri\": \"pkg:github/aquasecurity/trivy@v0.58.1\", \"version\": \"0.58.1\","
                + " \"db\": {\"uri\": \"\", \"version\": \"2\"}, \"result\": " + TRIVY + "}, \"metadata\": {\"scanStartedOn\": \"2026-12-01T10:00:00Z\"}}";
        ScanReport bare = ScanReport.parse(json(predicate));
        assertThat(bare.scanner()).isEqualTo("trivy");
        assertThat(bare.version()).isEqualTo("0.58.1");
        String other = "sha256:" + "cd".repeat(32);
        String statement = "{\"_type\": \"https://in-toto.io/Statement/v0.1\", \"predicateType\": \"" + ScanReport.COSIGN_VULN + "\", \"subject\": "
                + "[{\"name\": \"registry.example/shop/web\", \"digest\": {\"sha256\": \"" + "cd".repeat(32) + "\"}}], \"predicate\": {\"scanner\": "
                + "{\"uri\": \"pkg:github/anchore/grype\", \"result\": " + GRYPE + "}}}";
        ScanReport wrapped = ScanReport.parse(json(statement));
        assertThat(wrapped.scanner()).isEqualTo("grype");
        assertThat(wrapped.digest()).as("the statement's subject").isEqualTo(other);
        assertThat(wrapped.findings()).hasSize(2);
    }

    @Test
    void aReportThatIsNotOneOfThemIsRefusedWithTheFieldThatIsWrong() {
        assertThatThrownBy(() -> ScanReport.parse(json("{\"bomFormat\": \"CycloneDX\"}"))).hasMessageContaining("not a Trivy report");
        assertThatThrownBy(() -> ScanReport.parse(json("{\"SchemaVersion\": 1, \"Results\": []}"))).hasMessage("SchemaVersion: expected 2, found 1");
        assertThatThrownBy(() -> ScanReport.parse(json("{\"SchemaVersion\": 2, \"Results\": [{\"Vulnerabilities\": [{\"PkgName\": \"x\"}]}]}")))
                .hasMessage("Results[0].Vulnerabilities[0].VulnerabilityID: required, found nothing");
        assertThatThrownBy(() -> ScanReport.parse(json("{\"matches\": [{\"vulnerability\": {\"id\": \"CVE-1\"}, \"artifact\": {}}]}")))
                .hasMessage("matches[0].artifact.name: required, found nothing");
        assertThatThrownBy(() -> ScanReport.parse(json("{\"matches\": {}}"))).hasMessage("matches: expected a list, found an object");
        assertThatThrownBy(() -> ScanReport.parse(json("{\"predicateType\": \"https://slsa.dev/provenance/v1\", \"predicate\": {}}")))
                .hasMessageContaining("predicateType: expected " + ScanReport.COSIGN_VULN);
        assertThatThrownBy(() -> ScanReport.parse(json("{\"scanner\": {\"result\": {\"x\": 1}}}"))).hasMessage("scanner.result: neither a Trivy nor a Grype report");
        assertThatThrownBy(() -> ScanReport.parse(json("[1]"))).hasMessage("not a JSON object");
    }
}
