package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustRootTest {

    @TempDir
    Path dir;

    @Test
    void thePublicGoodRootShipsWithCustody() throws Exception {
        TrustRoot root = TrustRoot.publicGood();
        assertThat(root.source()).isEqualTo("public-good");
        assertThat(TrustRoot.publicGood()).isSameAs(root);
        Path happy = Corpora.sigstore().resolve("sigstore-conformance/test/assets/bundle-verify");
        Result r = new BundleVerifier().verify(BundleVerifier.readBundle(happy.resolve("happy-path-v0.3/bundle.sigstore.json")),
                Artifact.ofFile(happy.resolve("a.txt")),
                SignerPolicy.keyless("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/"
                        + "extremely-dangerous-oidc-beacon.yml@refs/heads/main", "https://token.actions.githubusercontent.com"), root);
        assertThat(r.verified()).as("%s", r).isTrue();
        assertThat(TrustRoot.class.getResource("public-good/README.md")).as("the snapshot's origin, date and license").isNotNull();
    }

    @Test
    void unreadableOrOversizedRootsAreRefused() throws Exception {
        assertThatThrownBy(() -> TrustRoot.load(dir.resolve("missing.json"))).isInstanceOf(TrustRootException.class).hasMessageContaining("no such file");
        Path big = dir.resolve("big.json");
        Files.write(big, new byte[(int) TrustRoot.MAX_BYTES + 1]);
        assertThatThrownBy(() -> TrustRoot.load(big)).isInstanceOf(TrustRootException.class).hasMessageContaining("limit");
        assertThatThrownBy(() -> TrustRoot.parse("[]".getBytes(), "array")).isInstanceOf(TrustRootException.class).hasMessageStartingWith("array");
    }

    @Test
    void aValidityWithoutStartIsRefusedAtLoad() {
        Path root = Corpora.sigstore().resolve("sigstore-conformance/test/assets/bundle-verify/trust-root-tlog-missing-validity-start_fail/trusted_root.json");
        assertThatThrownBy(() -> TrustRoot.load(root)).isInstanceOf(TrustRootException.class).hasMessageContaining("publicKey.validFor.start");
    }
}
