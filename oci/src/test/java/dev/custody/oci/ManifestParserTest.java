package dev.custody.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Reading manifests and indexes: what each field becomes, what is refused and why, and that nothing else escapes. */
class ManifestParserTest {

    static Manifest parse(String json, String contentType) {
        return ManifestParser.parse(Hostile.utf8(json), contentType, "test.registry", "manifest test");
    }

    static InvalidResponseException.Reason refusal(byte[] bytes) {
        try {
            ManifestParser.parse(bytes, MediaTypes.OCI_MANIFEST, "test.registry", "manifest test");
            return null;
        } catch (InvalidResponseException e) {
            return e.reason();
        }
    }

    @Test
    void ociManifestFieldsAreRead() {
        ImageManifest m = (ImageManifest) parse(Hostile.VALID, null);
        assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(m.config().mediaType()).isEqualTo(MediaTypes.OCI_CONFIG);
        assertThat(m.config().size()).isEqualTo(2);
        assertThat(m.layers()).singleElement().satisfies(l -> {
            assertThat(l.digest().toString()).isEqualTo("sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae");
            assertThat(l.annotations()).containsExactly(Map.entry("org.opencontainers.image.title", "foo"));
        });
        assertThat(m.subject().size()).isEqualTo(7);
        assertThat(m.annotations()).containsEntry("a", "b");
        assertThat(m.artifactType()).isNull();
        assertThat(m.effectiveArtifactType()).isEqualTo(MediaTypes.OCI_CONFIG);
    }

    @Test
    void indexEntriesCarryTheirPlatform() {
        ImageIndex i = (ImageIndex) parse(Hostile.VALID_INDEX, null);
        assertThat(i.manifests()).singleElement().satisfies(d -> assertThat(d.platform()).isEqualTo(new Platform("linux", "arm64", "v8", null, List.of())));
    }

    @Test
    void mediaTypeComesFromTheDocumentThenTheHeaderThenTheShape() {
        String noType = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:" + "a".repeat(64) + "\",\"size\":1},\"layers\":[]}";
        assertThat(parse(noType, MediaTypes.DOCKER_MANIFEST + "; charset=utf-8").mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(parse(noType, "application/json").mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(parse("{\"schemaVersion\":2,\"manifests\":[]}", null).mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(parse("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST_LIST + "\",\"manifests\":[]}", MediaTypes.OCI_MANIFEST))
                .isInstanceOf(ImageIndex.class);
    }

    @Test
    void artifactTypeAndUnknownFields() {
        String json = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"artifactType\":\"application/spdx+json\",\"future\":{\"x\":[1]},"
                + "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_EMPTY + "\",\"digest\":\"sha256:" + "4".repeat(64) + "\",\"size\":2,\"data\":\"e30=\"},\"layers\":[]}";
        ImageManifest m = (ImageManifest) parse(json, null);
        assertThat(m.artifactType()).isEqualTo("application/spdx+json");
        assertThat(m.effectiveArtifactType()).isEqualTo("application/spdx+json");
    }

    @Test
    void eachNamedDamageIsRefusedForItsReason() {
        Map<String, InvalidResponseException.Reason> expected = new java.util.HashMap<>();
        for (Hostile.Case c : Hostile.named()) {
            expected.put(c.name(), InvalidResponseException.Reason.MALFORMED);
        }
        expected.put("schema1", InvalidResponseException.Reason.UNSUPPORTED_MEDIA_TYPE);
        expected.put("unknown-media-type", InvalidResponseException.Reason.UNSUPPORTED_MEDIA_TYPE);
        expected.put("long-string", null); // 3 MB of annotation is within the 4 MiB a manifest may have
        expected.put("escaped-nul", null); // an escaped NUL is valid JSON; a raw one is not
        for (Hostile.Case c : Hostile.named()) {
            assertThat(refusal(c.bytes())).as(c.name()).isEqualTo(expected.get(c.name()));
        }
    }

    @Test
    void messagesNameTheField() {
        byte[] bad = Hostile.utf8(Hostile.VALID.replace("\"size\":3", "\"size\":\"3\""));
        assertThatThrownBy(() -> ManifestParser.parse(bad, null, "r", "manifest x")).hasMessageContaining("layers[0].size");
    }

    @Test
    void randomDamageGivesAManifestOrInvalidResponseNeverAnotherException() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            int refused = 0;
            for (Hostile.Case c : Hostile.random(new Random(20261128), 5000)) {
                try {
                    ManifestParser.parse(c.bytes(), null, "r", c.name());
                } catch (InvalidResponseException e) {
                    refused++;
                } catch (RuntimeException e) {
                    throw new AssertionError(c.name() + " escaped as " + e, e);
                }
            }
            assertThat(refused).as("most damage is noticed").isGreaterThan(4000);
        });
    }
}
