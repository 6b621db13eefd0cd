package dev.custody.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import dev.custody.policy.InvalidPolicyException;
import dev.custody.policy.PolicyParser;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Policy files (every rule family, CEL expressions compiled) as custody serve and custody check load them. */
class PolicyFuzzTest {

    private static final PolicyParser PARSER = new PolicyParser();

    // a parser that spends 10 s on one input hangs: libFuzzer stops there and keeps the input (see scripts/fuzz.sh)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "30s")
    void policy(byte[] text) {
        try {
            PARSER.load(Map.of("fuzz.yaml", new String(text, StandardCharsets.UTF_8)));
        } catch (InvalidPolicyException expected) {
            // every problem, each with its file, line and field
        }
    }
}
