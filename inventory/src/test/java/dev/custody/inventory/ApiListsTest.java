package dev.custody.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pager over HTTP as the API server speaks it: continue tokens, gzip when asked, and a refusal as a Status. The
 * real kube-apiserver is listed by InventoryE2ETest and by benchmark B7 (where its answers are large enough to be
 * compressed); this loopback server stands in for it only to make each of these cases happen on demand.
 */
class ApiListsTest {

    private HttpServer server;
    private KubernetesClient client;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile boolean gzip = true;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/pods", ex -> {
            String query = ex.getRequestURI().getRawQuery();
            requests.add(query + " accept-encoding=" + ex.getRequestHeaders().getFirst("Accept-Encoding"));
            String body;
            if (query.contains("continue=page%2F2")) {
                body = list(null, "c");
            } else if (query.contains("continue=")) {
                body = "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"unexpected continue token\",\"code\":400}";
            } else {
                body = list("page/2", "a", "b");
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            boolean zipped = gzip && "gzip".equals(ex.getRequestHeaders().getFirst("Accept-Encoding"));
            if (zipped) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (GZIPOutputStream z = new GZIPOutputStream(out)) {
                    z.write(bytes);
                }
                bytes = out.toByteArray();
                ex.getResponseHeaders().set("Content-Encoding", "gzip");
            }
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(body.contains("\"Status\"") ? 400 : 200, bytes.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(bytes);
            }
        });
        server.createContext("/apis/apps/v1/replicasets", ex -> {
            byte[] b = "{\"kind\":\"Status\",\"message\":\"replicasets.apps is forbidden: User \\\"ci\\\" cannot list resource\",\"code\":403}"
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(403, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        server.start();
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort())
                .withRequestRetryBackoffLimit(0).build()).build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.stop(0);
    }

    static String list(String cont, String... names) {
        StringBuilder items = new StringBuilder();
        for (String n : names) {
            items.append(items.isEmpty() ? "" : ",").append("{\"metadata\":{\"name\":\"").append(n).append("\",\"namespace\":\"x\"}}");
        }
        return "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"9\"" + (cont == null ? "" : ",\"continue\":\"" + cont + "\"")
                + "},\"items\":[" + items + "]}";
    }

    @Test
    void everyPageIsReadInOrderCompressedOrNot() {
        for (boolean z : new boolean[] {true, false}) {
            gzip = z;
            requests.clear();
            List<String> names = new ArrayList<>();
            new ApiLists(client, 2).list("api/v1/pods", ApiLists.FULL, n -> names.add(n.path("metadata").path("name").asText()));
            assertThat(names).as("gzip " + z).containsExactly("a", "b", "c");
            assertThat(requests).as("the continue token is sent encoded, and gzip is asked for").containsExactly("limit=2 accept-encoding=gzip",
                    "limit=2&continue=page%2F2 accept-encoding=gzip");
        }
    }

    @Test
    void aRefusalCarriesTheApiServersMessage() {
        assertThatThrownBy(() -> new ApiLists(client, 500).list("apis/apps/v1/replicasets", ApiLists.METADATA_ONLY, n -> {}))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("/apis/apps/v1/replicasets answered 403")
                .hasMessageContaining("cannot list resource");
    }
}
