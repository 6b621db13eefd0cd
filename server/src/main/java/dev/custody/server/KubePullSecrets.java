package dev.custody.server;

import dev.custody.logfmt.Log;
import dev.custody.oci.DockerConfig;
import dev.custody.oci.Keychain;
import dev.custody.policy.trust.SignatureGatherer.PullSecrets;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A workload's imagePullSecrets as registry credentials, read from the API server the way the kubelet reads them:
 * Secrets of type {@code kubernetes.io/dockerconfigjson} ({@code .dockerconfigjson}) or the legacy
 * {@code kubernetes.io/dockercfg} ({@code .dockercfg}) in the workload's namespace, tried in the order the pod lists
 * them. Each Secret is cached for a minute (a rotated secret is seen within that); one that is missing, of another
 * type, malformed or forbidden is skipped with a log line, as the kubelet skips it. When the API server does not
 * answer, verification is unavailable (the rule's failure mode decides), never a bad signature. Needs {@code get}
 * on Secrets.
 */
public final class KubePullSecrets implements dev.custody.signatures.SignatureService.PullSecretResolver {

    static final Duration TTL = Duration.ofSeconds(60);
    /** How long an expired entry still serves while the API server does not answer. */
    static final Duration STALE_IF_ERROR = Duration.ofMinutes(10);
    static final int MAX_CACHED = 4096;
    static final int MAX_SECRET_BYTES = 1024 * 1024;

    private record Cached(Keychain keychain, Instant until) {}

    private final KubernetesClient client;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public KubePullSecrets(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    @Override
    public Keychain keychain(PullSecrets secrets, Instant deadline) {
        List<Keychain> found = new ArrayList<>();
        for (String name : secrets.names()) {
            Keychain k = secret(secrets.namespace(), name);
            if (k != null) {
                found.add(k);
            }
        }
        return Keychain.firstOf(found);
    }

    private Keychain secret(String namespace, String name) {
        String key = namespace + "/" + name;
        Instant now = clock.instant();
        Cached c = cache.get(key);
        if (c != null && now.isBefore(c.until())) {
            return c.keychain();
        }
        Keychain k;
        try {
            k = read(namespace, name);
        } catch (dev.custody.signatures.SignatureService.PullSecretsUnavailable e) {
            // the API server does not answer: what it said within the last minutes still serves, and is not renewed
            if (c != null && now.isBefore(c.until().plus(STALE_IF_ERROR))) {
                return c.keychain();
            }
            throw e;
        }
        if (cache.size() >= MAX_CACHED) {
            cache.entrySet().removeIf(e -> !now.isBefore(e.getValue().until()));
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
        }
        cache.put(key, new Cached(k, now.plus(TTL)));
        return k;
    }

    /** The secret's credentials, or null when it cannot serve as a pull secret (logged). */
    private Keychain read(String namespace, String name) {
        Secret s;
        try {
            s = client.secrets().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) { // an answer: this server may not read it (RBAC); a 401 is about our own token
                Log.warn("pull secret not readable", "namespace", namespace, "secret", name, "error", e.getMessage());
                return null;
            }
            // no answer (timeout, 5xx, connection): not a fact about the secret, so not cached, and not a bad signature
            throw new dev.custody.signatures.SignatureService.PullSecretsUnavailable("cannot read pull secret " + namespace + "/" + name
                    + " from the API server: " + e.getMessage(), e);
        }
        if (s == null) {
            Log.warn("pull secret not found", "namespace", namespace, "secret", name);
            return null;
        }
        Map<String, String> data = s.getData() == null ? Map.of() : s.getData();
        String type = s.getType() == null ? "" : s.getType();
        try {
            return switch (type) {
                case "kubernetes.io/dockerconfigjson" -> DockerConfig.fromPullSecret(decode(data.get(".dockerconfigjson"), ".dockerconfigjson", MAX_SECRET_BYTES));
                case "kubernetes.io/dockercfg" -> DockerConfig.fromLegacyPullSecret(decode(data.get(".dockercfg"), ".dockercfg", MAX_SECRET_BYTES));
                default -> {
                    Log.warn("pull secret of another type ignored", "namespace", namespace, "secret", name, "type", type);
                    yield null;
                }
            };
        } catch (RuntimeException e) { // InvalidDockerConfigException names the field
            Log.warn("pull secret malformed", "namespace", namespace, "secret", name, "error", e.getMessage());
            return null;
        }
    }

    /** A Secret's base64 data entry, bounded; IllegalArgumentException naming the entry when it is missing or too large. */
    static byte[] decode(String base64, String field, int maxBytes) {
        if (base64 == null) {
            throw new IllegalArgumentException("the secret has no " + field + " entry");
        }
        if (base64.length() > maxBytes * 4 / 3 + 4) {
            throw new IllegalArgumentException(field + " is larger than " + maxBytes + " bytes");
        }
        return Base64.getDecoder().decode(base64);
    }
}
