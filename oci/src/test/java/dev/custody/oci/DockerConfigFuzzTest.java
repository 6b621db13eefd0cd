package dev.custody.oci;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** Docker config files and dockerconfigjson pull secrets: only {@link InvalidDockerConfigException} may come out. */
class DockerConfigFuzzTest {

    // a parser that spends 10 s on one input hangs: libFuzzer stops there and keeps the input (see scripts/fuzz.sh)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "30s")
    void dockerConfig(byte[] json) {
        try {
            DockerConfig c = DockerConfig.parse(json, "fuzz.json");
            c.credentials(Repository.parse("registry.example/shop/app"));
            c.credentials(Repository.parse("docker.io/library/nginx"));
        } catch (InvalidDockerConfigException expected) {
            // the file's own error
        }
    }
}
