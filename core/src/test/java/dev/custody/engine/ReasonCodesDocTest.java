package dev.custody.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.TestPaths;
import dev.custody.decision.ReasonCode;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** docs/reason-codes.md is the contract for tools that match on codes; it must list every code the engine can emit. */
class ReasonCodesDocTest {

    @Test
    void everyReasonCodeIsDocumented() throws Exception {
        String doc = Files.readString(TestPaths.repoRoot().resolve("docs/reason-codes.md"));
        for (ReasonCode c : ReasonCode.values()) {
            assertThat(doc).as("docs/reason-codes.md documents " + c).contains("| `" + c.name() + "` |");
        }
    }
}
