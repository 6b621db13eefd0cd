package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.server.TlsMaterial;
import dev.custody.store.BothStores;
import dev.custody.store.Dialect;
import dev.custody.store.StoreLocation;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The emergency denylist as an operator uses it: two {@code custody serve} replicas share one store; {@code custody
 * denylist add} lists a digest, and both deny a new pod with it within 5 s of the add (the test prints how long each
 * took), with the entry's reason in the message, though no policy asks for it; {@code denylist remove} lifts it.
 */
class DenylistEnforcementTest {

    static final String DIGEST = "sha256:" + "9f".repeat(32);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private record Served(Process process, int port, HttpClient client) {}

    private Served serve(String store, String name) throws Exception {
        Path policies = Files.createDirectories(tmp.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: p}\nspec: {tier: dev}\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path tls = tmp.resolve("tls-" + name);
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.custody.cli.Main", "serve", "--policy",
                policies.toString(), "--port", "0", "--self-signed", "--tls-dir", tls.toString(), "--store", store)
                .redirectErrorStream(true).start();
        int port = ServeProcess.awaitPort(p);
        return new Served(p, port, HttpClient.newBuilder().sslContext(TlsMaterial.trusting(tls.resolve("ca.crt"))).connectTimeout(Duration.ofSeconds(5))
                .build());
    }

    private static JsonNode review(Served s, String template, String uid) throws Exception {
        HttpResponse<String> r = s.client().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + s.port() + "/validate"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(template.replace("705ab4f5-6393-11e8-b7cc-42010a800002", uid)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body()).path("response");
    }

    private static JsonNode readyz(Served s) throws Exception {
        return JSON.readTree(s.client().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + s.port() + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void bothReplicasDenyAListedDigestWithinFiveSecondsOfTheAdd(Dialect dialect) throws Exception {
        StoreLocation loc = BothStores.freshLocation(dialect);
        String store = dialect == Dialect.SQLITE ? loc.file().toString()
                : loc.jdbcUrl() + (loc.properties().containsKey("user") ? "&user=" + loc.properties().getProperty("user") : "");
        String template = Files.readString(DecisionLogKillTest.ROOT.resolve("bench/load/pod-review.json"));
        assertThat(template).contains("@" + DIGEST);
        List<Served> replicas = new ArrayList<>();
        try {
            replicas.add(serve(store, "a"));
            replicas.add(serve(store, "b"));
            for (Served s : replicas) {
                assertThat(review(s, template, "before-" + s.port()).path("allowed").asBoolean()).as("allowed before the entry").isTrue();
                assertThat(readyz(s).path("denylist").path("current").asBoolean()).isTrue();
            }
            long added = System.nanoTime();
            CliResult add = CliResult.run("denylist", "add", DIGEST, "--reason", "backdoored build", "--incident", "INC-42", "--store", store);
            assertThat(add.code()).as(add.err()).isZero();
            String id = add.out().replaceAll("(?s).*\\(id ([0-9a-f]+)\\).*", "$1").trim();
            for (Served s : replicas) {
                JsonNode r = null;
                long deadline = added + TimeUnit.SECONDS.toNanos(5);
                int i = 0;
                while (System.nanoTime() < deadline) {
                    r = review(s, template, "after-" + s.port() + "-" + i++);
                    if (!r.path("allowed").asBoolean()) {
                        break;
                    }
                    Thread.sleep(50);
                }
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - added);
                System.out.printf("denylist entry enforced by the replica on port %d %d ms after the add (%s)%n", s.port(), ms, dialect);
                assertThat(r.path("allowed").asBoolean()).as("denied within 5 s of the add").isFalse();
                assertThat(r.path("status").path("message").asText()).contains("DENYLISTED").contains("backdoored build (incident INC-42)").contains(id);
                assertThat(readyz(s).path("denylist").path("entries").asInt()).isEqualTo(1);
            }
            CliResult remove = CliResult.run("denylist", "remove", id, "--reason", "fixed image rolled out", "--store", store);
            assertThat(remove.code()).as(remove.err()).isZero();
            for (Served s : replicas) {
                JsonNode r = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (System.nanoTime() < deadline) {
                    r = review(s, template, "lifted-" + System.nanoTime());
                    if (r.path("allowed").asBoolean()) {
                        break;
                    }
                    Thread.sleep(50);
                }
                assertThat(r.path("allowed").asBoolean()).as("allowed again once the entry is removed").isTrue();
            }
        } finally {
            for (Served s : replicas) {
                s.process().destroy();
                s.process().waitFor(30, TimeUnit.SECONDS);
            }
            BothStores.dropLocation(loc);
        }
    }
}
