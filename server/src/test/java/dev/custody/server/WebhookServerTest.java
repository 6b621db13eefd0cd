package dev.custody.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.policy.PolicyParser;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook over real HTTPS on loopback, as the API server calls it. */
class WebhookServerTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String DIGEST = "sha256:" + "e".repeat(64);

    @TempDir
    Path dir;
    WebhookServer server;
    HttpClient client;
    SSLContext trust;

    static String policy(String name, String tier) {
        return """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: %s}
                spec:
                  tier: %s
                  serviceAccount: {denyDefault: false, automountToken: false}
                  images: {denyTags: {action: warn}}
                """.formatted(name, tier);
    }

    static String review(String uid, String image) {
        return """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"%s",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"shop","operation":"CREATE",
                 "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"shop"},
                           "spec":{"containers":[{"name":"a","image":"%s"}]}}}}
                """.formatted(uid, image);
    }

    void start(String policyText, Duration grace) throws Exception {
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("policy.yaml"), policyText);
        SelfSigned.Files3 tls = SelfSigned.write(dir.resolve("tls"), List.of("localhost"), List.of("127.0.0.1"));
        Metrics metrics = new Metrics();
        PolicyStore store = new PolicyStore(List.of(policies.toString()), new PolicyParser(), ns -> Map.of(), metrics);
        server = new WebhookServer(new WebhookServer.Options("127.0.0.1", 0, Duration.ofSeconds(10), grace, Duration.ofMillis(100)),
                store, new TlsMaterial(tls.cert(), tls.key()), null, metrics);
        server.start();
        trust = trusting(tls.caCert());
        client = HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(5)).build();
    }

    static SSLContext trusting(Path ca) throws Exception {
        return TlsMaterial.trusting(ca);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    URI uri(String path) {
        return URI.create("https://127.0.0.1:" + server.port() + path);
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void answersReviewsEchoingTheUid() throws Exception {
        start(policy("prod", "production"), Duration.ofSeconds(5));
        HttpResponse<String> denied = post("/validate?timeout=10s", review("u-1", "registry.example.com/a:latest"));
        assertThat(denied.statusCode()).isEqualTo(200);
        JsonNode r = JSON.readTree(denied.body()).path("response");
        assertThat(r.path("uid").asText()).isEqualTo("u-1");
        assertThat(r.path("allowed").asBoolean()).isFalse();
        assertThat(r.path("status").path("message").asText()).contains("DIGEST_REQUIRED");
        assertThat(r.path("warnings").get(0).asText()).contains("TAG_DENIED");
        assertThat(r.path("auditAnnotations").path("verdict").asText()).isEqualTo("denied");

        JsonNode ok = JSON.readTree(post("/validate", review("u-2", "registry.example.com/a@" + DIGEST)).body()).path("response");
        assertThat(ok.path("uid").asText()).isEqualTo("u-2");
        assertThat(ok.path("allowed").asBoolean()).isTrue();

        String metrics = get("/metrics").body();
        assertThat(metrics).contains("custody_admission_requests_total{kind=\"Pod\",verdict=\"denied\"} 1.0")
                .contains("custody_admission_duration_seconds_bucket").contains("custody_rule_outcomes_total");
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        JsonNode ready = JSON.readTree(get("/readyz").body());
        assertThat(ready.path("ready").asBoolean()).isTrue();
        assertThat(ready.path("namespaceCache").asText()).isEqualTo("disabled");
    }

    @Test
    void brokenNullAndOversizedReviewsGet4xxWithAMessage() throws Exception {
        start(policy("prod", "production"), Duration.ofSeconds(5));
        HttpResponse<String> nul = post("/validate", "null");
        assertThat(nul.statusCode()).isEqualTo(400);
        assertThat(nul.body()).contains("body is null");
        HttpResponse<String> partial = post("/validate", "{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\",\"request\":{\"operation\":\"CREATE\"}}");
        assertThat(partial.statusCode()).isEqualTo(400);
        assertThat(partial.body()).contains("request.uid is missing");
        assertThat(post("/validate", "{not json").statusCode()).isEqualTo(400);
        HttpResponse<String> big = post("/validate", "{\"x\":\"" + "a".repeat(8 * 1024 * 1024) + "\"}");
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(get("/validate").statusCode()).isEqualTo(405);
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        // the server is still healthy after all of that
        assertThat(post("/validate", review("u-3", "a@" + DIGEST)).statusCode()).isEqualTo(200);
    }

    @Test
    void aBrokenPolicySetNeverReplacesAGoodOne() throws Exception {
        start(policy("prod", "production"), Duration.ofSeconds(5));
        String v1 = JSON.readTree(get("/readyz").body()).path("policyVersion").asText();
        Path file = dir.resolve("policies/policy.yaml");
        Files.writeString(file, policy("prod", "production").replace("tier: production", "tier: prod"));
        awaitReadyz(r -> !r.path("policyError").isNull());
        JsonNode ready = JSON.readTree(get("/readyz").body());
        assertThat(ready.path("policyVersion").asText()).isEqualTo(v1);
        assertThat(ready.path("policyError").asText()).contains("policy.yaml:5").contains("spec.tier");
        JsonNode still = JSON.readTree(post("/validate", review("u-4", "r.example.com/a:1")).body()).path("response");
        assertThat(still.path("allowed").asBoolean()).as("old production policy still serves").isFalse();
        assertThat(get("/metrics").body()).contains("custody_policy_reloads_total{result=\"rejected\"} 1.0");

        Files.writeString(file, policy("prod", "dev"));
        awaitReadyz(r -> r.path("policyError").isNull() && !r.path("policyVersion").asText().equals(v1));
        JsonNode now = JSON.readTree(post("/validate", review("u-5", "r.example.com/a:1")).body()).path("response");
        assertThat(now.path("allowed").asBoolean()).as("the fixed dev policy now serves").isTrue();
    }

    @Test
    void notReadyUntilPoliciesLoad() throws Exception {
        start("apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: x}\nspec: {tier: nope}\n", Duration.ofSeconds(5));
        assertThat(server.ready()).isFalse();
        HttpResponse<String> readyz = get("/readyz");
        assertThat(readyz.statusCode()).isEqualTo(503);
        assertThat(readyz.body()).contains("spec.tier");
        assertThat(post("/validate", review("u", "a:1")).statusCode()).isEqualTo(503);
        Files.writeString(dir.resolve("policies/policy.yaml"), policy("x", "dev"));
        awaitReadyz(r -> r.path("ready").asBoolean());
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void rotatedCertificateIsServedWithoutRestart() throws Exception {
        start(policy("prod", "dev"), Duration.ofSeconds(5));
        X509Certificate before = servedCertificate();
        Thread.sleep(1100); // file times have one-second resolution on some file systems
        SelfSigned.Files3 fresh = SelfSigned.write(dir.resolve("tls"), List.of("localhost"), List.of("127.0.0.1"));
        SSLContext newTrust = trusting(fresh.caCert());
        long deadline = System.currentTimeMillis() + 5000;
        X509Certificate after = before;
        while (System.currentTimeMillis() < deadline && after.getSerialNumber().equals(before.getSerialNumber())) {
            Thread.sleep(100);
            try {
                trust = newTrust;
                after = servedCertificate();
            } catch (javax.net.ssl.SSLException notYet) {
                // still the old certificate, which the new CA does not trust
            }
        }
        assertThat(after.getSerialNumber()).isNotEqualTo(before.getSerialNumber());
        client = HttpClient.newBuilder().sslContext(newTrust).build();
        assertThat(get("/metrics").body()).contains("custody_tls_reloads_total{result=\"loaded\"}");
    }

    X509Certificate servedCertificate() throws Exception {
        try (SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", server.port())) {
            s.startHandshake();
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void shutdownDrainsInFlightReviews() throws Exception {
        String slow = policy("slow", "dev") + """
                  cel:
                    - name: slow
                      costLimit: 10000000
                      expression: "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20].all(a, [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20].all(b, [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20].all(c, [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20].all(d, a + b + c + d > 0))))"
                """;
        start(slow, Duration.ofSeconds(20));
        long t0 = System.nanoTime();
        CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(HttpRequest.newBuilder(uri("/validate"))
                .POST(HttpRequest.BodyPublishers.ofString(review("slow-1", "a:1"))).build(), HttpResponse.BodyHandlers.ofString());
        while (server.inFlight() == 0 && System.nanoTime() - t0 < 5_000_000_000L) {
            Thread.sleep(5);
        }
        assertThat(server.inFlight()).as("the review is being evaluated").isEqualTo(1);
        server.close();
        HttpResponse<String> r = inFlight.get();
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("response").path("uid").asText()).isEqualTo("slow-1");
        server = null;
    }

    @Test
    void deadlineComesFromTheApiServersTimeout() throws Exception {
        start(policy("prod", "dev"), Duration.ofSeconds(5));
        assertThat(server.deadline("timeout=10s")).isEqualTo(Duration.ofMillis(9750));
        assertThat(server.deadline("timeout=2s&x=y")).isEqualTo(Duration.ofMillis(1750));
        assertThat(server.deadline(null)).isEqualTo(Duration.ofMillis(9750));
        assertThat(server.deadline("timeout=50ms")).isEqualTo(Duration.ofMillis(100));
    }

    void awaitReadyz(java.util.function.Predicate<JsonNode> condition) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            if (condition.test(JSON.readTree(get("/readyz").body()))) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("readyz never satisfied the condition: " + get("/readyz").body());
    }
}
