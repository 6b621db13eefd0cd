package dev.custody.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.vuln.vex.VexDocuments;
import java.io.IOException;

/** VEX documents (OpenVEX, CycloneDX VEX, CSAF) as custody vex import reads them. */
class VexFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    // a parser that spends 10 s on one input hangs: libFuzzer stops there and keeps the input (see scripts/fuzz.sh)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "30s")
    void vex(byte[] bytes) {
        JsonNode n;
        try {
            n = JSON.readTree(bytes);
        } catch (IOException notJson) {
            return;
        }
        try {
            VexDocuments.parse(n, "sha256:" + "a".repeat(64));
        } catch (VexDocuments.InvalidVexException expected) {
            // the document's own error
        }
    }
}
