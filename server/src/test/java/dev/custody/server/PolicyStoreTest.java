package dev.custody.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.policy.PolicyParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policies whose keys live in Kubernetes Secrets are reloaded when the Secret changes, not only when a file does. */
class PolicyStoreTest {

    static final Path ROOT = Path.of(System.getProperty("custody.repoRoot", "..")).toAbsolutePath().normalize();
    static final Path KEYS = ROOT.resolve("../shared/corpora/sigstore/connaisseur-cosign-legacy/test/testdata/cosign").normalize();

    static String trustId(PolicyStore store) {
        return store.admission().engine().policies().policies().get(0).rules().stream()
                .filter(r -> r instanceof dev.custody.policy.trust.TrustRule).map(r -> ((dev.custody.policy.trust.TrustRule) r).spec().id())
                .findFirst().orElseThrow();
    }

    @Test
    void aRotatedSecretKeyIsPickedUpByTheRefreshAndAFailedReadIsRetried(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("p.yaml"), """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: signed}
                spec:
                  tier: dev
                  trust:
                    - name: release
                      images: [registry.example.com/*]
                      authorities:
                        - {name: ci, key: 'k8s://custody-system/cosign-release'}
                """);
        AtomicReference<String> secret = new AtomicReference<>(null); // the API server does not answer yet
        PolicyParser parser = PolicyParser.withSecretKeys((ns, name, field) -> {
            String pem = secret.get();
            if (pem == null) {
                throw new IllegalStateException("the API server did not answer");
            }
            return pem;
        });
        PolicyStore store = new PolicyStore(List.of(dir.toString()), parser, ns -> null, new Metrics()).refreshingEvery(Duration.ZERO);
        assertThat(store.reloadIfChanged()).isFalse();
        assertThat(store.admission()).as("not ready without the key").isNull();
        assertThat(store.lastError()).contains("the API server did not answer");

        secret.set(Files.readString(KEYS.resolve("alice.key")));
        assertThat(store.reloadIfChanged()).as("retried, though no file changed").isTrue();
        String alice = trustId(store);
        assertThat(store.reloadIfChanged()).as("nothing changed: the set is kept").isFalse();

        secret.set(Files.readString(KEYS.resolve("bob.key"))); // rotated in the Secret only
        assertThat(store.reloadIfChanged()).isTrue();
        assertThat(trustId(store)).isNotEqualTo(alice);

        PolicyStore once = new PolicyStore(List.of(dir.toString()), parser, ns -> null, new Metrics()); // no refresh: files only
        assertThat(once.reloadIfChanged()).isTrue();
        secret.set(Files.readString(KEYS.resolve("alice.key")));
        assertThat(once.reloadIfChanged()).isFalse();
    }
}
