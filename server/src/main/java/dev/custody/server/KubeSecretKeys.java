package dev.custody.server;

import dev.custody.policy.trust.TrustRules;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Public keys of trust rules kept in Kubernetes Secrets ({@code key: k8s://NAMESPACE/NAME}), read from the API
 * server when the policies load (and again on every reload). Needs {@code get} on Secrets.
 */
public final class KubeSecretKeys implements TrustRules.SecretKeys {

    static final int MAX_KEY_BYTES = 64 * 1024;

    private final KubernetesClient client;

    public KubeSecretKeys(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public String read(String namespace, String name, String field) throws Exception {
        Secret s = client.secrets().inNamespace(namespace).withName(name).get();
        if (s == null) {
            throw new IllegalArgumentException("Secret " + namespace + "/" + name + " does not exist");
        }
        String value = s.getData() == null ? null : s.getData().get(field);
        if (value == null && s.getStringData() != null) {
            return s.getStringData().get(field);
        }
        if (value == null) {
            throw new IllegalArgumentException("Secret " + namespace + "/" + name + " has no " + field + " entry");
        }
        if (value.length() > MAX_KEY_BYTES * 4 / 3 + 4) {
            throw new IllegalArgumentException("the " + field + " entry of Secret " + namespace + "/" + name + " is larger than a public key");
        }
        return new String(Base64.getDecoder().decode(value), StandardCharsets.US_ASCII);
    }
}
