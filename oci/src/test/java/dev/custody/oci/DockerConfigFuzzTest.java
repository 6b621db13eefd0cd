package dev.custody.oci;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Docker config files and dockerconfigjson pull secrets: only {@link InvalidDockerConfigException} may come out. */
class DockerConfigFuzzTest {

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
