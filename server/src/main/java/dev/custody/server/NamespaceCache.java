package dev.custody.server;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * Namespace labels as the API server knows them, from a watched cache (a fabric8 informer), so tier selection
 * never trusts labels carried in the AdmissionReview. Returns null for a namespace the cache has not seen.
 */
public final class NamespaceCache implements Function<String, Map<String, String>>, AutoCloseable {

    private final KubernetesClient client;
    private final SharedIndexInformer<Namespace> informer;

    private NamespaceCache(KubernetesClient client) {
        this.client = client;
        this.informer = client.namespaces().inform();
    }

    /** Connects with a kubeconfig file, or in-cluster configuration when {@code kubeconfig} is null. */
    public static NamespaceCache start(Path kubeconfig) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        // an API server that goes away closes the watch socket without a status code, which this logger reports as a
        // warning with a stack trace; the cache's and the collector's own state say so in one line
        String quiet = "org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.jdkhttp.JdkWebSocketImpl";
        System.setProperty(quiet, System.getProperty(quiet, "error"));
        Config config = kubeconfig != null ? Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString())
                : new ConfigBuilder().build();
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        return new NamespaceCache(client);
    }

    /** The API server connection, shared with other readers (pull secrets). */
    public KubernetesClient client() {
        return client;
    }

    public boolean synced() {
        return informer.hasSynced();
    }

    @Override
    public Map<String, String> apply(String namespace) {
        Namespace ns = informer.getStore().getByKey(namespace);
        if (ns == null) {
            return null;
        }
        Map<String, String> labels = ns.getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }

    @Override
    public void close() {
        informer.close();
        client.close();
    }
}
