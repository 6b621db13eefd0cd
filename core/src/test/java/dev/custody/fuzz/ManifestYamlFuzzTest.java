package dev.custody.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import dev.custody.manifest.ManifestException;
import dev.custody.manifest.ManifestReader;
import java.nio.charset.StandardCharsets;

/** Manifest files in YAML (multi-document, anchors, tags) as custody check reads them. */
class ManifestYamlFuzzTest {

    // a parser that spends 10 s on one input hangs: libFuzzer stops there and keeps the input (see scripts/fuzz.sh)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "30s")
    void manifestYaml(byte[] text) {
        try {
            new ManifestReader().read("fuzz.yaml", new String(text, StandardCharsets.UTF_8));
        } catch (ManifestException expected) {
            // the reader's own error, with a position
        }
    }
}
