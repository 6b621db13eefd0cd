package dev.custody.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Authentication against a token-authenticated registry. Debian's registry would need htpasswd files, TLS and a
 * token service to authenticate, so {@link FrontServer} stands in for one: a real HTTP server on loopback that
 * answers 401 with Bearer (or Basic) challenges, issues tokens from /token, and proxies authenticated requests to
 * a real local registry.
 */
@ExtendWith(LocalRegistries.Extension.class)
class AuthTest {

    static LocalRegistries registries;
    FrontServer front;
    Repository repo;
    TestContent.Pushed image;

    @BeforeAll
    static void setUp(LocalRegistries r) {
        registries = r;
    }

    @BeforeEach
    void pushThroughAnOpenFront() throws Exception {
        front = new FrontServer(registries.any().address());
        repo = front.repository("custody/private");
        try (RegistryClient open = RegistryClient.builder().build()) {
            image = TestContent.image(open, repo, "v1", false, new Random(3), call());
        }
    }

    @AfterEach
    void stop() {
        if (front != null) {
            front.close();
        }
    }

    static Call call() {
        return Call.within(Duration.ofSeconds(20));
    }

    static byte[] config(String entry) {
        return ("{\"auths\":{" + entry + "}}").getBytes(StandardCharsets.UTF_8);
    }

