package dev.custody.oci;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** WWW-Authenticate as registries send it. */
class ChallengeTest {

    @Test
    void dockerHubBearerChallenge() {
        Challenge c = Challenge.select(List.of(
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/alpine:pull\""))
                .orElseThrow();
        assertThat(c.isBearer()).isTrue();
        assertThat(c.realm()).isEqualTo("https://auth.docker.io/token");
        assertThat(c.service()).isEqualTo("registry.docker.io");
        assertThat(c.scope()).isEqualTo("repository:library/alpine:pull");
    }

    @Test
    void quotedCommasSpacesAndEscapesStayInTheValue() {
        Challenge c = Challenge.parse("bearer Realm = \"https://ghcr.io/token\" , scope=\"repository:a/b:pull,push\",service=ghcr.io, error=\"in\\\"valid\"")
                .getFirst();
        assertThat(c.scheme()).isEqualTo("bearer");
        assertThat(c.params()).containsEntry("realm", "https://ghcr.io/token").containsEntry("scope", "repository:a/b:pull,push")
                .containsEntry("service", "ghcr.io").containsEntry("error", "in\"valid");
    }

    @Test
    void bearerIsPreferredAmongSeveralChallenges() {
        assertThat(Challenge.parse("Basic realm=\"a\", Bearer realm=\"b\",service=\"s\"")).extracting(Challenge::scheme).containsExactly("basic", "bearer");
        assertThat(Challenge.select(List.of("Basic realm=\"Registry\"", "Bearer realm=\"https://t/token\"")).orElseThrow().realm())
                .isEqualTo("https://t/token");
        assertThat(Challenge.select(List.of("Basic realm=\"Registry Realm\"")).orElseThrow().isBasic()).isTrue();
        assertThat(Challenge.select(List.of())).isEmpty();
    }

    @Test
    void garbageNeverThrows() {
        Random random = new Random(5);
        String alphabet = "Bearer realm=\"\\,; \t=abc";
        for (int i = 0; i < 5000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int j = random.nextInt(40); j > 0; j--) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            Challenge.select(List.of(sb.toString()));
        }
        assertThat(Challenge.parse("x".repeat(20_000))).isEmpty();
    }
}
