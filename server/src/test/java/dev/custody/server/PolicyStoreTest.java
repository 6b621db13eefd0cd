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
        java.util.concurrent.atomic.AtomicBoolean read = new java.util.concurrent.atomic.AtomicBoolean();
        PolicyParser parser = dev.custody.policy.trust.TrustRules.parser((ns, name, field) -> {
            read.set(true);
            String pem = secret.get();
            if (pem == null) {
                throw new IllegalStateException("the API server did not answer");
            }
            return pem;
        });
        PolicyStore store = new PolicyStore(List.of(dir.toString()), parser, ns -> null, new Metrics()).refreshingEvery(Duration.ZERO, read::get);
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

        // a set that reads no Secret is not parsed again on the interval
        Path plain = Files.createDirectories(dir.resolve("plain"));
        Files.writeString(plain.resolve("p.yaml"), "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: plain}\nspec:\n  tier: dev\n");
        java.util.concurrent.atomic.AtomicInteger parses = new java.util.concurrent.atomic.AtomicInteger();
        PolicyParser counting = new PolicyParser(List.of(new dev.custody.policy.RuleFamily() { // read on every load of a policy
            public String field() {
                return "counted";
            }

            public List<dev.custody.policy.Rule> read(dev.custody.policy.Fields spec, dev.custody.policy.Tier tier,
                                                      dev.custody.decision.Action defaultAction) {
                parses.incrementAndGet();
                return List.of();
            }
        }));
        java.util.concurrent.atomic.AtomicBoolean needed = new java.util.concurrent.atomic.AtomicBoolean();
        PolicyStore quiet = new PolicyStore(List.of(plain.toString()), counting, ns -> null, new Metrics())
                .refreshingEvery(Duration.ZERO, needed::get);
        assertThat(quiet.reloadIfChanged()).isTrue();
        assertThat(quiet.reloadIfChanged()).isFalse();
        assertThat(parses.get()).as("not parsed again while no Secret is read").isEqualTo(1);
        needed.set(true);
        assertThat(quiet.reloadIfChanged()).as("parsed again, nothing changed, kept").isFalse();
        assertThat(parses.get()).isEqualTo(2);
    }
}
