package dev.custody.server;

import dev.custody.policy.trust.TrustRules;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;

/**
 * Public keys of trust rules kept in Kubernetes Secrets ({@code key: k8s://NAMESPACE/NAME}), read from the API
 * server when the policies load (and again on every reload). Needs {@code get} on Secrets.
 */
public final class KubeSecretKeys implements TrustRules.SecretKeys {

    static final int MAX_KEY_BYTES = 64 * 1024;

    private final KubernetesClient client;
    private final java.util.concurrent.atomic.AtomicBoolean used = new java.util.concurrent.atomic.AtomicBoolean();

    public KubeSecretKeys(KubernetesClient client) {
        this.client = client;
    }

    /** Whether any policy has asked for a key from a Secret (then policies are loaded again periodically). */
    public boolean used() {
        return used.get();
    }

    @Override
    public String read(String namespace, String name, String field) throws Exception {
        used.set(true);
        Secret s = client.secrets().inNamespace(namespace).withName(name).get();
        if (s == null) {
            throw new IllegalArgumentException("Secret " + namespace + "/" + name + " does not exist");
        }
        String value = s.getData() == null ? null : s.getData().get(field);
        try {
            return new String(KubePullSecrets.decode(value, field, MAX_KEY_BYTES), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Secret " + namespace + "/" + name + ": " + e.getMessage());
        }
    }
}
