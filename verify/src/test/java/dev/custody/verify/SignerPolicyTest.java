package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.verify.SignerPolicy.Match;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class SignerPolicyTest {

    @Test
    void regexpsAreSearchedForUnanchoredAsCosignDoes() {
        Match m = Match.regexp("github\\.com/acme/");
        assertThat(m.test("https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1")).isTrue();
        assertThat(m.test("https://gitlab.com/acme/app")).isFalse();
        assertThat(Match.regexp("^https://github\\.com/acme/app/").test("https://evil.example/https://github.com/acme/app/")).isFalse();
        assertThat(Match.exactly("a@example.com").test("A@example.com")).isFalse();
    }

    @Test
    void badPatternsAndKeysAreUsageErrors() {
        assertThatThrownBy(() -> Match.regexp("(")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("regular expression");
        assertThatThrownBy(() -> Match.exactly("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SignerPolicy.publicKey("not a key")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SignerPolicy.publicKey("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ECDSA, RSA or Ed25519");
    }

    @Test
    void aPemPublicKeyIsRead() throws Exception {
        String pem = Files.readString(Corpora.sigstore().resolve("sigstore-conformance/test/assets/bundle-verify/managed-key-happy-path/key.pub"));
        assertThat(SignerPolicy.publicKey(pem)).isInstanceOfSatisfying(SignerPolicy.Key.class,
                k -> assertThat(k.publicKey().getAlgorithm()).isEqualTo("EC"));
    }
}
