package dev.custody.oci;

import java.io.IOException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * HTTP exchanges under the rules every registry request follows: the caller's deadline bounds connection, answer
 * and body; at most N requests in flight per host (a fair semaphore, so one slow registry cannot take every
 * thread); bodies read up to a limit; redirects followed by hand, so that credentials never follow one to another
 * origin and HTTPS never falls back to plain HTTP; connection errors, 408, 429 and 5xx retried with backoff.
 * It knows nothing of authentication or of what the bytes mean.
 */
final class Http implements AutoCloseable {

    static final int MAX_REDIRECTS = 5;
    /** A retry is not started unless this much time would be left for it after the wait. */
    static final Duration MIN_ATTEMPT_TIME = Duration.ofMillis(50);
    /** Longer Retry-After values are read as this; no caller's deadline is that far off. */
    static final Duration MAX_RETRY_AFTER = Duration.ofDays(1);

    record Request(String method, URI uri, Map<String, String> headers, byte[] body, long bodyLimit, boolean token,
            String registry, String what) {}

    record Response(int status, HttpHeaders headers, byte[] body, URI uri) {
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    /** A transient failure to exchange at all (connection refused, reset, broken stream). */
    private static final class ConnectionFailure extends Exception {
        ConnectionFailure(IOException cause) {
            super(cause);
        }
    }

    private record Failure(RegistryUnavailableException.Reason reason, int status, Duration retryAfter, String detail, Throwable cause) {}

    private final HttpClient client;
    private final RetryPolicy retry;
    private final int perHostLimit;
    private final Set<String> insecureRegistries;
    private final String userAgent;
    private final InstantSource clock;
    private final ConcurrentHashMap<String, Semaphore> slots = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();

