package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.server.TlsMaterial;
import dev.custody.store.BothStores;
import dev.custody.store.Dialect;
import dev.custody.store.Store;
import dev.custody.store.StoreLocation;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The durable decision log under a crash: a real {@code custody serve} process answers a stream of admissions,
 * is killed with SIGKILL mid-stream, and restarted on the same store. Every review whose response reached the
 * client must be in the log, and the chain must verify; altering one stored record must make verification fail.
 */
class DecisionLogKillTest {

    static final Path ROOT = Path.of(System.getProperty("custody.repoRoot", "..")).toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private record Served(Process process, int port) {}

    private Served serve(String store) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-cp", System.getProperty("java.class.path"), "dev.custody.cli.Main", "serve",
                "--policy", ROOT.resolve("examples/policies").toString(), "--port", "0", "--self-signed", "--tls-dir", tmp.resolve("tls").toString(),
                "--store", store);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        return new Served(p, ServeProcess.awaitPort(p));
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void everyAnsweredReviewSurvivesSigkill(Dialect dialect) throws Exception {
        StoreLocation loc = BothStores.freshLocation(dialect);
        String store = dialect == Dialect.SQLITE ? loc.file().toString() : pgUrl(loc);
        try {
            String template = Files.readString(ROOT.resolve("bench/load/pod-review.json"));
            Served first = serve(store);
            HttpClient client = HttpClient.newBuilder().sslContext(TlsMaterial.trusting(tmp.resolve("tls/ca.crt")))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            Set<String> answered = ConcurrentHashMap.newKeySet();
            AtomicBoolean go = new AtomicBoolean(true);
            ObjectMapper json = new ObjectMapper();
            ExecutorService senders = Executors.newFixedThreadPool(8);
            for (int t = 0; t < 8; t++) {
                int thread = t;
                senders.submit(() -> {
                    for (int i = 0; go.get(); i++) {
                        String uid = "kill-" + thread + "-" + i;
                        String body = template.replace("705ab4f5-6393-11e8-b7cc-42010a800002", uid);
                        try {
                            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + first.port() + "/validate"))
                                    .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            JsonNode review = json.readTree(r.body());
                            if (r.statusCode() == 200 && review.path("response").path("uid").asText().equals(uid)
                                    && review.path("response").path("status").path("code").asInt(200) != 500) {
                                answered.add(uid);
                            }
                        } catch (Exception e) {
                            return null; // the server is gone
                        }
                    }
                    return null;
                });
            }
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
            while (System.nanoTime() < until && answered.size() < 400) {
                Thread.sleep(20);
            }
            first.process().destroyForcibly(); // SIGKILL: no shutdown hook, no drain
            first.process().waitFor(30, TimeUnit.SECONDS);
            go.set(false);
            senders.shutdown();
            assertThat(senders.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            assertThat(answered).as("reviews answered before the kill").hasSizeGreaterThan(20);

            Served second = serve(store); // restart on the same store: it must open and extend the chain
            HttpClient client2 = HttpClient.newBuilder().sslContext(TlsMaterial.trusting(tmp.resolve("tls/ca.crt"))).build(); // a new CA was minted
            HttpResponse<String> after = client2.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + second.port() + "/validate"))
                    .POST(HttpRequest.BodyPublishers.ofString(template.replace("705ab4f5-6393-11e8-b7cc-42010a800002", "after-restart"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(after.statusCode()).isEqualTo(200);
            second.process().destroy();
            second.process().waitFor(30, TimeUnit.SECONDS);

            Set<String> logged = new HashSet<>();
            try (Store s = Store.open(loc)) {
                s.read(c -> {
                    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT request_uid FROM decision")) {
                        while (rs.next()) {
                            logged.add(rs.getString(1));
                        }
                    }
                    return null;
                });
            }
            List<String> lost = new ArrayList<>(answered);
            lost.removeAll(logged);
            assertThat(lost).as("answered reviews missing from the log").isEmpty();
            assertThat(logged).contains("after-restart");

            CliResult ok = CliResult.run("audit", "verify", "--store", store);
            assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
            assertThat(ok.out()).startsWith("intact: ");

            try (Store s = Store.open(loc)) {
                s.write(c -> {
                    try (Statement st = c.createStatement()) {
                        return st.executeUpdate("UPDATE decision SET body = REPLACE(body, '\"username\":\"', '\"username\":\"mallory') WHERE seq = 3");
                    }
                });
            }
            CliResult broken = CliResult.run("audit", "verify", "--store", store);
            assertThat(broken.code()).isEqualTo(ExitCodes.DENIED);
            assertThat(broken.out()).contains("BROKEN: record 3 was altered");
        } finally {
            BothStores.dropLocation(loc);
        }
    }

    private static String pgUrl(StoreLocation loc) {
        // the test location is a JDBC URL with the schema; pass it as the user would
        return loc.jdbcUrl() + (loc.properties().containsKey("user") ? "&user=" + loc.properties().getProperty("user") : "");
    }
}
