package dev.custody.oci;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** OCI and Docker image manifests and indexes as a registry returns them: only {@link InvalidResponseException} may come out. */
class OciManifestFuzzTest {

    // a parser that spends 10 s on one input hangs: libFuzzer stops there and keeps the input (see scripts/fuzz.sh)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "30s")
    void ociManifest(byte[] body) {
        for (String type : new String[] {null, MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX}) {
            try {
                ManifestParser.parse(body, type, "registry.example", "registry.example/app@sha256:fuzz");
            } catch (InvalidResponseException expected) {
                // the registry's answer is unusable, and the error names it
            }
        }
    }
}