    Http(Duration connectTimeout, RetryPolicy retry, int perHostLimit, Set<String> insecureRegistries, String userAgent,
            InstantSource clock, SSLContext sslContext, ProxySelector proxy) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_2);
        if (sslContext != null) {
            b.sslContext(sslContext);
        }
        if (proxy != null) {
            b.proxy(proxy);
        }
        this.client = b.build();
        this.retry = retry;
        this.perHostLimit = perHostLimit;
        this.insecureRegistries = insecureRegistries;
        this.userAgent = userAgent;
        this.clock = clock;
    }

    long requestCount() {
        return requests.sum();
    }

    /**
     * Sends {@code req}, retrying transient failures, and returns the first answer that is not one: any 2xx, 4xx
     * (but 408 and 429) or non-retryable 5xx. Throws {@link RegistryUnavailableException} when retries and the
     * deadline are used up, {@link InvalidResponseException} for a body over its limit or a bad redirect.
     */
    Response send(Request req, Call call) {
        for (int attempt = 1; ; attempt++) {
            if (attempt > 1) {
                call.countRetry();
            }
            Failure failure;
            try {
                Response r = sendFollowingRedirects(req, call);
                int s = r.status();
                if (s == 429) {
                    failure = new Failure(RegistryUnavailableException.Reason.RATE_LIMITED, s, retryAfter(r), "answered 429 Too Many Requests", null);
                } else if (s == 408 || (s >= 500 && s <= 599 && s != 501 && s != 505)) {
                    failure = new Failure(RegistryUnavailableException.Reason.SERVER_ERROR, s, s == 503 ? retryAfter(r) : null,
                            "answered " + s + ErrorBody.parse(r.body()).suffix(), null);
                } else {
                    return r;
                }
            } catch (ConnectionFailure e) {
                failure = new Failure(RegistryUnavailableException.Reason.CONNECTION, 0, null, describe(e.getCause()), e.getCause());
            }
            if (attempt >= retry.maxAttempts()) {
                throw unavailable(req, failure, attempt, failure.detail() + (attempt > 1 ? " (" + attempt + " attempts)" : ""));
            }
            Duration wait = failure.retryAfter() != null ? failure.retryAfter() : retry.backoff(attempt);
            if (wait.plus(MIN_ATTEMPT_TIME).compareTo(Duration.ofNanos(call.remainingNanos())) > 0) {
                String why = failure.retryAfter() != null ? "; it asks to retry after " + wait.toMillis() + " ms, beyond the deadline"
                        : "; no retry fits before the deadline";
                throw unavailable(req, failure, attempt, failure.detail() + why);
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnavailableException(req.registry(), RegistryUnavailableException.Reason.INTERRUPTED, failure.status(),
                        attempt, null, req.what() + ": interrupted while waiting to retry", e);
            }
        }
    }

    private Response sendFollowingRedirects(Request req, Call call) throws ConnectionFailure {
        URI uri = req.uri();
        String method = req.method();
        byte[] body = req.body();
        String origin = Endpoint.origin(uri);
        boolean withAuth = true;
        for (int hop = 0; ; hop++) {
            Response r = sendOnce(req, method, uri, body, withAuth, call);
            int s = r.status();
            if (s != 301 && s != 302 && s != 303 && s != 307 && s != 308) {
                return r;
            }
            if (hop >= MAX_REDIRECTS) {
                throw protocol(req, "more than " + MAX_REDIRECTS + " redirects");
            }
            String location = r.header("location");
            if (location == null || location.isBlank()) {
                throw protocol(req, "a " + s + " redirect without a Location");
            }
            URI next;
            try {
                next = uri.resolve(new URI(location.trim()));
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                throw protocol(req, "a redirect to an invalid location " + Messages.clip(location));
            }
            String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !(scheme.equals("http") && Endpoint.plainHttpAllowed(next, insecureRegistries))) {
                throw protocol(req, "a redirect to " + Messages.clip(next.toString()) + ", which is not HTTPS");
            }
            if (!Endpoint.origin(next).equals(origin)) {
                withAuth = false; // credentials and tokens belong to the registry, not to its storage backend
            }
            if (s == 303) {
                method = req.method().equals("HEAD") ? "HEAD" : "GET";
                body = null;
            }
            uri = next;
        }
    }

    private Response sendOnce(Request req, String method, URI uri, byte[] body, boolean withAuth, Call call) throws ConnectionFailure {
        long left = call.remainingNanos();
        if (left <= 0) {
            throw deadline(req, "the deadline passed before the request was sent", null);
        }
        String host = uri.getRawAuthority() == null ? "" : uri.getRawAuthority().toLowerCase(Locale.ROOT);
        Semaphore slot = slots.computeIfAbsent(host, h -> new Semaphore(perHostLimit, true));
        try {
            if (!slot.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                throw deadline(req, "the deadline passed while waiting for one of the " + perHostLimit + " request slots to " + host, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException(req.registry(), RegistryUnavailableException.Reason.INTERRUPTED, 0, 1, null,
                    req.what() + ": interrupted while waiting for a request slot", e);
        }
        try {
            left = call.remainingNanos();
            if (left <= 0) {
                throw deadline(req, "the deadline passed before the request was sent", null);
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofNanos(left))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                    .header("User-Agent", userAgent);
            if ("http".equalsIgnoreCase(uri.getScheme())) {
                b.version(HttpClient.Version.HTTP_1_1); // no h2c upgrade dance on plain connections
            }
            for (Map.Entry<String, String> h : req.headers().entrySet()) {
                if (withAuth || !h.getKey().equalsIgnoreCase("Authorization")) {
                    b.header(h.getKey(), h.getValue());
                }
            }
            call.countRequest(req.token());
            requests.increment();
            CompletableFuture<HttpResponse<byte[]>> future =
                    client.sendAsync(b.build(), LimitedBody.handler(req.bodyLimit(), method.equals("HEAD")));
            HttpResponse<byte[]> response;
            try {
                response = future.get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                future.cancel(true);
                throw deadline(req, "the deadline passed while waiting for " + host + " to answer", null);
            } catch (InterruptedException e) {
                future.cancel(true);
                Thread.currentThread().interrupt();
                throw new RegistryUnavailableException(req.registry(), RegistryUnavailableException.Reason.INTERRUPTED, 0, 1, null,
                        req.what() + ": interrupted while waiting for an answer", e);
            } catch (ExecutionException e) {
                throw classify(req, e.getCause());
            }
            return new Response(response.statusCode(), response.headers(), response.body(), uri);
        } catch (IllegalArgumentException e) {
            // a header value the JDK refuses (from a token or a Location), or an unusable URI
            throw new InvalidResponseException(req.registry(), InvalidResponseException.Reason.PROTOCOL,
                    req.what() + ": cannot build the request: " + Messages.clip(e.getMessage()), e);
        } finally {
            slot.release();
        }
    }

    private ConnectionFailure classify(Request req, Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof LimitedBody.TooLarge tooLarge) {
                throw new InvalidResponseException(req.registry(), InvalidResponseException.Reason.TOO_LARGE,
                        req.what() + ": " + tooLarge.getMessage());
            }
        }
        if (failure instanceof HttpTimeoutException && !(failure instanceof HttpConnectTimeoutException)) {
            // the request timeout is the time left before the deadline
            throw deadline(req, "the deadline passed while waiting for an answer", failure);
        }
        if (failure instanceof SSLException) {
            // a certificate or protocol mismatch does not heal by retrying
            throw new RegistryUnavailableException(req.registry(), RegistryUnavailableException.Reason.CONNECTION, 0, 1, null,
                    req.what() + ": TLS with " + req.uri().getRawAuthority() + " failed: " + Messages.clip(failure.getMessage()), failure);
        }
        if (failure instanceof IOException io) {
            return new ConnectionFailure(io);
        }
        if (failure instanceof java.io.UncheckedIOException io) {
            return new ConnectionFailure(io.getCause());
        }
        throw new InvalidResponseException(req.registry(), InvalidResponseException.Reason.PROTOCOL,
                req.what() + ": the HTTP exchange failed: " + Messages.clip(String.valueOf(failure)), failure);
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return "cannot reach the registry: " + t.getClass().getSimpleName() + (message == null ? "" : " " + Messages.clip(message));
    }

    private Duration retryAfter(Response r) {
        return parseRetryAfter(r.header("retry-after"), clock.instant());
    }

    /** Retry-After as delay-seconds or an HTTP date (RFC 9110 section 10.2.3); null when absent or unreadable. */
    static Duration parseRetryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        Duration d;
        if (v.chars().allMatch(Character::isDigit)) {
            d = v.length() > 9 ? MAX_RETRY_AFTER : Duration.ofSeconds(Long.parseLong(v));
        } else {
            try {
                d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        return d.isNegative() ? Duration.ZERO : d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
    }

    private static RegistryUnavailableException unavailable(Request req, Failure f, int attempts, String detail) {
        return new RegistryUnavailableException(req.registry(), f.reason(), f.status(), attempts, f.retryAfter(),
                req.what() + ": " + req.registry() + " " + detail, f.cause());
    }

    private static RegistryUnavailableException deadline(Request req, String detail, Throwable cause) {
        return new RegistryUnavailableException(req.registry(), RegistryUnavailableException.Reason.DEADLINE_EXCEEDED, 0, 1, null,
                req.what() + ": " + detail, cause);
    }

    private static InvalidResponseException protocol(Request req, String detail) {
        return new InvalidResponseException(req.registry(), InvalidResponseException.Reason.PROTOCOL,
                req.what() + ": " + req.registry() + " sent " + detail);
    }

    @Override
    public void close() {
        client.shutdown();
        try {
            if (!client.awaitTermination(Duration.ofSeconds(5))) {
                client.shutdownNow();
            }
        } catch (InterruptedException e) {
            client.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
