package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.server.SelfSigned;
import dev.custody.server.TlsMaterial;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Part of the failure suite: a {@code custody serve} process under steady load while, every second, its serving
 * certificate is rotated and its policy directory is swapped (between two sets, and to a broken one), both as the
 * kubelet updates a mounted Secret or ConfigMap: files are symlinks into {@code ..data}, a symlink replaced in one
 * rename. The clients open a new TLS connection every few requests, so handshakes run throughout. No handshake and
 * no request may fail; every answer names one of the two whole policy sets and has that set's verdict (never a mix
 * of the two, never the broken one). The counts are printed.
 */
class ReloadUnderLoadTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final int RATE = 400;
    static final int SECONDS = 20;
    static final int WORKERS = 8;
    static final int REQUESTS_PER_CONNECTION = 25;

    static final String ALLOWING = """
            apiVersion: custody.dev/v1alpha1
            kind: Policy
            metadata: {name: registries}
            spec:
              tier: dev
              action: enforce
              images:
                allowedRegistries: {registries: [registry.example.com, ghcr.io/acme]}
            """;
    static final String DENYING = ALLOWING.replace(", ghcr.io/acme]", "]");
    static final String SECOND = "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: second}\nspec: {tier: dev}\n";
    static final String BROKEN = "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: second}\nspec: [not, a, spec\n";

    @TempDir
    Path tmp;

    private int generation;

    /** Writes a new version directory and points {@code ..data} at it in one rename, as the kubelet does. */
    private void swap(Path dir, Map<String, String> files) throws Exception {
        Path version = Files.createDirectories(dir.resolve("..v" + ++generation));
        for (var f : files.entrySet()) {
            Files.writeString(version.resolve(f.getKey()), f.getValue());
        }
        Path link = dir.resolve("..data_tmp");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, version.getFileName());
        Files.move(link, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String name : files.keySet()) {
            if (!Files.exists(dir.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(dir.resolve(name), Path.of("..data", name));
            }
        }
    }

    @Test
    void certificateRotationAndPolicySwapsUnderLoadFailNothingAndNeverMixSets() throws Exception {
        Path policies = Files.createDirectories(tmp.resolve("policies"));
        Path tls = Files.createDirectories(tmp.resolve("tls"));
        List<SelfSigned.Pems> pairs = new ArrayList<>();
        StringBuilder cas = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            SelfSigned.Pems p = SelfSigned.mint(List.of("localhost"), List.of("127.0.0.1"), java.time.Duration.ofDays(1));
            pairs.add(p);
            cas.append(p.caCert());
        }
        Files.writeString(tmp.resolve("cas.pem"), cas);
        SSLContext ssl = TlsMaterial.trusting(tmp.resolve("cas.pem"));
        swap(tls, Map.of("tls.crt", pairs.get(0).cert(), "tls.key", pairs.get(0).key()));
        swap(policies, Map.of("p1.yaml", ALLOWING, "p2.yaml", SECOND));

        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), "dev.custody.cli.Main", "serve", "--policy",
                policies.toString(), "--port", "0", "--tls-cert", tls.resolve("tls.crt").toString(), "--tls-key", tls.resolve("tls.key").toString(),
                "--reload-interval", "100ms").redirectErrorStream(true).start();
        try {
            int port = ServeProcess.awaitPort(p);
            String allowingVersion = version(port, ssl, null);
            swap(policies, Map.of("p1.yaml", DENYING, "p2.yaml", SECOND));
            String denyingVersion = version(port, ssl, allowingVersion);
            Map<String, Boolean> expected = Map.of(allowingVersion, true, denyingVersion, false);

            String template = Files.readString(DecisionLogKillTest.ROOT.resolve("bench/load/pod-review.json"));
            AtomicLong sent = new AtomicLong();
            AtomicLong handshakes = new AtomicLong();
            AtomicLong failures = new AtomicLong();
            Map<String, AtomicLong> byVersion = new ConcurrentHashMap<>();
            java.util.Set<String> served = ConcurrentHashMap.newKeySet();
            List<String> samples = Collections.synchronizedList(new ArrayList<>());
            long start = System.nanoTime() + 100_000_000L;
            long interval = 1_000_000_000L / RATE;
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                int worker = w;
                workers.add(Thread.ofPlatform().start(() -> {
                    ReplicasFailoverTest.Conn conn = null;
                    int onConn = 0;
                    for (int i = worker; i < RATE * SECONDS; i += WORKERS) {
                        try {
                            long wait = start + i * interval - System.nanoTime();
                            if (wait > 0) {
                                TimeUnit.NANOSECONDS.sleep(wait);
                            }
                            sent.incrementAndGet();
                            if (conn == null || onConn == REQUESTS_PER_CONNECTION) {
                                if (conn != null) {
                                    conn.close();
                                }
                                conn = new ReplicasFailoverTest.Conn(port, ssl); // a fresh handshake with whatever certificate is served now
                                handshakes.incrementAndGet();
                                served.add(conn.peerSerial());
                                onConn = 0;
                            }
                            onConn++;
                            String uid = "reload-" + i;
                            JsonNode r = JSON.readTree(conn.review(template.replace(ReplicasFailoverTest.UID, uid))).path("response");
                            String v = r.path("auditAnnotations").path("policy-version").asText();
                            Boolean allowed = expected.get(v);
                            byVersion.computeIfAbsent(v, k -> new AtomicLong()).incrementAndGet();
                            if (!r.path("uid").asText().equals(uid) || allowed == null || allowed != r.path("allowed").asBoolean()) {
                                failures.incrementAndGet();
                                if (samples.size() < 10) {
                                    samples.add(r.toString());
                                }
                            }
                        } catch (Exception e) {
                            failures.incrementAndGet();
                            if (samples.size() < 10) {
                                samples.add(e.toString());
                            }
                            if (conn != null) {
                                conn.close();
                            }
                            conn = null;
                        }
                    }
                    if (conn != null) {
                        conn.close();
                    }
                }));
            }
            // every second: a new certificate, and the next policy set of allowing, denying, broken
            List<Map<String, String>> sets = List.of(Map.of("p1.yaml", ALLOWING, "p2.yaml", SECOND), Map.of("p1.yaml", DENYING, "p2.yaml", SECOND),
                    Map.of("p1.yaml", DENYING, "p2.yaml", BROKEN));
            int rotations = 0;
            int swaps = 0;
            for (int s = 1; s < SECONDS; s++) {
                long wait = start + TimeUnit.SECONDS.toNanos(s) - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                SelfSigned.Pems pair = pairs.get(s % pairs.size());
                swap(tls, Map.of("tls.crt", pair.cert(), "tls.key", pair.key()));
                rotations++;
                swap(policies, sets.get(s % sets.size()));
                swaps++;
            }
            for (Thread t : workers) {
                t.join(TimeUnit.SECONDS.toMillis(SECONDS + 60));
            }
            JsonNode ready = readyz(port, ssl);
            System.out.printf("reload under load: %d reviews at %d/s over %d s, %d TLS handshakes through %d certificate rotations (%d certificates "
                            + "seen), %d policy swaps (a third of them to a broken set); answers by policy version %s; %d failures%n",
                    sent.get(), RATE, SECONDS, handshakes.get(), rotations, served.size(), swaps, byVersion, failures.get());
            samples.forEach(m -> System.out.println("  failure: " + m));
            assertThat(failures.get()).as("failed handshakes, failed requests and answers of a mixed or broken set").isZero();
            assertThat(sent.get()).isEqualTo((long) RATE * SECONDS);
            assertThat(served).as("the rotated certificates were served").hasSize(pairs.size());
            assertThat(byVersion.keySet()).as("only the two whole sets answered").containsExactlyInAnyOrder(allowingVersion, denyingVersion);
            assertThat(ready.path("ready").asBoolean()).isTrue();
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static JsonNode readyz(int port, SSLContext ssl) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(ssl).build();
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    /** The served policy version once it differs from {@code not} (null: any). */
    private static String version(int port, SSLContext ssl, String not) throws Exception {
        long until = System.currentTimeMillis() + 20_000;
        while (true) {
            String v = readyz(port, ssl).path("policyVersion").asText(null);
            if (v != null && !v.equals(not)) {
                return v;
            }
            assertThat(System.currentTimeMillis()).as("the policy set was loaded").isLessThan(until);
            Thread.sleep(100);
        }
    }
}
