package dev.custody.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.manifest.ManifestException;
import dev.custody.manifest.ManifestReader;
import java.nio.charset.StandardCharsets;

/** Manifest files in YAML (multi-document, anchors, tags) as custody check reads them. */
class ManifestYamlFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void manifestYaml(byte[] text) {
        try {
            new ManifestReader().read("fuzz.yaml", new String(text, StandardCharsets.UTF_8));
        } catch (ManifestException expected) {
            // the reader's own error, with a position
        }
    }
}
