package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code custody assess} as a CI job runs it: the repository's example policies alone, no cluster and no store. The
 * policy criteria are decided, everything about what runs is unknown, and the exit codes follow --fail-below and
 * --fail-on-gate. The real cluster and store are in AssessE2ETest.
 */
class AssessCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void thePoliciesAloneDecideThePolicyCriteriaAndLeaveTheRestUnknown() throws Exception {
        String policies = CheckCommandTest.ROOT.resolve("examples/policies").toString();
        CliResult r = CliResult.run("assess", "--policy", policies, "--no-store", "-o", "json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode a = JSON.readTree(r.out());
        assertThat(a.path("level").asInt()).isZero();
        assertThat(a.path("levels").size()).isEqualTo(6);
        assertThat(a.path("gate").size()).isEqualTo(16);
        assertThat(a.path("questions").size()).isEqualTo(11);
        assertThat(AssessE2ETest.status(a, "images.registries")).isEqualTo("pass");
        assertThat(AssessE2ETest.criterion(a, "images.registries").path("evidence").get(0).asText())
                .contains("policy approved-registries (").contains("examples/policies/approved-registries.yaml:");
        assertThat(AssessE2ETest.status(a, "images.digest")).isEqualTo("pass");
        assertThat(AssessE2ETest.status(a, "admission.webhook")).isEqualTo("unknown");
        assertThat(AssessE2ETest.status(a, "runtime.signed")).isEqualTo("unknown");
        assertThat(AssessE2ETest.status(a, "trust.signature")).isEqualTo("fail");
        AssessE2ETest.everyItemThatDoesNotPassSaysWhatIsMissing(a);
        for (JsonNode q : a.path("questions")) {
            assertThat(q.fieldNames()).toIterable().contains("number", "question", "status", "answer", "evidence", "missing");
        }

        assertThat(CliResult.run("assess", "--policy", policies, "--no-store", "--fail-below", "1").code()).isEqualTo(ExitCodes.DENIED);
        assertThat(CliResult.run("assess", "--policy", policies, "--no-store", "--fail-below", "0").code()).isEqualTo(ExitCodes.OK);
        assertThat(CliResult.run("assess", "--policy", policies, "--no-store", "--fail-on-gate").code()).isEqualTo(ExitCodes.DENIED);
    }

    @Test
    void badInputIsNamed() throws Exception {
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: p}\nspec:\n  tier: galactic\n");
        CliResult r = CliResult.run("assess", "--policy", bad.toString(), "--no-store");
        assertThat(r.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(r.err()).contains("bad.yaml:5").contains("tier");
        assertThat(CliResult.run("assess", "--no-store", "-o", "yaml").err()).contains("--output must be text, json or markdown");
        assertThat(CliResult.run("assess", "--no-store", "--fail-below", "7").err()).contains("--fail-below must be 0 to 6");
        assertThat(CliResult.run("assess", "--no-store", "--actors", bad.toString()).err()).contains("--actors needs --kubeconfig");
        CliResult unreadable = CliResult.run("assess", "--no-store", "--kubeconfig", tmp.resolve("missing-kubeconfig").toString());
        assertThat(unreadable.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(unreadable.err()).contains("missing-kubeconfig");
    }
}
