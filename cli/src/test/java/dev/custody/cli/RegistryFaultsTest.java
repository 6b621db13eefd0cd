package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.oci.FrontServer;
import dev.custody.server.TlsMaterial;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Part of the failure suite: the registry misbehaves while {@code custody serve} admits pods whose trust rule needs
 * their signatures. Images signed with the real cosign sit in a real registry. Custody reaches it through a front on
 * loopback that can turn slow (2 s per request), answer 429 with Retry-After, or go away. Meanwhile a steady load
 * admits a digest verified earlier. Each fault's probe of a digest not verified yet must be answered within its
 * webhook deadline, as unavailable (never as a bad signature), or verified once a short Retry-After has passed. The
 * steady load must see no failure. The figures are printed.
 */
class RegistryFaultsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void slowRateLimitedAndDownRegistriesKeepToTheDeadlineAndSpareVerifiedDigests() throws Exception {
        String cosign = System.getenv("CUSTODY_COSIGN");
        Assumptions.assumeTrue(cosign != null && Files.isExecutable(Path.of(cosign)), "CUSTODY_COSIGN is not set: scripts/test.sh builds cosign and sets it");
        Path regDir = tmp.resolve("registry");
        Process reg = new ProcessBuilder("bash", DecisionLogKillTest.ROOT.resolve("scripts/image/registry.sh").toString(), "start", regDir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String registry = new String(reg.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(reg.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(reg.exitValue()).as("registry.sh start").isZero();
        FrontServer front = new FrontServer(registry);
        Process serve = null;
        try {
            // five images, each signed with the same key by the real cosign (against the registry itself: the signature
            // names the repository and digest; Custody then reads it through the front)
            run(List.of(cosign, "generate-key-pair", "--output-key-prefix", tmp.resolve("ci").toString()));
            List<String> digests = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String d = InventoryE2ETest.push(registry, "shop/app", "v" + i, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":{\"n\":\"" + i + "\"}}}");
                run(List.of(cosign, "sign", "--tlog-upload=false", "--allow-http-registry=true", "--allow-insecure-registry=true", "--yes", "--key",
                        tmp.resolve("ci.key").toString(), registry + "/shop/app@" + d));
                digests.add(front.address() + "/shop/app@" + d);
            }
            Path policies = Files.createDirectories(tmp.resolve("policies"));
            Files.writeString(policies.resolve("signed.yaml"), """
                    apiVersion: custody.dev/v1alpha1
                    kind: Policy
                    metadata: {name: signed}
                    spec:
                      tier: dev
                      trust:
                        - name: ci
                          images: ['%s/shop/*']
                          authorities:
                            - name: ci-key
                              key: |
                    %s
                          failureMode: closed
                    """.formatted(front.address(), Files.readString(tmp.resolve("ci.pub")).indent(18).stripTrailing()));
            serve = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                    "dev.custody.cli.Main", "serve", "--policy", policies.toString(), "--port", "0", "--self-signed", "--tls-dir",
                    tmp.resolve("tls").toString()).redirectErrorStream(true).start();
            int port = ServeProcess.awaitPort(serve);
            SSLContext ssl = TlsMaterial.trusting(tmp.resolve("tls/ca.crt"));
            HttpClient http = HttpClient.newBuilder().sslContext(ssl).build();

            Probe first = probe(http, port, "verified", digests.get(0), 10);
            assertThat(first.allowed()).as(first.response().toString()).isTrue();

            // the steady load: 100 reviews/s of the digest verified now, on 4 keep-alive connections, through every fault
            AtomicBoolean go = new AtomicBoolean(true);
            AtomicLong steadyFailures = new AtomicLong();
            List<Long> steadyLatency = Collections.synchronizedList(new ArrayList<>());
            List<String> samples = Collections.synchronizedList(new ArrayList<>());
            List<Thread> load = new ArrayList<>();
            AtomicInteger seq = new AtomicInteger();
            for (int w = 0; w < 4; w++) {
                load.add(Thread.ofPlatform().start(() -> {
                    try (ReplicasFailoverTest.Conn conn = new ReplicasFailoverTest.Conn(port, ssl)) {
                        long next = System.nanoTime();
                        while (go.get()) {
                            next += 40_000_000L;
                            long wait = next - System.nanoTime();
                            if (wait > 0) {
                                TimeUnit.NANOSECONDS.sleep(wait);
                            }
                            long t0 = System.nanoTime();
                            JsonNode r = JSON.readTree(conn.review(body("steady-" + seq.incrementAndGet(), digests.get(0)))).path("response");
                            steadyLatency.add(System.nanoTime() - t0);
                            if (!r.path("allowed").asBoolean()) {
                                steadyFailures.incrementAndGet();
                                if (samples.size() < 5) {
                                    samples.add(r.toString());
                                }
                            }
                        }
                    } catch (Exception e) {
                        steadyFailures.incrementAndGet();
                        samples.add(e.toString());
                    }
                }));
            }

            // slow: every request to the registry waits 2 s
            front.fault = ex -> {
                sleep(2000);
                return false;
            };
            Probe slow = probe(http, port, "slow", digests.get(1), 3);
            assertUnavailableWithin(slow, 3000);

            // rate limited once, with Retry-After: 1 s: honoured, and the signature verifies within a 10 s deadline
            List<Long> requestTimes = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger limited = new AtomicInteger(1);
            AtomicLong limitedAt = new AtomicLong();
            front.fault = ex -> {
                requestTimes.add(System.nanoTime());
                if (limited.getAndDecrement() > 0) {
                    limitedAt.set(System.nanoTime());
                    ex.getResponseHeaders().set("Retry-After", "1");
                    FrontServer.send(ex, 429, "application/json", "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}");
                    return true;
                }
                return false;
            };
            Probe retried = probe(http, port, "retry-after-1s", digests.get(2), 10);
            assertThat(retried.allowed()).as(retried.response().toString()).isTrue();
            long after = requestTimes.stream().filter(t -> t > limitedAt.get()).min(Long::compare).orElseThrow();
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(after - limitedAt.get());
            assertThat(waitedMs).as("the next request came after Retry-After").isGreaterThanOrEqualTo(1000);

            // rate limited with a Retry-After past the deadline: given up at once, not slept through
            front.fault = ex -> {
                ex.getResponseHeaders().set("Retry-After", "30");
                FrontServer.send(ex, 429, "application/json", "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}");
                return true;
            };
            Probe longLimit = probe(http, port, "retry-after-30s", digests.get(3), 3);
            assertUnavailableWithin(longLimit, 1500);

            // down: the front is gone (connections refused)
            front.close();
            Probe down = probe(http, port, "down", digests.get(4), 3);
            assertUnavailableWithin(down, 3000);
            Probe cached = probe(http, port, "verified-while-down", digests.get(0), 3);
            assertThat(cached.allowed()).as(cached.response().toString()).isTrue();

            go.set(false);
            for (Thread t : load) {
                t.join(30_000);
            }
            long[] lat = steadyLatency.stream().mapToLong(Long::longValue).sorted().toArray();
            double p99 = ReplicasFailoverTest.millisAt(lat, 0.99);
            System.out.printf("registry faults: slow (2 s per request) answered in %d ms of a 3 s deadline; 429 with Retry-After 1 s: next request "
                            + "%d ms later, verified in %d ms; 429 with Retry-After 30 s: answered in %d ms; registry down: answered in %d ms, the "
                            + "verified digest still admitted in %d ms; steady load on the verified digest: %d reviews, %d failures, p99 %.1f ms, "
                            + "max %.1f ms%n", slow.millis(), waitedMs, retried.millis(), longLimit.millis(), down.millis(), cached.millis(),
                    lat.length, steadyFailures.get(), p99, ReplicasFailoverTest.millisAt(lat, 1.0));
            samples.forEach(s -> System.out.println("  steady failure: " + s));
            assertThat(steadyFailures.get()).as("the verified digest was admitted throughout").isZero();
            assertThat(lat.length).isGreaterThan(200);
        } finally {
            try {
                front.close();
            } catch (RuntimeException alreadyClosed) {
                // the down phase closed it
            }
            if (serve != null) {
                serve.destroy();
                serve.waitFor(30, TimeUnit.SECONDS);
            }
            new ProcessBuilder("bash", DecisionLogKillTest.ROOT.resolve("scripts/image/registry.sh").toString(), "stop", regDir.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
        }
    }

    private record Probe(JsonNode response, long millis) {
        boolean allowed() {
            return response.path("allowed").asBoolean();
        }
    }

    private static void assertUnavailableWithin(Probe p, long millis) {
        assertThat(p.allowed()).as(p.response().toString()).isFalse();
        assertThat(p.response().path("status").path("message").asText()).contains("SIGNATURE_UNAVAILABLE").doesNotContain("SIGNATURE_INVALID");
        assertThat(p.millis()).as("answered within the deadline").isLessThan(millis);
    }

    private static Probe probe(HttpClient http, int port, String uid, String image, int timeoutSeconds) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/validate?timeout=" + timeoutSeconds + "s"))
                .timeout(Duration.ofSeconds(timeoutSeconds + 5)).POST(HttpRequest.BodyPublishers.ofString(body(uid, image))).build(),
                HttpResponse.BodyHandlers.ofString());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(r.statusCode()).isEqualTo(200);
        return new Probe(JSON.readTree(r.body()).path("response"), ms);
    }

    private static String body(String uid, String image) {
        return """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"%s","operation":"CREATE",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"shop","name":"api","userInfo":{"username":"alice"},
                 "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"api","namespace":"shop"},
                           "spec":{"containers":[{"name":"api","image":"%s"}]}}}}
                """.formatted(uid, image);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true);
        pb.environment().put("COSIGN_PASSWORD", "custody-test");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
    }
}
