package dev.custody.oci;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How transient failures (connection errors, 5xx, 408, 429) are retried: at most {@code maxAttempts} sends, waiting
 * {@code initialBackoff} doubled per attempt up to {@code maxBackoff}, each wait drawn at random from its upper half
 * so that many clients failing together do not retry together. A Retry-After from the registry replaces the
 * backoff. The caller's deadline bounds everything: no wait is started that would not leave time to send again.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

    /** Four attempts, 250 ms doubling to at most 4 s. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(4, Duration.ofMillis(250), Duration.ofSeconds(4));

    /** One attempt, no retry. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("backoff durations must not be negative");
        }
    }

    /** The wait before attempt {@code attempt + 1}, after {@code attempt} (1-based) failed. */
    Duration backoff(int attempt) {
        long base = initialBackoff.toNanos();
        long cap = maxBackoff.toNanos();
        long nanos = base;
        for (int i = 1; i < attempt && nanos < cap; i++) {
            nanos = nanos > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : nanos * 2;
        }
        nanos = Math.min(nanos, cap);
        if (nanos <= 1) {
            return Duration.ofNanos(Math.max(nanos, 0));
        }
        long half = nanos / 2;
        return Duration.ofNanos(half + ThreadLocalRandom.current().nextLong(nanos - half + 1));
    }
}
