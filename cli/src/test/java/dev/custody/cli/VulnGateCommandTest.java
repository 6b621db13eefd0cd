package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vulnerability gate and exceptions as a user runs them from the CLI, on the advisories of the corpus: a stored
 * SBOM with a real critical advisory (GHSA-3xrr-7m6p-p7xh, CVE-2023-26119, fixed in htmlunit 3.0.0) is denied in
 * production and warned in dev by {@code custody check --store}; an exception approved by another identity admits
 * it, shows in {@code vuln match}, {@code vex export} and the hash chain; revoked, the gate denies again.
 */
class VulnGateCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String D = "sha256:" + "c3".repeat(32);
    static final String GHSA = "GHSA-3xrr-7m6p-p7xh";

    @TempDir
    Path tmp;

    @Test
    void aCriticalWithAFixIsDeniedInProductionUntilAnotherIdentityApprovesAnExceptionAndAgainOnceRevoked() throws Exception {
        String store = tmp.resolve("gate.db").toString();
        CliResult imported = CliResult.run("vuln", "db", "import", VulnCommandTest.OSV.resolve("ghsa-maven-zeppelin").toString(), "--store", store);
        assertThat(imported.code()).as(imported.err()).isZero();
        Path sbom = tmp.resolve("bom.json");
        Files.writeString(sbom, """
                {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
                  {"type": "library", "name": "htmlunit", "version": "2.37.0", "purl": "pkg:maven/net.sourceforge.htmlunit/htmlunit@2.37.0"},
                  {"type": "library", "name": "jline-parent", "version": "3.25.0", "purl": "pkg:maven/org.jline/jline-parent@3.25.0"}]}
                """);
        assertThat(CliResult.run("sbom", "ingest", sbom.toString(), "--digest", D, "--store", store).code()).isZero();
        Path policies = Files.createDirectories(tmp.resolve("policies"));
        for (String tier : new String[] {"dev", "production"}) {
            Files.writeString(policies.resolve(tier + ".yaml"), """
                    apiVersion: custody.dev/v1alpha1
                    kind: Policy
                    metadata: {name: %s}
                    spec:
                      tier: %s
                      namespaces: {include: [%s]}
                      images: {allowedRegistries: false}
                      vulnerabilities: {}
                    """.formatted(tier, tier, tier.equals("dev") ? "dev" : "prod"));
        }
        Path pods = tmp.resolve("pods.yaml");
        Files.writeString(pods, """
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: prod}
                spec:
                  serviceAccountName: web
                  automountServiceAccountToken: false
                  containers: [{name: app, image: "registry.example/shop/web@%s"}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: dev}
                spec:
                  serviceAccountName: web
                  automountServiceAccountToken: false
                  containers: [{name: app, image: "registry.example/shop/web@%s"}]
                """.formatted(D, D));

        CliResult denied = CliResult.run("check", "--policy", policies.toString(), pods.toString(), "--store", store, "-o", "json", "-v");
        assertThat(denied.code()).as(denied.err()).isEqualTo(ExitCodes.DENIED);
        JsonNode d = JSON.readTree(denied.out());
        assertThat(gate(d, "prod").path("code").asText()).isEqualTo("VULN_EXCEPTION_REQUIRED");
        assertThat(gate(d, "prod").path("message").asText()).contains(GHSA + " critical in pkg:maven/net.sourceforge.htmlunit/htmlunit@2.37.0 (fixed in 3.0.0)");
        assertThat(gate(d, "dev").path("code").asText()).isEqualTo("VULN_WARNED");
        assertThat(gate(d, "dev").path("outcome").asText()).isEqualToIgnoringCase("warn");
        // without a store the gate says it did not look, and does not deny
        CliResult blind = CliResult.run("check", "--policy", policies.toString(), pods.toString(), "-o", "json", "-v");
        assertThat(blind.code()).isZero();
        assertThat(gate(JSON.readTree(blind.out()), "prod").path("code").asText()).isEqualTo("VULN_NOT_CHECKED");

        // a request longer than the policies allow is refused before it is stored
        CliResult tooLong = CliResult.run("exception", "request", "--vulnerability", "CVE-2023-26119", "--digest", D, "--namespace", "prod",
                "--owner", "payments", "--reason", "r", "--expires", "200d", "--policy", policies.toString(), "--store", store, "--as", "alice");
        assertThat(tooLong.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(tooLong.err()).contains("longer than the policies allow (90 days)");

        CliResult requested = CliResult.run("exception", "request", "--vulnerability", "CVE-2023-26119", "--digest", D, "--namespace", "prod",
                "--owner", "payments", "--reason", "htmlunit runs only in an offline report job", "--ticket", "https://tickets.example/SEC-12",
                "--expires", "30d", "--policy", policies.toString(), "--store", store, "--as", "alice");
        assertThat(requested.code()).as(requested.err()).isZero();
        String id = requested.out().strip();
        assertThat(id).matches("EXC-\\d{8}-[0-9a-f]{6}");
        // requested is not approved: still denied
        assertThat(CliResult.run("check", "--policy", policies.toString(), pods.toString(), "--store", store).code()).isEqualTo(ExitCodes.DENIED);

        CliResult self = CliResult.run("exception", "approve", id, "--store", store, "--as", "alice");
        assertThat(self.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(self.err()).contains("exception " + id + " was requested by alice; another identity must approve it");
        CliResult approved = CliResult.run("exception", "approve", id, "--note", "checked the job's network policy", "--store", store, "--as", "bob",
                "-o", "json");
        assertThat(approved.code()).as(approved.err()).isZero();
        assertThat(JSON.readTree(approved.out()).path("state").asText()).isEqualTo("active");

        CliResult admitted = CliResult.run("check", "--policy", policies.toString(), pods.toString(), "--store", store, "-o", "json", "-v");
        assertThat(admitted.code()).as(admitted.out()).isZero();
        JsonNode a = gate(JSON.readTree(admitted.out()), "prod");
        assertThat(a.path("code").asText()).isEqualTo("VULN_EXCEPTION_APPLIED");
        assertThat(a.path("message").asText()).startsWith("exception " + id + " admits ").contains(GHSA);

        CliResult match = CliResult.run("vuln", "match", "--digest", D, "-o", "json", "--store", store);
        JsonNode finding = JSON.readTree(match.out()).path("findings").get(0);
        assertThat(finding.path("id").asText()).isEqualTo(GHSA);
        assertThat(finding.path("exception").asText()).isEqualTo(id);
        CliResult vex = CliResult.run("vex", "export", "--digest", D, "--store", store);
        assertThat(JSON.readTree(vex.out()).path("statements").get(0).path("action_statement").asText()).contains("under exception " + id);

        CliResult shown = CliResult.run("exception", "show", id, "-o", "json", "--store", store);
        JsonNode s = JSON.readTree(shown.out());
        assertThat(s.path("scope").path("namespace").asText()).isEqualTo("prod");
        assertThat(s.path("requester").asText()).isEqualTo("alice");
        assertThat(s.path("approver").asText()).isEqualTo("bob");
        assertThat(s.path("history").findValuesAsText("action")).containsExactly("request", "approve");
        CliResult soon = CliResult.run("exception", "list", "--expiring", "31d", "-o", "json", "--store", store);
        assertThat(JSON.readTree(soon.out()).path("exceptions").findValuesAsText("id")).containsExactly(id);
        assertThat(JSON.readTree(CliResult.run("exception", "list", "--expiring", "7d", "-o", "json", "--store", store).out())
                .path("exceptions").size()).isZero();
        // what serve's metrics say of it: active, and expiring within a 31-day warning window but not a 7-day one
        try (dev.custody.store.Store opened = dev.custody.store.Store.open(dev.custody.store.StoreLocation.parse(store))) {
            dev.custody.vulns.StoredVulnEvidence ev = new dev.custody.vulns.StoredVulnEvidence(opened);
            for (var window : java.util.Map.of("31d", "1.0", "7d", "0.0").entrySet()) {
                dev.custody.server.Metrics metrics = new dev.custody.server.Metrics();
                metrics.judging(ev, dev.custody.policy.Ages.parse(window.getKey()));
                var bytes = new java.io.ByteArrayOutputStream();
                metrics.write(bytes);
                assertThat(bytes.toString()).contains("custody_exceptions_active 1.0").contains("custody_exceptions_expiring " + window.getValue());
            }
        }
        CliResult chain = CliResult.run("audit", "verify", "--store", store);
        assertThat(chain.code()).as(chain.out() + chain.err()).isZero();

        CliResult revoked = CliResult.run("exception", "revoke", id, "--reason", "the report job now reaches the network", "--store", store,
                "--as", "carol");
        assertThat(revoked.code()).as(revoked.err()).isZero();
        assertThat(CliResult.run("check", "--policy", policies.toString(), pods.toString(), "--store", store).code()).isEqualTo(ExitCodes.DENIED);
        assertThat(CliResult.run("exception", "approve", id, "--store", store, "--as", "dave").err()).contains("is revoked");
        assertThat(CliResult.run("exception", "show", "EXC-none", "--store", store).code()).isEqualTo(ExitCodes.INPUT_ERROR);
    }

    @Test
    void scannerReportsMergeWithTheDatabasesFindingsByPackageAndAliasAndTheGateJudgesTheirOwnToo() throws Exception {
        String store = tmp.resolve("scan.db").toString();
        assertThat(CliResult.run("vuln", "db", "import", VulnCommandTest.OSV.resolve("ghsa-maven-zeppelin").toString(), "--store", store).code()).isZero();
        Path sbom = tmp.resolve("bom.json");
        Files.writeString(sbom, """
                {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
                  {"type": "library", "name": "htmlunit", "version": "2.37.0", "purl": "pkg:maven/net.sourceforge.htmlunit/htmlunit@2.37.0"}]}
                """);
        assertThat(CliResult.run("sbom", "ingest", sbom.toString(), "--digest", D, "--store", store).code()).isZero();
        // reports in the shapes trivy image -f json and grype -o json write (written here: the scanners need their online databases)
        Path trivy = tmp.resolve("trivy.json");
        Files.writeString(trivy, """
                {"SchemaVersion": 2, "ArtifactName": "registry.example/shop/web:1.4", "ArtifactType": "container_image",
                 "Metadata": {"RepoDigests": ["registry.example/shop/web@%s"]},
                 "Results": [
                  {"Target": "web (debian 12.5)", "Class": "os-pkgs", "Type": "debian", "Vulnerabilities": [
                    {"VulnerabilityID": "CVE-2024-5535", "PkgName": "libssl3", "InstalledVersion": "3.0.11-1~deb12u2",
                     "PkgIdentifier": {"PURL": "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.5"},
                     "FixedVersion": "3.0.14-1~deb12u1", "Status": "fixed", "Severity": "CRITICAL"}]},
                  {"Target": "app/pom.xml", "Class": "lang-pkgs", "Type": "pom", "Vulnerabilities": [
                    {"VulnerabilityID": "CVE-2023-26119", "PkgName": "net.sourceforge.htmlunit:htmlunit", "InstalledVersion": "2.37.0",
                     "PkgIdentifier": {"PURL": "pkg:maven/net.sourceforge.htmlunit/htmlunit@2.37.0"},
                     "FixedVersion": "3.0.0", "Status": "fixed", "Severity": "CRITICAL"}]}]}
                """.formatted(D));
        Path grype = tmp.resolve("grype.json");
        Files.writeString(grype, """
                {"matches": [
                  {"vulnerability": {"id": "GHSA-3xrr-7m6p-p7xh", "severity": "Critical", "fix": {"versions": ["3.0.0"], "state": "fixed"}},
                   "relatedVulnerabilities": [{"id": "CVE-2023-26119"}],
                   "artifact": {"name": "htmlunit", "version": "2.37.0", "type": "java-archive", "purl": "pkg:maven/net.sourceforge.htmlunit/htmlunit@2.37.0"}}],
                 "source": {"type": "image", "target": {"manifestDigest": "%s"}}, "descriptor": {"name": "grype", "version": "0.87.0"}}
                """.formatted(D));
        CliResult imported = CliResult.run("vuln", "report", "import", trivy.toString(), grype.toString(), "--store", store);
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(imported.out()).contains(trivy + ": 2 findings from trivy for " + D).contains(grype + ": 1 findings from grype 0.87.0 for " + D);
        // a report about another digest than the one named is refused, as is one that is no report
        CliResult other = CliResult.run("vuln", "report", "import", grype.toString(), "--digest", "sha256:" + "0".repeat(64), "--store", store);
        assertThat(other.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(other.err()).contains(grype + ": the report is about " + D);
        assertThat(CliResult.run("vuln", "report", "import", sbom.toString(), "--store", store).err()).contains(sbom + ": not a Trivy report");

        JsonNode m = JSON.readTree(CliResult.run("vuln", "match", "--digest", D, "-o", "json", "--store", store).out());
        JsonNode htmlunit = null;
        JsonNode ssl = null;
        for (JsonNode f : m.path("findings")) {
            if (f.path("id").asText().equals(GHSA)) {
                htmlunit = f;
            } else if (f.path("id").asText().equals("CVE-2024-5535")) {
                ssl = f;
            }
        }
        assertThat(m.path("findings").size()).as("one finding per package and vulnerability, whatever the sources: " + m).isEqualTo(2);
        assertThat(htmlunit.path("sources").toString()).isEqualTo("[\"grype:GHSA-3xrr-7m6p-p7xh\",\"osv:GHSA-3xrr-7m6p-p7xh\",\"trivy:CVE-2023-26119\"]");
        assertThat(ssl.path("sources").toString()).isEqualTo("[\"trivy:CVE-2024-5535\"]");
        assertThat(ssl.path("purl").asText()).startsWith("pkg:deb/debian/libssl3@3.0.11-1~deb12u2");
        assertThat(ssl.path("fixed").toString()).isEqualTo("[\"3.0.14-1~deb12u1\"]");
        assertThat(ssl.path("severity").asText()).isEqualTo("critical");

        // the gate judges the scanner's own finding too: an exception for the GHSA alone leaves the distribution's critical
        Path policy = tmp.resolve("prod.yaml");
        Files.writeString(policy, """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: production}
                spec: {tier: production, images: {allowedRegistries: false}, serviceAccount: {denyDefault: false, automountToken: false},
                       vulnerabilities: {}}
                """);
        Path pod = tmp.resolve("pod.yaml");
        Files.writeString(pod, "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: prod}\nspec:\n  containers: [{name: app, image: \"r.example/web@"
                + D + "\"}]\n");
        String id = CliResult.run("exception", "request", "--vulnerability", "CVE-2023-26119", "--digest", D, "--owner", "web", "--reason", "r",
                "--namespace", "prod", "--expires", "7d", "--store", store, "--as", "alice").out().strip();
        assertThat(CliResult.run("exception", "approve", id, "--store", store, "--as", "bob").code()).isZero();
        CliResult checked = CliResult.run("check", "--policy", policy.toString(), pod.toString(), "--store", store, "-o", "json", "-v");
        assertThat(checked.code()).isEqualTo(ExitCodes.DENIED);
        List<String> codes = new java.util.ArrayList<>();
        JSON.readTree(checked.out()).path("results").get(0).path("outcomes").forEach(r -> {
            if (r.path("rule").asText().equals("vulnerabilities.gate")) {
                codes.add(r.path("code").asText() + " " + r.path("message").asText());
            }
        });
        assertThat(codes).anyMatch(c -> c.startsWith("VULN_EXCEPTION_REQUIRED") && c.contains("CVE-2024-5535 critical in pkg:deb/debian/libssl3"))
                .anyMatch(c -> c.startsWith("VULN_REBUILD_BASE") && c.contains("CVE-2024-5535"))
                .anyMatch(c -> c.startsWith("VULN_EXCEPTION_APPLIED") && c.contains(id) && c.contains(GHSA));
    }

    @Test
    void importingAdvisoriesNamesTheStoredDigestsTheyReachAndTheWorkloadsRunningThem() throws Exception {
        String store = tmp.resolve("rematch.db").toString();
        Path sbom = tmp.resolve("bom.json");
        Files.writeString(sbom, """
                {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
                  {"type": "library", "name": "htmlunit", "version": "2.37.0", "purl": "pkg:maven/net.sourceforge.htmlunit/htmlunit@2.37.0"}]}
                """);
        assertThat(CliResult.run("sbom", "ingest", sbom.toString(), "--digest", D, "--store", store).code()).isZero();
        String other = "sha256:" + "d5".repeat(32);
        Files.writeString(tmp.resolve("clean.json"), """
                {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
                  {"type": "library", "name": "htmlunit", "version": "3.0.0", "purl": "pkg:maven/net.sourceforge.htmlunit/htmlunit@3.0.0"}]}
                """);
        assertThat(CliResult.run("sbom", "ingest", tmp.resolve("clean.json").toString(), "--digest", other, "--store", store).code()).isZero();
        try (dev.custody.store.Store s = dev.custody.store.Store.open(dev.custody.store.StoreLocation.parse(store))) {
            long t = System.currentTimeMillis();
            String image = "r.example/api@" + D;
            String object = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"api-1\",\"namespace\":\"shop\"},"
                    + "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"" + image + "\"}]}}";
            new dev.custody.store.RuntimeInventory(s).observe(List.of(new dev.custody.store.RuntimeInventory.PodObservation("test", "u1", "shop", "api-1",
                    new dev.custody.store.RuntimeInventory.WorkloadRef("Deployment", "api"), "ReplicaSet/api-1/Deployment/api", "node-1", "api",
                    "Running", t, object, List.of(new dev.custody.store.RuntimeInventory.ContainerObservation("app", "containers", image, D, image, D,
                    true, 0, t, null)))), t);
        }
        // one record, GHSA-3xrr-7m6p-p7xh, arrives: it reaches the digest with htmlunit 2.37.0, not the one with 3.0.0
        Path one = Files.createDirectories(tmp.resolve("new"));
        Files.copy(VulnCommandTest.OSV.resolve("ghsa-maven-zeppelin/GHSA-3xrr-7m6p-p7xh.json"), one.resolve("GHSA-3xrr-7m6p-p7xh.json"));
        CliResult imported = CliResult.run("vuln", "db", "import", one.toString(), "--store", store);
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(imported.out()).startsWith("1 added, 0 updated, 0 withdrawn, 0 unchanged, 0 refused")
                .contains("re-matched: 1 stored digests reached by the 1 changed records; 1 pods of 1 workloads run them")
                .contains("  " + D + "  GHSA-3xrr-7m6p-p7xh  runs in test/shop/Deployment/api")
                .doesNotContain(other);
        // the same import again changes nothing, and so re-matches nothing
        assertThat(CliResult.run("vuln", "db", "import", one.toString(), "--store", store).out()).doesNotContain("re-matched");
    }

    @Test
    void runningWorkloadsAreJudgedByTheSameGateInADryRunAndInTheBackgroundWhereAnExceptionTakesEffectWithoutARestart() throws Exception {
        String store = tmp.resolve("running.db").toString();
        assertThat(CliResult.run("vuln", "db", "import", VulnCommandTest.OSV.resolve("ghsa-maven-zeppelin").toString(), "--store", store).code()).isZero();
        Path sbom = tmp.resolve("bom.json");
        Files.writeString(sbom, """
                {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
                  {"type": "library", "name": "htmlunit", "version": "2.37.0", "purl": "pkg:maven/net.sourceforge.htmlunit/htmlunit@2.37.0"}]}
                """);
        assertThat(CliResult.run("sbom", "ingest", sbom.toString(), "--digest", D, "--store", store).code()).isZero();
        Path policy = tmp.resolve("prod.yaml");
        Files.writeString(policy, """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: production}
                spec: {tier: production, images: {allowedRegistries: false}, serviceAccount: {denyDefault: false, automountToken: false},
                       vulnerabilities: {}}
                """);
        try (dev.custody.store.Store s = dev.custody.store.Store.open(dev.custody.store.StoreLocation.parse(store))) {
            long t = System.currentTimeMillis();
            String image = "r.example/reports@" + D;
            String object = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"reports-1\",\"namespace\":\"prod\"},"
                    + "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"" + image + "\"}]}}";
            new dev.custody.store.RuntimeInventory(s).observe(List.of(new dev.custody.store.RuntimeInventory.PodObservation("east", "u1", "prod",
                    "reports-1", new dev.custody.store.RuntimeInventory.WorkloadRef("Deployment", "reports"), "ReplicaSet/reports-1/Deployment/reports",
                    "node-1", "reports", "Running", t, object, List.of(new dev.custody.store.RuntimeInventory.ContainerObservation("app", "containers",
                    image, D, image, D, true, 0, t, null)))), t);

            // policy dry-run over what runs: the gate would deny it
            CliResult dry = CliResult.run("policy", "dry-run", "--policy", policy.toString(), "-o", "json", "--store", store);
            assertThat(dry.code()).as(dry.out() + dry.err()).isEqualTo(ExitCodes.DENIED);
            assertThat(JSON.readTree(dry.out()).path("denied").get(0).path("violations").toString()).contains("VULN_EXCEPTION_REQUIRED");

            // the background re-evaluator, as serve runs it, with the evidence serve holds
            dev.custody.engine.Engine engine = new dev.custody.engine.Engine(new dev.custody.policy.PolicyParser().load(
                    java.util.Map.of("p.yaml", Files.readString(policy))));
            dev.custody.vulns.StoredVulnEvidence evidence = new dev.custody.vulns.StoredVulnEvidence(s);
            java.util.concurrent.atomic.AtomicInteger changes = new java.util.concurrent.atomic.AtomicInteger();
            evidence.onChange(changes::incrementAndGet);
            dev.custody.evidence.Reevaluator re = new dev.custody.evidence.Reevaluator(s, () -> engine, null, java.time.Duration.ZERO,
                    java.time.Duration.ZERO, java.time.Duration.ofSeconds(5)).judgingVulnerabilities(evidence);
            assertThat(re.run(engine, "test").verdicts()).containsEntry("fail", 1);
            assertThat(new dev.custody.store.WorkloadReports(s).list(null, "prod", null).getFirst().results()).contains("VULN_EXCEPTION_REQUIRED");

            String id = CliResult.run("exception", "request", "--vulnerability", GHSA, "--digest", D, "--namespace", "prod", "--owner", "reports",
                    "--reason", "offline job", "--expires", "7d", "--store", store, "--as", "alice").out().strip();
            assertThat(CliResult.run("exception", "approve", id, "--store", store, "--as", "bob").code()).isZero();
            evidence.refresh(); // the poll serve runs every second: exceptions changed, re-evaluation is asked for
            assertThat(changes.get()).isEqualTo(1);
            assertThat(re.run(engine, "vulnerabilities").verdicts()).containsEntry("pass", 1);
            assertThat(new dev.custody.store.WorkloadReports(s).list(null, "prod", null).getFirst().verdict()).isEqualTo("pass");
            CliResult after = CliResult.run("policy", "dry-run", "--policy", policy.toString(), "-o", "json", "--store", store);
            assertThat(after.code()).as(after.out()).isZero();
        }
    }

    /** The gate's first result for the pod in a namespace. */
    static JsonNode gate(JsonNode report, String namespace) {
        for (JsonNode w : report.path("results")) {
            if (w.path("namespace").asText().equals(namespace)) {
                for (JsonNode r : w.path("outcomes")) {
                    if (r.path("rule").asText().equals("vulnerabilities.gate")) {
                        return r;
                    }
                }
                throw new AssertionError("no gate result for " + namespace + ": " + w);
            }
        }
        throw new AssertionError("no workload in " + namespace + ": " + report);
    }
}
