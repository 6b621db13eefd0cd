package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.server.TlsMaterial;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * Part of the failure suite: the API server dies under {@code custody serve --kubeconfig} while it admits pods. Tiers
 * are chosen by namespace labels, read from the API server through a watched cache. With the API server gone, the
 * cache keeps serving the labels it last saw. A tag-only image stays denied in the namespace labelled production and
 * admitted in the unlabelled one, for the whole outage, and the server stays ready. The figures are printed.
 */
class ApiServerOutageTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final int SECONDS = 10;

    @Test
    void namespaceLabelsKeepChoosingTiersWhileTheApiServerIsDown() throws Exception {
        String bin = System.getenv("CUSTODY_KUBE_BIN");
        assumeTrue(bin != null && Files.isExecutable(Path.of(bin, "kube-apiserver")),
                "CUSTODY_KUBE_BIN is not set; scripts/test.sh builds kube-apiserver, etcd and kubectl and sets it");
        Path work = Files.createTempDirectory("custody-api-outage-");
        Path plane = work.resolve("plane");
        var started = KubeApiServerE2ETest.run(List.of("bash", CheckCommandTest.ROOT.resolve("scripts/kube/start.sh").toString(), plane.toString()),
                null, 180);
        assertThat(started.exit()).as("start.sh: " + started.err()).isZero();
        Path kubeconfig = plane.resolve("kubeconfig");
        Process serve = null;
        try {
            try (KubernetesClient kube = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build()) {
                kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("pay").addToLabels("custody.dev/tier", "production")
                        .endMetadata().build()).create();
                kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("sandbox").endMetadata().build()).create();
            }
            Path tls = work.resolve("tls");
            serve = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                    "dev.custody.cli.Main", "serve", "--policy", CheckCommandTest.ROOT.resolve("examples/policies").toString(), "--kubeconfig",
                    kubeconfig.toString(), "--port", "0", "--self-signed", "--tls-dir", tls.toString()).redirectErrorStream(true).start();
            int port = ServeProcess.awaitPort(serve);
            SSLContext ssl = TlsMaterial.trusting(tls.resolve("ca.crt"));
            HttpClient http = HttpClient.newBuilder().sslContext(ssl).build();
            long until = System.currentTimeMillis() + 30_000;
            while (!readyz(http, port).path("namespaceCache").asText().equals("synced")) {
                assertThat(System.currentTimeMillis()).as("the namespace cache synced").isLessThan(until);
                Thread.sleep(100);
            }
            assertThat(allowed(review(http, port, "pay", "before-pay"))).as("production by label: a tag is denied").isFalse();
            assertThat(allowed(review(http, port, "sandbox", "before-sandbox"))).as("no label: admitted").isTrue();

            long apiPid = Files.readAllLines(plane.resolve("pids")).stream().filter(l -> l.startsWith("kube-apiserver ")).map(l -> l.split(" ")[1])
                    .mapToLong(Long::parseLong).findFirst().orElseThrow();
            ProcessHandle.of(apiPid).orElseThrow().destroyForcibly();
            long killed = System.nanoTime();
            int wrong = 0;
            int n = 0;
            List<Long> latency = new ArrayList<>();
            try (ReplicasFailoverTest.Conn conn = new ReplicasFailoverTest.Conn(port, ssl)) {
                long next = System.nanoTime();
                while (System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(SECONDS)) {
                    next += 20_000_000L; // 50 reviews/s
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    String ns = n % 2 == 0 ? "pay" : "sandbox";
                    long t0 = System.nanoTime();
                    JsonNode r = JSON.readTree(conn.review(body(ns, "down-" + n))).path("response");
                    latency.add(System.nanoTime() - t0);
                    if (allowed(r) != ns.equals("sandbox")) {
                        wrong++;
                    }
                    n++;
                }
            }
            JsonNode ready = readyz(http, port);
            long[] lat = latency.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("API server down: %d reviews in %d s chose their tier from the cached labels (%d wrong); p99 %.1f ms; ready %s%n", n,
                    SECONDS, wrong, ReplicasFailoverTest.millisAt(lat, 0.99), ready.path("ready").asBoolean());
            assertThat(wrong).as("reviews whose tier did not follow the cached labels").isZero();
            assertThat(n).isGreaterThan(SECONDS * 40);
            assertThat(ready.path("ready").asBoolean()).as("admission stays ready while the API server is down").isTrue();
        } finally {
            if (serve != null) {
                serve.destroy();
                serve.waitFor(30, TimeUnit.SECONDS);
            }
            KubeApiServerE2ETest.run(List.of("bash", CheckCommandTest.ROOT.resolve("scripts/kube/stop.sh").toString(), plane.toString()), null, 60);
        }
    }

    private static boolean allowed(JsonNode r) {
        return r.path("allowed").asBoolean();
    }

    private static JsonNode readyz(HttpClient http, int port) throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static JsonNode review(HttpClient http, int port, String namespace, String uid) throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/validate?timeout=10s"))
                .POST(HttpRequest.BodyPublishers.ofString(body(namespace, uid))).build(), HttpResponse.BodyHandlers.ofString()).body()).path("response");
    }

    /** A pod with one container whose image is pinned by nothing but a tag (from an approved registry). */
    private static String body(String namespace, String uid) {
        return """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"%s","operation":"CREATE",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"%s","name":"api","userInfo":{"username":"alice"},
                 "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"api","namespace":"%s"},
                           "spec":{"containers":[{"name":"api","image":"registry.example.com/shop/api:1.4.2",
                             "securityContext":{"allowPrivilegeEscalation":false,"runAsNonRoot":true,"capabilities":{"drop":["ALL"]},
                               "seccompProfile":{"type":"RuntimeDefault"}}}]}}}}
                """.formatted(uid, namespace, namespace);
    }
}
