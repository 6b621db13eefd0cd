package dev.custody.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.custody.imageref.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A registry that misbehaves: rate limits, 5xx, hangs, slow bodies, oversized, malformed or substituted content,
 * redirects. {@link FrontServer} (a real HTTP server on loopback) misbehaves in front of a real registry. Each case
 * must end in success after retries or in the typed exception that says whose fault it is, within the deadline.
 */
@ExtendWith(LocalRegistries.Extension.class)
class RobustnessTest {

    static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(20), Duration.ofMillis(100));

    static LocalRegistries registries;
    FrontServer front;
    Repository repo;
    TestContent.Pushed image;
    RegistryClient client;

    @BeforeAll
    static void setUp(LocalRegistries r) {
        registries = r;
    }

    @BeforeEach
    void pushThroughTheFront() throws IOException {
        String upstream = registries.any().address();
        front = new FrontServer(upstream);
        repo = front.repository("custody/robust");
        client = RegistryClient.builder().retryPolicy(FAST).build();
        image = TestContent.image(client, repo, "v1", false, new Random(9), call());
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (front != null) {
            front.close();
        }
    }

    static Call call() {
        return Call.within(Duration.ofSeconds(20));
    }

    /** Answers the first {@code times} requests whose path matches, then lets requests through. */
    static FrontServer.Fault first(int times, Predicate<String> path, FrontServer.Fault fault) {
        AtomicInteger left = new AtomicInteger(times);
        return ex -> path.test(ex.getRequestURI().getPath()) && left.getAndDecrement() > 0 && fault.apply(ex);
    }

    static FrontServer.Fault status(int status, String header, String value) {
        return ex -> {
            if (header != null) {
                ex.getResponseHeaders().set(header, value);
            }
            FrontServer.send(ex, status, "application/json", "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}");
            return true;
        };
    }

    static Predicate<String> manifests() {
        return p -> p.contains("/manifests/");
    }

    @Test
    void rateLimitedThenServedHonoursRetryAfterSeconds() {
        front.fault = first(1, manifests(), status(429, "Retry-After", "1"));
        Call call = call();
        long start = System.nanoTime();
        assertThat(client.manifest(repo.tagged("v1"), call).digest()).isEqualTo(image.digest());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(call.retries()).isEqualTo(1);
        assertThat(call.requests()).isEqualTo(2);
    }

    @Test
    void rateLimitedThenServedHonoursRetryAfterDate() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(2));
        front.fault = first(1, manifests(), status(429, "Retry-After", date));
        long start = System.nanoTime();
        assertThat(client.manifest(repo.tagged("v1"), call()).digest()).isEqualTo(image.digest());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @Test
    void aRetryAfterBeyondTheDeadlineFailsAtOnce() {
        front.fault = first(1, manifests(), status(429, "Retry-After", "30"));
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.manifest(repo.tagged("v1"), Call.within(Duration.ofSeconds(5))))
                .isInstanceOfSatisfying(RegistryUnavailableException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RegistryUnavailableException.Reason.RATE_LIMITED);
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
                    assertThat(e.status()).isEqualTo(429);
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void serviceUnavailableIsRetried() {
        front.fault = first(2, manifests(), status(503, null, null));
        Call call = call();
        assertThat(client.manifest(repo.tagged("v1"), call).digest()).isEqualTo(image.digest());
        assertThat(call.retries()).isEqualTo(2);
    }

    @Test
    void serverErrorsPastTheRetriesAreUnavailableNotAbsent() {
        front.fault = first(100, manifests(), status(500, null, null));
        assertThatThrownBy(() -> client.manifest(repo.tagged("v1"), call())).isInstanceOfSatisfying(RegistryUnavailableException.class, e -> {
            assertThat(e.reason()).isEqualTo(RegistryUnavailableException.Reason.SERVER_ERROR);
            assertThat(e.attempts()).isEqualTo(FAST.maxAttempts());
            assertThat(e.status()).isEqualTo(500);
        });
    }

    @Test
    void theDeadlineStopsRetries() {
        front.fault = first(10_000, manifests(), status(503, null, null));
        try (RegistryClient patient = RegistryClient.builder().retryPolicy(new RetryPolicy(1000, Duration.ofMillis(50), Duration.ofMillis(400))).build()) {
            Duration deadline = Duration.ofMillis(1500);
            long start = System.nanoTime();
            Call call = Call.within(deadline);
            assertThatThrownBy(() -> patient.manifest(repo.tagged("v1"), call)).isInstanceOfSatisfying(RegistryUnavailableException.class,
                    e -> assertThat(e.reason()).isEqualTo(RegistryUnavailableException.Reason.SERVER_ERROR));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThanOrEqualTo(deadline.plusMillis(300));
            assertThat(call.retries()).isBetween(2L, 20L);
        }
    }

    @Test
    void aHangingRegistryMissesTheDeadline() {
        front.fault = first(1, manifests(), ex -> {
            sleep(10_000);
            return true;
        });
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.manifest(repo.tagged("v1"), Call.within(Duration.ofMillis(400))))
                .isInstanceOfSatisfying(RegistryUnavailableException.class,
                        e -> assertThat(e.reason()).isEqualTo(RegistryUnavailableException.Reason.DEADLINE_EXCEEDED));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(350), Duration.ofMillis(2000));
    }

    @Test
    void aDrippingBodyMissesTheDeadline() {
        front.fault = first(1, manifests(), ex -> {
            ex.getResponseHeaders().set("Content-Type", MediaTypes.OCI_MANIFEST);
            ex.sendResponseHeaders(200, 10_000);
            OutputStream out = ex.getResponseBody();
            for (int i = 0; i < 10_000 && !Thread.currentThread().isInterrupted(); i++) {
                out.write(' ');
                out.flush();
                sleep(20);
            }
            return true;
        });
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.manifest(repo.tagged("v1"), Call.within(Duration.ofMillis(500))))
                .isInstanceOfSatisfying(RegistryUnavailableException.class,
                        e -> assertThat(e.reason()).isEqualTo(RegistryUnavailableException.Reason.DEADLINE_EXCEEDED));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
    }

    @Test
    void requestsPerRegistryAreLimited() throws Exception {
        // counted around the server's own delay, before it answers: a count kept until the response is written would
        // also see the next request, which the client may send as soon as the answer arrives
        java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger maxInFlight = new java.util.concurrent.atomic.AtomicInteger();
        front.fault = ex -> {
            if (ex.getRequestURI().getPath().contains("/manifests/")) {
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                try {
                    sleep(150);
                } finally {
                    inFlight.decrementAndGet();
                }
            }
            return false;
        };
        try (RegistryClient limited = RegistryClient.builder().maxConcurrentRequestsPerRegistry(2).build();
                ExecutorService pool = Executors.newFixedThreadPool(6)) {
            List<Future<Digest>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                results.add(pool.submit(() -> limited.manifest(repo.tagged("v1"), call()).digest()));
            }
            for (Future<Digest> f : results) {
                assertThat(f.get()).isEqualTo(image.digest());
            }
            assertThat(maxInFlight.get()).isEqualTo(2);
        }
    }

    @Test
    void substitutedContentIsADigestMismatch() {
        byte[] other = Hostile.utf8(Hostile.VALID);
        FrontServer.Fault serveOther = ex -> {
            FrontServer.send(ex, 200, MediaTypes.OCI_MANIFEST, other);
            return true;
        };
        front.fault = first(1, manifests(), serveOther);
        assertThatThrownBy(() -> client.manifest(repo.at(image.digest()), call())).isInstanceOfSatisfying(InvalidResponseException.class,
                e -> assertThat(e.reason()).isEqualTo(InvalidResponseException.Reason.DIGEST_MISMATCH));

        front.fault = first(1, manifests(), ex -> {
            ex.getResponseHeaders().set("Docker-Content-Digest", image.digest().toString());
            return serveOther.apply(ex);
        });
        assertThatThrownBy(() -> client.manifest(repo.tagged("v1"), call())).as("by tag, against the announced digest")
                .isInstanceOfSatisfying(InvalidResponseException.class, e -> assertThat(e.reason()).isEqualTo(InvalidResponseException.Reason.DIGEST_MISMATCH));

        Descriptor config = client.manifest(repo.at(image.digest()), call()).imageManifest().config();
        front.fault = first(1, p -> p.contains("/blobs/"), ex -> {
            FrontServer.send(ex, 200, MediaTypes.OCTET_STREAM, "{\"tampered\":true}");
            return true;
        });
        assertThatThrownBy(() -> client.blob(repo, config.digest(), call())).isInstanceOfSatisfying(InvalidResponseException.class,
                e -> assertThat(e.reason()).isEqualTo(InvalidResponseException.Reason.DIGEST_MISMATCH));

        Digest elsewhere = TestContent.sha256(other);
        front.fault = first(1, manifests(), ex -> {
            ex.getResponseHeaders().set("Docker-Content-Digest", elsewhere.toString());
            ex.getResponseHeaders().set("Content-Length", "100");
            FrontServer.send(ex, 200, MediaTypes.OCI_MANIFEST, new byte[0]);
            return true;
        });
        assertThatThrownBy(() -> client.head(repo.at(image.digest()), call())).isInstanceOfSatisfying(InvalidResponseException.class,
                e -> assertThat(e.reason()).isEqualTo(InvalidResponseException.Reason.DIGEST_MISMATCH));
    }

    @Test
    void withoutDigestHeaderTagResolutionHashesTheManifest() {
        front.fault = ex -> {
            if (ex.getRequestMethod().equals("HEAD")) {
                FrontServer.send(ex, 200, MediaTypes.OCI_MANIFEST, new byte[0]);
                return true;
            }
            return false;
        };
        Call call = call();
        assertThat(client.resolve(repo.tagged("v1"), call)).isEqualTo(image.digest());
        assertThat(call.requests()).as("HEAD without the header, then GET").isEqualTo(2);
    }

    @Test
    void oversizedManifestsAreRefused() {
        byte[] huge = Hostile.utf8(Hostile.VALID.replace("\"a\":\"b\"", "\"a\":\"" + "x".repeat(5 * 1024 * 1024) + "\""));
        front.fault = first(1, manifests(), ex -> {
            FrontServer.send(ex, 200, MediaTypes.OCI_MANIFEST, huge);
            return true;
        });
        assertThatThrownBy(() -> client.manifest(repo.tagged("v1"), call())).as("announced by Content-Length")
                .isInstanceOfSatisfying(InvalidResponseException.class, e -> assertThat(e.reason()).isEqualTo(InvalidResponseException.Reason.TOO_LARGE));
        front.fault = first(1, manifests(), ex -> {
            ex.getResponseHeaders().set("Content-Type", MediaTypes.OCI_MANIFEST);
            ex.sendResponseHeaders(200, 0); // chunked: the size shows only while reading
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < huge.length; i += 65536) {
                    out.write(huge, i, Math.min(65536, huge.length - i));
                }
            } catch (IOException e) {
                // the client hung up once it had enough
            }
            return true;
        });
        assertThatThrownBy(() -> client.manifest(repo.tagged("v1"), call())).as("chunked")
                .isInstanceOfSatisfying(InvalidResponseException.class, e -> assertThat(e.reason()).isEqualTo(InvalidResponseException.Reason.TOO_LARGE));
    }

    @Test
    void hostileManifestsOverHttpAreInvalidResponsesNeverAnotherException() {
        AtomicReference<byte[]> served = new AtomicReference<>();
        front.fault = ex -> {
            if (!ex.getRequestURI().getPath().endsWith("/manifests/fuzz")) {
                return false;
            }
            FrontServer.send(ex, 200, MediaTypes.OCI_MANIFEST, served.get());
            return true;
        };
        List<Hostile.Case> cases = new ArrayList<>(Hostile.named());
        cases.addAll(Hostile.random(new Random(77), 300));
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            int refused = 0;
            for (Hostile.Case c : cases) {
                served.set(c.bytes());
                try {
                    client.manifest(repo.tagged("fuzz"), call());
                } catch (InvalidResponseException e) {
                    refused++;
                } catch (RuntimeException e) {
                    throw new AssertionError(c.name() + " escaped as " + e, e);
                }
            }
            assertThat(refused).isGreaterThan(cases.size() * 3 / 4);
        });
    }

    @Test
    void anOutageDuringDiscoveryIsNeverAnEmptyResult() {
        front.fault = first(100, p -> p.contains("/referrers/") || p.contains(".sig"), status(503, null, null));
        assertThatThrownBy(() -> client.discover(repo, image.digest(), call())).isInstanceOf(RegistryUnavailableException.class);
        front.fault = first(100, p -> p.contains(".sig"), status(502, null, null));
        assertThatThrownBy(() -> client.cosignArtifact(repo, image.digest(), CosignTag.SIGNATURE, call()))
                .isInstanceOf(RegistryUnavailableException.class);
    }

    @Test
    void credentialsDoNotFollowARedirectToAnotherOrigin() throws IOException {
        Descriptor config = client.manifest(repo.at(image.digest()), call()).imageManifest().config();
        byte[] configBytes = client.blob(repo, config.digest(), call());
        AtomicReference<String> seen = new AtomicReference<>("unset");
        try (FrontServer storage = new FrontServer(null)) {
            storage.fault = ex -> {
                seen.set(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
                FrontServer.send(ex, 200, MediaTypes.OCTET_STREAM, configBytes);
                return true;
            };
            front.bearer(null, null, null);
            front.fault = ex -> {
                if (ex.getRequestURI().getPath().contains("/blobs/") && ex.getRequestHeaders().getFirst("Authorization") != null) {
                    ex.getResponseHeaders().set("Location", "http://" + storage.address() + "/v2/storage/blob?sig=abc");
                    FrontServer.send(ex, 307, null, new byte[0]);
                    return true;
                }
                return false;
            };
            try (RegistryClient fresh = RegistryClient.builder().build()) {
                assertThat(fresh.blob(repo, config.digest(), call())).isEqualTo(configBytes);
            }
            assertThat(seen.get()).isEqualTo("null");
        }
    }

    @Test
    void aRedirectLoopIsAProtocolError() {
        front.fault = ex -> {
            ex.getResponseHeaders().set("Location", ex.getRequestURI().toString());
            FrontServer.send(ex, 302, null, new byte[0]);
            return true;
        };
        Call call = call();
        assertThatThrownBy(() -> client.manifest(repo.tagged("v1"), call)).isInstanceOfSatisfying(InvalidResponseException.class,
                e -> assertThat(e.reason()).isEqualTo(InvalidResponseException.Reason.PROTOCOL));
        assertThat(call.requests()).isEqualTo(Http.MAX_REDIRECTS + 1);
    }

    @Test
    void garbageInsteadOfHttpIsAConnectionFailure() throws Exception {
        ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        try {
            Thread t = Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        InputStream in = s.getInputStream();
                        in.read(new byte[4096]);
                        s.getOutputStream().write("SSH-2.0-OpenSSH_9.2\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            Repository bogus = new Repository("127.0.0.1:" + server.getLocalPort(), "custody/robust");
            assertThatThrownBy(() -> client.manifest(bogus.tagged("v1"), call())).isInstanceOfSatisfying(RegistryUnavailableException.class,
                    e -> assertThat(e.reason()).isEqualTo(RegistryUnavailableException.Reason.CONNECTION));
            server.close();
            t.join(2000);
        } finally {
            server.close();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
