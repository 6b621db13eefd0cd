package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code custody check} as CI runs it: exit codes, machine-readable output, and errors that name file and line. */
class CheckCommandTest {

    static final Path ROOT = repoRoot();
    static final String POLICIES = ROOT.resolve("examples/policies").toString();
    static final String MANIFESTS = ROOT.resolve("examples/manifests").toString();

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return new ObjectMapper().readTree(out);
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    static Run runWithStdin(String stdin, String... args) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            return run(args);
        } finally {
            System.setIn(saved);
        }
    }

    static Path repoRoot() {
        String prop = System.getProperty("custody.repoRoot");
        Path p = prop != null ? Path.of(prop) : Path.of("").toAbsolutePath();
        while (!Files.exists(p.resolve("core/pom.xml"))) {
            p = p.getParent();
        }
        return p;
    }

    static void assertNoStackTrace(Run r) {
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception:");
    }

    @Test
    void examplesDenyWhatTheyShouldAndJsonKeepsTheContract() throws Exception {
        Run r = run("check", "--policy", POLICIES, "--output", "json", MANIFESTS);
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.DENIED);
        JsonNode results = r.json().path("results");
        List<String> denied = new ArrayList<>();
        for (JsonNode res : results) {
            assertThat(res.has("kind") && res.has("namespace") && res.has("name") && res.has("allowed")).isTrue();
            assertThat(res.path("violations").isArray()).isTrue();
            assertThat(res.path("warnings").isArray()).isTrue();
            for (JsonNode v : res.path("violations")) {
                assertThat(v.fieldNames()).toIterable().contains("rule", "code", "path", "message");
            }
            if (!res.path("allowed").asBoolean()) {
                denied.add(res.path("kind").asText() + "/" + res.path("namespace").asText() + "/" + res.path("name").asText());
            }
        }
        assertThat(denied).containsExactlyInAnyOrder("Job/sandbox/backfill", "Deployment/staging/web",
                "StatefulSet/payments/ledger", "Pod/payments/lookalike-registry", "Pod/sandbox/node-debugger");
        JsonNode ledger = find(results, "ledger");
        assertThat(ledger.path("violations").get(0).path("code").asText()).isEqualTo("DIGEST_REQUIRED");
        assertThat(ledger.path("violations").get(0).path("path").asText()).isEqualTo("spec.template.spec.containers[0].image");
        assertThat(ledger.path("violations").get(0).path("line").asInt()).isEqualTo(20);
        JsonNode scratch = find(results, "scratch");
        assertThat(scratch.path("allowed").asBoolean()).isTrue();
        assertThat(scratch.path("warnings").get(0).path("code").asText()).isEqualTo("TAG_DENIED");
        assertThat(find(results, "api").path("skipped").asBoolean()).isFalse();
        assertThat(r.json().path("summary").path("skipped").asInt()).isEqualTo(4);
    }

    static JsonNode find(JsonNode results, String name) {
        for (JsonNode n : results) {
            if (n.path("name").asText().equals(name)) {
                return n;
            }
        }
        throw new AssertionError(name);
    }

    @Test
    void admittedInputExitsZero() {
        Run r = run("check", "-p", POLICIES, ROOT.resolve("examples/manifests/admitted-production.yaml").toString(),
                ROOT.resolve("examples/manifests/namespaces.yaml").toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("ADMITTED Deployment payments/api").contains("SKIPPED  Service payments/api");
    }

    @Test
    void readsStdinWithNamespaceAndLabelsFromFlags() throws Exception {
        String pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n"
                + "  containers: [{name: a, image: registry.example.com/a:1, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}]\n";
        Run prod = runWithStdin(pod, "check", "-p", POLICIES, "-n", "team-a", "--namespace-label", "custody.dev/tier=production", "-o", "json", "-");
        assertThat(prod.exit()).isEqualTo(ExitCodes.DENIED);
        assertThat(prod.json().path("results").get(0).path("namespace").asText()).isEqualTo("team-a");
        assertThat(prod.json().path("results").get(0).path("source").asText()).isEqualTo("<stdin>");
        Run dev = runWithStdin(pod, "check", "-p", POLICIES, "-n", "team-a", "--namespace-label", "custody.dev/tier=dev", "-");
        assertThat(dev.exit()).isEqualTo(ExitCodes.OK);
    }

    @Test
    void helmRenderedOutputIsChecked() throws Exception {
        Run r = run("check", "-p", POLICIES, "-n", "shop", "--namespace-label", "custody.dev/tier=production", "-o", "json",
                ROOT.resolve("cli/src/test/resources/helm/rendered.yaml").toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.DENIED);
        JsonNode results = r.json().path("results");
        assertThat(results).hasSize(4);
        assertThat(find(results, "shop-test-connection").path("violations")).filteredOn(v -> v.path("rule").asText().startsWith("images."))
                .extracting(v -> v.path("code").asText())
                .containsExactlyInAnyOrder("DIGEST_REQUIRED", "IMPLICIT_LATEST_DENIED"); // busybox is an official image: allowed registry
    }

    @Test
    void sarifHasRulesLevelsAndLines() throws Exception {
        Run r = run("check", "-p", POLICIES, "-o", "sarif", MANIFESTS);
        JsonNode sarif = r.json();
        assertThat(sarif.path("version").asText()).isEqualTo("2.1.0");
        JsonNode run = sarif.path("runs").get(0);
        assertThat(run.path("tool").path("driver").path("name").asText()).isEqualTo("custody");
        assertThat(run.path("results").size()).isGreaterThanOrEqualTo(9);
        for (JsonNode res : run.path("results")) {
            assertThat(res.path("level").asText()).isIn("error", "warning", "note");
            JsonNode loc = res.path("locations").get(0).path("physicalLocation");
            assertThat(loc.path("artifactLocation").path("uri").asText()).endsWith(".yaml");
            assertThat(loc.path("region").path("startLine").asInt()).isPositive();
            String ruleId = res.path("ruleId").asText();
            assertThat(run.path("tool").path("driver").path("rules").get(res.path("ruleIndex").asInt()).path("id").asText()).isEqualTo(ruleId);
        }
    }

    @Test
    void junitCountsDeniedWorkloadsAsFailures() throws Exception {
        Run r = run("check", "-p", POLICIES, "-o", "junit", MANIFESTS);
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(r.out().getBytes(StandardCharsets.UTF_8)));
        var suite = (org.w3c.dom.Element) doc.getElementsByTagName("testsuite").item(0);
        assertThat(suite.getAttribute("failures")).isEqualTo("5");
        assertThat(doc.getElementsByTagName("failure").getLength()).isEqualTo(5);
        assertThat(doc.getElementsByTagName("skipped").getLength()).isEqualTo(4);
    }

    @Test
    void malformedYamlIsAnInputErrorWithFileAndLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n");
        Run r = run("check", "-p", POLICIES, bad.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(r.err()).containsPattern("bad\\.yaml:[4-6]:\\d+: malformed YAML");
        assertNoStackTrace(r);
    }

    @Test
    void inputErrorsDoNotHideOtherFiles(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("a-bad.yaml");
        Files.writeString(bad, "kind: Pod\n");
        Run r = run("check", "-p", POLICIES, "-o", "json", bad.toString(), ROOT.resolve("examples/manifests/denied-mutable-tag.yaml").toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(r.json().path("results")).hasSize(1);
        assertThat(r.json().path("errors").get(0).asText()).contains("a-bad.yaml:1").contains("no apiVersion");
    }

    @Test
    void emptyFilesAreInputErrors(@TempDir Path dir) throws Exception {
        Path empty = dir.resolve("empty.yaml");
        Files.writeString(empty, "");
        Run manifest = run("check", "-p", POLICIES, empty.toString());
        assertThat(manifest.exit()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(manifest.err()).contains("empty.yaml").contains("no Kubernetes objects");
        Run policy = run("check", "-p", empty.toString(), MANIFESTS);
        assertThat(policy.exit()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(policy.err()).contains("empty.yaml:1").contains("no policy in this file");
        assertNoStackTrace(manifest);
        assertNoStackTrace(policy);
    }

    @Test
    void unknownPolicyFieldsAreInputErrorsWithLine(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("policy.yaml");
        Files.writeString(p, "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: x}\nspec:\n  tier: production\n  imagez: {}\n");
        Run r = run("check", "-p", p.toString(), MANIFESTS);
        assertThat(r.exit()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(r.err()).contains("policy.yaml:6:").contains("spec.imagez").contains("did you mean \"images\"");
        Run v = run("policy", "validate", p.toString());
        assertThat(v.exit()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(v.err()).contains("policy.yaml:6:");
    }

    @Test
    void fiftyMegabyteDocumentIsRefusedWithTheLimit(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.yaml");
        try (var w = Files.newBufferedWriter(big)) {
            w.write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  blob: \"");
            char[] chunk = new char[1 << 20];
            java.util.Arrays.fill(chunk, 'a');
            for (int i = 0; i < 50; i++) {
                w.write(chunk);
            }
            w.write("\"\n");
        }
        Run r = run("check", "-p", POLICIES, big.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(r.err()).contains("big.yaml").contains("larger than the limit");
        assertNoStackTrace(r);
    }

    @Test
    void tenThousandLevelDocumentIsRefusedWithTheLine(@TempDir Path dir) throws Exception {
        Path deep = dir.resolve("deep.yaml");
        Files.writeString(deep, "apiVersion: v1\nkind: Pod\nmetadata: {name: deep}\nspec: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n");
        Run r = run("check", "-p", POLICIES, deep.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(r.err()).containsPattern("deep\\.yaml:4:\\d+: nesting deeper than");
        assertNoStackTrace(r);
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run("check", MANIFESTS).exit()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(run("check", "-p", POLICIES, "-o", "xml", MANIFESTS).exit()).isEqualTo(ExitCodes.INPUT_ERROR);
        Run missing = run("check", "-p", POLICIES, "/no/such/file.yaml");
        assertThat(missing.exit()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(missing.err()).contains("/no/such/file.yaml: no such file or directory");
        assertThat(run("check", "-p", POLICIES, "--namespace-label", "novalue", MANIFESTS).exit()).isEqualTo(ExitCodes.INPUT_ERROR);
    }

    @Test
    void policyValidateListsRules() {
        Run r = run("policy", "validate", POLICIES);
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("production-images").contains("images.requireDigest").contains("6 policies valid")
                .contains("podSecurity.runAsNonRoot");
    }

    @Test
    void restrictedExampleDeniesAViolatingPodNamingTheControlAndAdmitsAHardenedOne() throws Exception {
        String policy = ROOT.resolve("examples/policies/pod-security-restricted.yaml").toString();
        Run denied = run("check", "--policy", policy, "-o", "json", ROOT.resolve("examples/manifests/denied-pod-security.yaml").toString());
        assertThat(denied.exit()).isEqualTo(ExitCodes.DENIED);
        assertThat(denied.json().path("results").get(0).path("violations")).extracting(v -> v.path("rule").asText())
                .contains("podSecurity.privileged", "podSecurity.hostNamespaces", "podSecurity.runAsNonRoot");
        Run admitted = run("check", "--policy", policy, ROOT.resolve("examples/manifests/admitted-pod-security.yaml").toString());
        assertThat(admitted.exit()).as(admitted.out()).isEqualTo(ExitCodes.OK);
    }
}
