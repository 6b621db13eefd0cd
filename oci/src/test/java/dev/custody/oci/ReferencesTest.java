package dev.custody.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.imageref.Digest;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Where references point, and the small rules around requests: schemes, Retry-After, backoff, paging, calls. */
class ReferencesTest {

    @Test
    void dockerHubNamesGoToItsRegistryHost() {
        Repository nginx = Repository.parse("nginx");
        assertThat(nginx).isEqualTo(new Repository("docker.io", "library/nginx"));
        assertThat(Endpoint.of(nginx.registry(), Set.of()).base().toString()).isEqualTo("https://registry-1.docker.io");
        assertThat(Repository.parse("index.docker.io/bitnami/redis:7")).isEqualTo(new Repository("docker.io", "bitnami/redis"));
        assertThat(Repository.parse("ghcr.io/org/app@sha256:" + "a".repeat(64)).name()).isEqualTo("org/app");
    }

    @Test
    void plainHttpOnlyForLoopbackAndListedRegistries() {
        assertThat(Endpoint.of("localhost:5000", Set.of()).base().getScheme()).isEqualTo("http");
        assertThat(Endpoint.of("127.0.0.1:5000", Set.of()).base().getScheme()).isEqualTo("http");
        assertThat(Endpoint.of("[::1]:5000", Set.of()).base().getScheme()).isEqualTo("http");
        assertThat(Endpoint.of("registry.local:5000", Set.of()).base().getScheme()).isEqualTo("https");
        assertThat(Endpoint.of("10.0.0.5:5000", Set.of()).base().getScheme()).isEqualTo("https");
        assertThat(Endpoint.of("10.0.0.5:5000", Set.of("10.0.0.5:5000")).base().toString()).isEqualTo("http://10.0.0.5:5000");
        assertThat(Endpoint.of("localhost.example.com", Set.of()).base().getScheme()).isEqualTo("https");
    }

    @Test
    void repositoryNamesThatCouldEscapeThePathAreRefused() {
        for (String name : new String[] {"../etc", "a//b", "A/b", "a/b?x=1", "a%2fb", "a/", ""}) {
            assertThatThrownBy(() -> new Repository("r.io", name)).as(name).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new Repository("r.io/x", "a")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Repository("r.io:443", "a__b/c-d.e").at(Digest.parse("sha256:" + "b".repeat(64))).canonical())
                .isEqualTo("r.io:443/a__b/c-d.e@sha256:" + "b".repeat(64));
    }

    @Test
    void retryAfterIsSecondsOrAnHttpDate() {
        Instant now = Instant.parse("2026-11-28T12:00:00Z");
        assertThat(Http.parseRetryAfter("3", now)).isEqualTo(Duration.ofSeconds(3));
        assertThat(Http.parseRetryAfter(" 0 ", now)).isEqualTo(Duration.ZERO);
        assertThat(Http.parseRetryAfter("Sat, 28 Nov 2026 12:00:07 GMT", now)).isEqualTo(Duration.ofSeconds(7));
        assertThat(Http.parseRetryAfter("Sat, 28 Nov 2026 11:00:00 GMT", now)).isEqualTo(Duration.ZERO);
        assertThat(Http.parseRetryAfter("soon", now)).isNull();
        assertThat(Http.parseRetryAfter("-1", now)).isNull();
        assertThat(Http.parseRetryAfter("99999999999999999999", now)).isEqualTo(Http.MAX_RETRY_AFTER);
        assertThat(Http.parseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", now)).isEqualTo(Http.MAX_RETRY_AFTER);
    }

    @Test
    void backoffDoublesWithJitterUpToItsCap() {
        RetryPolicy p = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(1));
        for (int i = 0; i < 200; i++) {
            assertThat(p.backoff(1)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
            assertThat(p.backoff(3)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
            assertThat(p.backoff(60)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
        }
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nextPageLinks() {
        assertThat(RegistryClient.nextLink("</v2/a/referrers/sha256:x?n=2&last=y>; rel=\"next\"")).isEqualTo("/v2/a/referrers/sha256:x?n=2&last=y");
        assertThat(RegistryClient.nextLink("<https://r/prev>; rel=\"prev\", <https://r/next>; rel=next")).isEqualTo("https://r/next");
        assertThat(RegistryClient.nextLink("garbage")).isNull();
        assertThat(RegistryClient.nextLink(null)).isNull();
    }

    @Test
    void callsKeepTheirDeadlineAndCount() {
        Call c = Call.within(Duration.ofSeconds(5));
        assertThat(c.remaining()).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(5));
        assertThat(Call.until(Instant.now().minusSeconds(1)).expired()).isTrue();
        assertThat(Call.within(Duration.ofDays(100_000)).expired()).isFalse();
        c.countRequest(true);
        c.countRequest(false);
        c.countRetry();
        assertThat(c.requests()).isEqualTo(2);
        assertThat(c.tokenRequests()).isEqualTo(1);
        assertThat(c.retries()).isEqualTo(1);
    }
}
