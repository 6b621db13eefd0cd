package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Custody against the real cosign: scripts/interop/make-fixtures.sh pushes images to a registry on loopback and
 * signs them with cosign v2.6.5 (a key, a bring-your-own CA chain, and tampered variants), and records cosign's
 * own verdict on each. `custody verify image` must reach the same verdict on every signature case. Needs
 * CUSTODY_COSIGN (scripts/test.sh builds cosign and sets it); skipped without it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CosignInteropTest {

    static final Path ROOT = Path.of(System.getProperty("custody.repoRoot", "..")).toAbsolutePath().normalize();
    static final ObjectMapper JSON = new ObjectMapper();

    Path work;
    Path fixtures;
    JsonNode doc;

    @BeforeAll
    void makeFixtures() throws Exception {
        String cosign = System.getenv("CUSTODY_COSIGN");
        Assumptions.assumeTrue(cosign != null && Files.isExecutable(Path.of(cosign)),
                "CUSTODY_COSIGN is not set: scripts/test.sh builds cosign and sets it");
        work = Files.createTempDirectory("custody-interop-");
        Process reg = new ProcessBuilder("bash", ROOT.resolve("scripts/image/registry.sh").toString(), "start", work.resolve("registry").toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String addr = new String(reg.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(reg.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(reg.exitValue()).as("registry.sh start").isZero();
        fixtures = work.resolve("fixtures");
        Process make = new ProcessBuilder("bash", ROOT.resolve("scripts/interop/make-fixtures.sh").toString(), addr, fixtures.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("make-fixtures.log").toFile()).start();
        assertThat(make.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(make.exitValue()).as(Files.readString(work.resolve("make-fixtures.log"))).isZero();
        doc = JSON.readTree(fixtures.resolve("fixtures.json").toFile());
    }

    @AfterAll
    void stopRegistry() throws Exception {
        if (work != null) {
            new ProcessBuilder("bash", ROOT.resolve("scripts/image/registry.sh").toString(), "stop", work.resolve("registry").toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
        }
    }

    Stream<JsonNode> signatureCases() {
        List<JsonNode> out = new ArrayList<>();
        doc.path("cases").forEach(c -> {
            if (c.path("kind").asText().equals("signature")) {
                out.add(c);
            }
        });
        return out.stream();
    }

    private String[] args(JsonNode c) {
        JsonNode v = c.path("verify");
        List<String> a = new ArrayList<>(List.of("verify", "image", c.path("ref").asText(), "-o", "json"));
        if (v.has("key")) {
            a.addAll(List.of("--key", fixtures.resolve(v.path("key").asText()).toString()));
        } else {
            a.addAll(List.of("--certificate-identity", v.path("certificate_identity").asText(), "--certificate-oidc-issuer",
                    v.path("certificate_oidc_issuer").asText(), "--certificate-chain", fixtures.resolve(v.path("certificate_chain").asText()).toString()));
        }
        return a.toArray(String[]::new);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("signatureCases")
    void custodyAgreesWithCosign(JsonNode c) throws Exception {
        assertThat(c.path("cosign").asText()).as("cosign's own verdict").isEqualTo(c.path("expected").asText());
        CliResult r = CliResult.run(args(c));
        JsonNode out = JSON.readTree(r.out());
        String verdict = out.path("results").get(0).path("verdict").asText();
        boolean pass = c.path("expected").asText().equals("pass");
        assertThat(r.code()).as(c.path("name").asText() + ": " + r.out() + r.err()).isEqualTo(pass ? ExitCodes.OK : ExitCodes.DENIED);
        assertThat(verdict).isEqualTo(pass ? "VERIFIED" : c.path("name").asText().equals("key-unsigned") ? "UNSIGNED" : "INVALID");
    }

    @Test
    void aKeySignedImageCostsAtMostThreeRegistryRequestsFromItsTag() throws Exception {
        JsonNode image = doc.path("images").path("v1");
        String byTag = doc.path("registry").asText() + "/" + doc.path("repository").asText() + ":" + image.path("tag").asText();
        CliResult r = CliResult.run("verify", "image", byTag, "--key", fixtures.resolve("keys/key1.pub").toString(), "-o", "json");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonNode out = JSON.readTree(r.out());
        assertThat(out.path("results").get(0).path("digest").asText()).isEqualTo(image.path("digest").asText());
        assertThat(out.path("registryRequests").asInt()).isLessThanOrEqualTo(3); // resolve the tag, the .sig manifest, the payload
    }
}
