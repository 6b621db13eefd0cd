package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.server.SelfSigned;
import dev.custody.server.TlsMaterial;
import dev.custody.store.Store;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code custody serve} replicas on one PostgreSQL of the test's own, under 1,000 AdmissionReviews a second
 * spread over them as a Service would. One replica is killed with SIGKILL; then PostgreSQL is killed
 * ({@code pg_ctl -m immediate}) and kept down for 30 s, and brought back. Throughout, the replicas answer from local
 * state and spool their decisions on their own disks; once PostgreSQL is back they write the spool to it. Afterwards
 * every answered review is in the decision log exactly once, {@code custody audit verify} passes, and the only failed
 * requests are those in flight on the killed replica. The figures are printed.
 */
class ReplicasFailoverTest {

    static final String UID = "705ab4f5-6393-11e8-b7cc-42010a800002";
    static final int RATE = 1000;
    static final int SECONDS = 60;
    static final int KILL_REPLICA_AT = 8;
    static final int KILL_STORE_AT = 15;
    static final int STORE_DOWN = 30;
    static final int WORKERS_PER_REPLICA = 8;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path certs;

    private record Replica(int index, Process process, int port) {}

    private Replica serve(int index, String store) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"), "dev.custody.cli.Main", "serve",
                "--policy", DecisionLogKillTest.ROOT.resolve("examples/policies").toString(), "--port", "0",
                "--tls-cert", certs.resolve("tls.crt").toString(), "--tls-key", certs.resolve("tls.key").toString(), "--store", store,
                "--spool-dir", tmp.resolve("spool-" + index).toString(), "--denylist-copy", tmp.resolve("denylist-" + index + ".json").toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        return new Replica(index, p, ServeProcess.awaitPort(p));
    }

    @Test
    void threeReplicasLoseNoAnsweredDecisionThroughAKilledReplicaAndThirtySecondsWithoutTheStore() throws Exception {
        if (!PrivatePostgres.available()) {
            if ("1".equals(System.getenv("CUSTODY_REQUIRE_PG"))) {
                throw new IllegalStateException("CUSTODY_REQUIRE_PG=1 but no PostgreSQL server binaries are under /usr/lib/postgresql");
            }
            Assumptions.abort("no PostgreSQL server binaries under /usr/lib/postgresql (scripts/pg/start.sh installs them)");
        }
        certs = tmp.resolve("tls");
        SelfSigned.write(certs, List.of("localhost"), List.of("127.0.0.1"));
        SSLContext ssl = TlsMaterial.trusting(certs.resolve("ca.crt"));
        String template = Files.readString(DecisionLogKillTest.ROOT.resolve("bench/load/pod-review.json"));
        assertThat(template).contains(UID);
        try (PrivatePostgres pg = PrivatePostgres.start("failover-pg")) {
            String store = pg.url();
            Replica[] replicas = new Replica[3];
            for (int i = 0; i < 3; i++) {
                replicas[i] = serve(i, store);
            }
            Traffic traffic = new Traffic(replicas, ssl, template);
            traffic.warmUp(Integer.getInteger("custody.failover.warmup", 5));
            Thread load = Thread.ofPlatform().start(traffic::run);

            sleepUntil(traffic.start + TimeUnit.SECONDS.toNanos(KILL_REPLICA_AT));
            traffic.killed(2);
            replicas[2].process().destroyForcibly(); // SIGKILL
            replicas[2].process().waitFor(30, TimeUnit.SECONDS);

            sleepUntil(traffic.start + TimeUnit.SECONDS.toNanos(KILL_STORE_AT));
            pg.kill();
            long storeDown = System.nanoTime();
            long maxSpooled = 0;
            while (System.nanoTime() - storeDown < TimeUnit.SECONDS.toNanos(STORE_DOWN)) {
                Thread.sleep(1000);
                maxSpooled = Math.max(maxSpooled, spooled(replicas[0], ssl) + spooled(replicas[1], ssl));
            }
            traffic.storeDown(storeDown, System.nanoTime());
            pg.restart();
            long storeBack = System.nanoTime();
            load.join(TimeUnit.SECONDS.toMillis(SECONDS + 120));
            assertThat(load.isAlive()).as("the load generator stops by itself").isFalse();

            // the replicas write their spools to the store; the killed one, restarted on its spool directory, too
            replicas[2] = serve(2, store);
            long drained = 0;
            for (Replica r : replicas) {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                JsonNode spool = readyz(r, ssl).path("decisionLog").path("spool");
                while ((spool.path("active").asBoolean() || spool.path("records").asLong() > 0) && System.nanoTime() < until) {
                    Thread.sleep(200);
                    spool = readyz(r, ssl).path("decisionLog").path("spool");
                }
                assertThat(spool.path("records").asLong()).as("replica %d's spool is written to the store", r.index()).isZero();
                drained += spool.path("replayed").asLong();
            }
            long drainedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - storeBack);
            for (Replica r : replicas) {
                r.process().destroy();
                assertThat(r.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            }

            Map<String, Integer> logged = new HashMap<>();
            try (Store s = Store.open(store)) {
                s.read(c -> {
                    try (Statement st = c.createStatement();
                         ResultSet rs = st.executeQuery("SELECT request_uid, COUNT(*) FROM decision GROUP BY request_uid")) {
                        while (rs.next()) {
                            logged.put(rs.getString(1), rs.getInt(2));
                        }
                    }
                    return null;
                });
            }
            List<String> missing = new ArrayList<>();
            List<String> twice = new ArrayList<>();
            for (String uid : traffic.answered) {
                Integer n = logged.get(uid);
                if (n == null) {
                    missing.add(uid);
                } else if (n > 1) {
                    twice.add(uid);
                }
            }
            System.out.printf("replicas failover: %d reviews sent at %d/s over %d s to 3 replicas; %d answered; %d failed in flight on the "
                            + "killed replica; %d other failures; store down %d s: %d decisions spooled at most, %d written from spools, spools "
                            + "empty %d ms after the store came back; latency p50 %.1f ms, p99 %.1f ms, p99 while the store was down %.1f ms, "
                            + "max %.0f ms; %d decisions logged, %d answered ones missing, %d twice%n",
                    traffic.sent.get(), RATE, SECONDS, traffic.answered.size(), traffic.killedInFlight.get(), traffic.failures.get(), STORE_DOWN,
                    maxSpooled, drained, drainedAfter, traffic.percentile(0.50, false), traffic.percentile(0.99, false),
                    traffic.percentile(0.99, true), traffic.percentile(1.0, false), logged.size(), missing.size(), twice.size());
            System.out.println("replicas failover: p99 and max latency by 5 s of the run (replica killed at " + KILL_REPLICA_AT + " s, store down "
                    + KILL_STORE_AT + "-" + (KILL_STORE_AT + STORE_DOWN) + " s): " + traffic.windows(5));
            traffic.failureSamples.forEach(m -> System.out.println("  failure: " + m));
            assertThat(traffic.sent.get()).isEqualTo((long) RATE * SECONDS);
            assertThat(traffic.failures.get()).as("failures outside the killed replica's in-flight requests").isZero();
            assertThat(traffic.killedInFlight.get()).as("in flight on the killed replica").isLessThanOrEqualTo(WORKERS_PER_REPLICA);
            assertThat(traffic.answered.size()).isEqualTo((int) (traffic.sent.get() - traffic.killedInFlight.get()));
            assertThat(maxSpooled).as("decisions were spooled while the store was down").isGreaterThan(1000);
            assertThat(missing).as("answered reviews missing from the log").isEmpty();
            assertThat(twice).as("answered reviews logged twice").isEmpty();
            assertThat(logged.values()).as("no decision is logged twice").allMatch(n -> n == 1);

            CliResult verify = CliResult.run("audit", "verify", "--store", store);
            assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
            assertThat(verify.out()).startsWith("intact: ");
            System.out.println("replicas failover: custody audit verify: " + verify.out().lines().findFirst().orElse(""));
        }
    }

    /** The p-quantile (0 < p <= 1) of sorted nanosecond latencies, in milliseconds; 0 when there are none. */
    static double millisAt(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1))] / 1e6;
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long wait = nanos - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    private static JsonNode readyz(Replica r, SSLContext ssl) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(ssl).build();
        return JSON.readTree(client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + r.port() + "/readyz"))
                .timeout(java.time.Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private static long spooled(Replica r, SSLContext ssl) {
        try {
            return readyz(r, ssl).path("decisionLog").path("spool").path("records").asLong();
        } catch (Exception e) {
            return 0;
        }
    }

    /**
     * An open-loop load of unique reviews: request i is due at start + i ms and is sent by worker i mod 24; each worker
     * keeps a TLS connection to one replica, as a Service's connection would be. When its replica dies the request in
     * flight fails (counted as the killed replica's), and the worker moves to a live replica, as the endpoints would.
     */
    static final class Traffic {
        final Replica[] replicas;
        final SSLContext ssl;
        final String template;
        final int workers;
        final Set<String> answered = ConcurrentHashMap.newKeySet();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final AtomicLong killedInFlight = new AtomicLong();
        final List<String> failureSamples = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicIntegerArray dead;
        final Conn[] conns;
        final long[] latency = new long[RATE * SECONDS];
        final long[] dueAt = new long[RATE * SECONDS];
        volatile long start;
        volatile long downFrom = Long.MAX_VALUE;
        volatile long downTo = Long.MAX_VALUE;

        Traffic(Replica[] replicas, SSLContext ssl, String template) {
            this.replicas = replicas;
            this.ssl = ssl;
            this.template = template;
            this.workers = replicas.length * WORKERS_PER_REPLICA;
            this.dead = new AtomicIntegerArray(replicas.length);
            this.conns = new Conn[workers];
        }

        void killed(int index) {
            dead.set(index, 1);
        }

        void storeDown(long from, long to) {
            downFrom = from;
            downTo = to;
        }

        /** A few seconds at the rate, untimed and unlogged in the figures (their decisions are logged too). */
        void warmUp(int seconds) throws Exception {
            AtomicInteger n = new AtomicInteger();
            Thread[] ts = new Thread[workers];
            long t0 = System.nanoTime();
            for (int w = 0; w < workers; w++) {
                int worker = w;
                ts[w] = Thread.ofPlatform().start(() -> {
                    try {
                        Conn c = new Conn(replicas[worker % replicas.length].port(), ssl);
                        conns[worker] = c; // kept for the timed run: its handshakes are not timed
                        for (int i = worker; i < RATE * seconds; i += workers) {
                            sleepUntil(t0 + i * 1_000_000L);
                            c.review(body("warm-" + i));
                            n.incrementAndGet();
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException("warm-up failed", e);
                    }
                });
            }
            for (Thread t : ts) {
                t.join();
            }
            assertThat(n.get()).isEqualTo(RATE * seconds);
            start = System.nanoTime() + 50_000_000L;
        }

        String body(String uid) {
            return template.replace(UID, uid);
        }

        void run() {
            Thread[] ts = new Thread[workers];
            for (int w = 0; w < workers; w++) {
                int worker = w;
                ts[w] = Thread.ofPlatform().name("failover-load-" + w).start(() -> work(worker));
            }
            for (Thread t : ts) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        private void work(int worker) {
            int replica = worker % replicas.length;
            Conn conn = conns[worker];
            for (int i = worker; i < RATE * SECONDS; i += workers) {
                long due = start + i * 1_000_000L;
                dueAt[i] = due;
                try {
                    sleepUntil(due);
                } catch (InterruptedException e) {
                    return;
                }
                String uid = "failover-" + i;
                sent.incrementAndGet();
                int target = replica;
                try {
                    if (conn == null) {
                        conn = new Conn(replicas[replica].port(), ssl);
                    }
                    String response = conn.review(body(uid));
                    JsonNode r = JSON.readTree(response).path("response");
                    if (r.path("uid").asText().equals(uid) && r.path("status").path("code").asInt(200) != 500) {
                        answered.add(uid);
                    } else {
                        failures.incrementAndGet();
                        sample("replica " + target + " answered " + uid + " with " + r.path("status").path("message").asText());
                    }
                } catch (IOException e) {
                    if (conn != null) {
                        conn.close();
                        conn = null;
                    }
                    if (dead.get(target) == 1) {
                        killedInFlight.incrementAndGet();
                    } else {
                        failures.incrementAndGet();
                        sample("replica " + target + " failed " + uid + ": " + e);
                    }
                }
                latency[i] = System.nanoTime() - due;
                while (dead.get(replica) == 1) { // the endpoints stop routing to a killed pod
                    replica = (replica + 1) % replicas.length;
                    if (conn != null) {
                        conn.close();
                        conn = null;
                    }
                }
            }
            if (conn != null) {
                conn.close();
            }
        }

        private void sample(String m) {
            if (failureSamples.size() < 10) {
                failureSamples.add(m);
            }
        }

        /** p99/max in milliseconds for each window of the run. */
        String windows(int seconds) {
            StringBuilder sb = new StringBuilder();
            int per = RATE * seconds;
            for (int w = 0; w * per < latency.length; w++) {
                long[] xs = Arrays.copyOfRange(latency, w * per, Math.min(latency.length, (w + 1) * per));
                Arrays.sort(xs);
                sb.append(String.format("%s%d s: %.1f/%.0f", w == 0 ? "" : ", ", w * seconds, millisAt(xs, 0.99), millisAt(xs, 1.0)));
            }
            return sb.toString();
        }

        /** A latency percentile in milliseconds, of all requests or of those due while the store was down. */
        double percentile(double p, boolean storeDown) {
            long[] xs = new long[latency.length];
            int n = 0;
            for (int i = 0; i < latency.length; i++) {
                if (latency[i] > 0 && (!storeDown || (dueAt[i] >= downFrom && dueAt[i] < downTo))) {
                    xs[n++] = latency[i];
                }
            }
            long[] sorted = Arrays.copyOf(xs, n);
            Arrays.sort(sorted);
            return millisAt(sorted, p);
        }
    }

    /** One keep-alive TLS connection that speaks just enough HTTP/1.1 to post a review and read the answer. */
    static final class Conn implements AutoCloseable {
        private final javax.net.ssl.SSLSocket socket;
        private final java.io.OutputStream out;
        private final java.io.InputStream in;

        Conn(int port, SSLContext ssl) throws IOException {
            socket = (javax.net.ssl.SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(15_000);
            socket.startHandshake();
            out = new java.io.BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            in = new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024);
        }

        /** The serial number of the certificate the server presented. */
        String peerSerial() throws IOException {
            return ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber().toString(16);
        }

        String review(String body) throws IOException {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            out.write(("POST /validate?timeout=10s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " + b.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    throw new java.io.EOFException("connection closed");
                }
                head.append((char) c);
            }
            String h = head.toString();
            int status = Integer.parseInt(h.substring(9, 12));
            int length = 0;
            for (String line : h.split("\r\n")) {
                if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            byte[] resp = in.readNBytes(length);
            if (resp.length < length) {
                throw new java.io.EOFException("short body");
            }
            if (status != 200) {
                return "{\"response\":{\"status\":{\"code\":500,\"message\":\"HTTP " + status + "\"}}}";
            }
            return new String(resp, StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