    static String auth(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anonymousTokenIsFetchedOnceAndReused() {
        front.bearer(null, null, null);
        try (RegistryClient client = RegistryClient.builder().build()) {
            Call first = call();
            assertThat(client.manifest(repo.tagged("v1"), first).digest()).isEqualTo(image.digest());
            assertThat(first.requests()).as("401, token, retry").isEqualTo(3);
            assertThat(first.tokenRequests()).isEqualTo(1);

            for (int i = 0; i < 3; i++) {
                Call next = call();
                client.manifest(repo.at(image.digest()), next);
                assertThat(next.requests()).as("challenge remembered, token cached").isEqualTo(1);
            }
            Call blob = call();
            Descriptor config = client.manifest(repo.at(image.digest()), call()).imageManifest().config();
            client.blob(repo, config, 1 << 16, blob);
            assertThat(blob.requests()).as("same repository, same scope: same token").isEqualTo(1);
            assertThat(front.tokenRequests.get()).isEqualTo(1);
            assertThat(front.tokenParams.getFirst()).containsEntry("service", "front.test").containsEntry("scope", "repository:custody/private:pull");
        }
    }

    @Test
    void tokensExpireWithTheirLifetimeLessAMargin() {
        front.bearer(null, null, 30);
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-28T12:00:00Z"));
        InstantSource clock = now::get;
        try (RegistryClient client = RegistryClient.builder().clock(clock).build()) {
            client.manifest(repo.tagged("v1"), call());
            now.set(now.get().plusSeconds(19));
            client.manifest(repo.tagged("v1"), call());
            assertThat(front.tokenRequests.get()).as("30 s less the 10 s margin: still good at 19 s").isEqualTo(1);
            now.set(now.get().plusSeconds(2));
            Call renewed = call();
            client.manifest(repo.tagged("v1"), renewed);
            assertThat(front.tokenRequests.get()).isEqualTo(2);
            assertThat(renewed.requests()).as("a new token up front, no 401").isEqualTo(2);
        }
    }

    @Test
    void basicCredentialsFromDockerConfigGoToTheTokenEndpoint() {
        front.bearer("alice", "s3cret", 300);
        DockerConfig config = DockerConfig.parse(config("\"https://" + front.address() + "/v2/\":{\"auth\":\"" + auth("alice", "s3cret") + "\"}"), "test");
        try (RegistryClient client = RegistryClient.builder().keychain(config).build()) {
            assertThat(client.manifest(repo.tagged("v1"), call()).digest()).isEqualTo(image.digest());
        }
        DockerConfig wrong = DockerConfig.parse(config("\"" + front.address() + "\":{\"username\":\"alice\",\"password\":\"guess\"}"), "test");
        try (RegistryClient client = RegistryClient.builder().keychain(wrong).build()) {
            assertThatThrownBy(() -> client.manifest(repo.tagged("v1"), call())).isInstanceOfSatisfying(UnauthorizedException.class,
                    e -> assertThat(e.code()).isEqualTo("UNAUTHORIZED"));
        }
        try (RegistryClient anonymous = RegistryClient.builder().build()) {
            assertThatThrownBy(() -> anonymous.manifest(repo.tagged("v1"), call())).isInstanceOf(UnauthorizedException.class);
        }
    }

    @Test
    void basicAuthRegistryGetsCredentialsFromAPullSecret() {
        front.basic("bob", "hunter2");
        byte[] pullSecret = config("\"" + front.address() + "\":{\"auth\":\"" + auth("bob", "hunter2") + "\"}");
        try (RegistryClient client = RegistryClient.builder().keychain(DockerConfig.fromPullSecret(pullSecret)).build()) {
            Call first = call();
            client.manifest(repo.tagged("v1"), first);
            assertThat(first.requests()).as("401, then with credentials").isEqualTo(2);
            Call second = call();
            client.manifest(repo.tagged("v1"), second);
            assertThat(second.requests()).as("credentials sent up front").isEqualTo(1);
            assertThat(front.tokenRequests.get()).isZero();
        }
        try (RegistryClient anonymous = RegistryClient.builder().build()) {
            assertThatThrownBy(() -> anonymous.manifest(repo.tagged("v1"), call())).isInstanceOf(UnauthorizedException.class);
        }
    }

    /**
     * One client serves every namespace: a call carries the pull secret of its pod, and neither the secret nor a
     * token it bought serves a call without it (tokens are cached per credentials).
     */
    @Test
    void aCallsOwnPullSecretIsUsedForThatCallOnly() {
        front.bearer("bob", "hunter2", null);
        Keychain secret = DockerConfig.fromPullSecret(config("\"" + front.address() + "\":{\"auth\":\"" + auth("bob", "hunter2") + "\"}"));
        try (RegistryClient client = RegistryClient.builder().build()) {
            client.manifest(repo.tagged("v1"), call().using(secret));
            assertThat(front.tokenRequests.get()).isEqualTo(1);
            client.manifest(repo.tagged("v1"), call().using(secret));
            assertThat(front.tokenRequests.get()).as("the token is reused for the same credentials").isEqualTo(1);
            assertThatThrownBy(() -> client.manifest(repo.tagged("v1"), call())).as("no secret, no borrowed token")
                    .isInstanceOf(UnauthorizedException.class);
            Keychain wrong = DockerConfig.fromPullSecret(config("\"" + front.address() + "\":{\"auth\":\"" + auth("bob", "wrong") + "\"}"));
            assertThatThrownBy(() -> client.manifest(repo.tagged("v1"), call().using(wrong))).isInstanceOf(UnauthorizedException.class);
            client.manifest(repo.tagged("v1"), call().using(secret)); // still good for the right secret
        }
    }

    /** Like the kubelet, a refused pull secret is not the end: the pod's next one for the registry is tried. */
    @Test
    void aRefusedPullSecretIsFollowedByTheNextOne() {
        front.bearer("bob", "hunter2", null);
        Keychain stale = DockerConfig.fromPullSecret(config("\"" + front.address() + "\":{\"auth\":\"" + auth("bob", "rotated-away") + "\"}"));
        Keychain current = DockerConfig.fromPullSecret(config("\"" + front.address() + "\":{\"auth\":\"" + auth("bob", "hunter2") + "\"}"));
        try (RegistryClient client = RegistryClient.builder().build()) {
            Call call = call().using(Keychain.firstOf(List.of(stale, current)));
            client.manifest(repo.tagged("v1"), call);
            client.manifest(repo.tagged("v1"), call); // the call stays on the secret that worked
            assertThat(front.tokenRequests.get()).as("one refused, one granted, then reused").isEqualTo(2);
            assertThatThrownBy(() -> client.manifest(repo.tagged("v1"), call().using(Keychain.firstOf(List.of(stale)))))
                    .isInstanceOf(UnauthorizedException.class);
        }
    }

    @Test
    void identityTokenIsExchangedWithTheRefreshTokenGrant() {
        front.bearer("unused", "unused", null);
        front.refreshToken = "refresh-123";
        DockerConfig config = DockerConfig.parse(config("\"" + front.address() + "\":{\"auth\":\"" + auth("<token>", "") + "\",\"identitytoken\":\"refresh-123\"}"), "test");
        try (RegistryClient client = RegistryClient.builder().keychain(config).build()) {
            assertThat(client.manifest(repo.tagged("v1"), call()).digest()).isEqualTo(image.digest());
        }
        assertThat(front.tokenParams.getFirst()).containsEntry("grant_type", "refresh_token").containsEntry("client_id", "custody")
                .containsEntry("scope", "repository:custody/private:pull");
    }

    @Test
    void pushAsksForAPushScope() {
        front.bearer(null, null, null);
        try (RegistryClient client = RegistryClient.builder().build()) {
            TestContent.Pushed pushed = TestContent.image(client, repo, "v2", false, new Random(4), call());
            assertThat(client.resolve(repo.tagged("v2"), call())).isEqualTo(pushed.digest());
        }
        assertThat(front.tokenParams).extracting(p -> p.get("scope")).contains("repository:custody/private:pull,push repository:custody/private:pull");
    }

    @Test
    void forbiddenIsNotUnauthorized() {
        front.fault = ex -> {
            FrontServer.send(ex, 403, "application/json", "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"no\"}]}");
            return true;
        };
        try (RegistryClient client = RegistryClient.builder().build()) {
            assertThatThrownBy(() -> client.manifest(repo.tagged("v1"), call())).isInstanceOfSatisfying(ForbiddenException.class,
                    e -> assertThat(e.code()).isEqualTo("DENIED"));
        }
    }
}
