package dev.custody.inventory;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Connections to the clusters a collector watches: named kubeconfig contexts, or the cluster a pod runs in. */
public final class Clusters {

    /** A cluster by the name the inventory records it under. */
    public record Connection(String name, KubernetesClient client) {}

    /** A kubeconfig that cannot be read, or a context it does not have. */
    public static final class ConfigException extends RuntimeException {
        ConfigException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Clusters() {}

    /**
     * One connection per context (each named after its context); with no context, the kubeconfig's current one.
     * Requests give up after {@code timeoutMillis} so that an unreachable cluster is reported, not waited on.
     */
    public static List<Connection> fromKubeconfig(Path kubeconfig, List<String> contexts, int timeoutMillis) {
        quietLogging();
        String text;
        io.fabric8.kubernetes.api.model.Config parsed;
        try {
            text = Files.readString(kubeconfig);
            parsed = KubeConfigUtils.parseConfigFromString(text);
        } catch (IOException e) {
            throw new ConfigException("cannot read kubeconfig " + kubeconfig + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ConfigException("kubeconfig " + kubeconfig + " is not a valid kubeconfig: " + e.getMessage(), e);
        }
        List<String> known = parsed.getContexts() == null ? List.of() : parsed.getContexts().stream().map(NamedContext::getName).toList();
        List<String> wanted = new ArrayList<>(contexts);
        if (wanted.isEmpty()) {
            String current = parsed.getCurrentContext();
            if (current == null || current.isEmpty()) {
                throw new ConfigException("kubeconfig " + kubeconfig + " has no current-context; name one with --context (it has: "
                        + String.join(", ", known) + ")", null);
            }
            wanted.add(current);
        }
        List<Connection> out = new ArrayList<>();
        for (String ctx : wanted) {
            if (!known.contains(ctx)) {
                throw new ConfigException("kubeconfig " + kubeconfig + " has no context \"" + ctx + "\" (it has: " + String.join(", ", known) + ")", null);
            }
            Config config = Config.fromKubeconfig(ctx, text, kubeconfig.toString());
            out.add(new Connection(ctx, client(config, timeoutMillis)));
        }
        return out;
    }

    /** The cluster this process runs in (service account token and CA mounted by the kubelet). */
    public static Connection inCluster(String name, int timeoutMillis) {
        quietLogging();
        return new Connection(name, client(new ConfigBuilder().build(), timeoutMillis));
    }

    private static KubernetesClient client(Config config, int timeoutMillis) {
        config.setConnectionTimeout(timeoutMillis);
        config.setRequestTimeout(timeoutMillis);
        config.setRequestRetryBackoffLimit(1);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static void quietLogging() {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        // an API server that goes away closes the watch socket without a status code, which this logger reports as a
        // warning with a stack trace; the collector reports the outage itself
        String quiet = "org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.jdkhttp.JdkWebSocketImpl";
        System.setProperty(quiet, System.getProperty(quiet, "error"));
    }
}
