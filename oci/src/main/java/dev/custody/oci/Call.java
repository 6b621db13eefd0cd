package dev.custody.oci;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * One logical operation against registries (resolving an image, discovering and fetching its signatures): the
 * deadline every request made for it must meet, and a tally of those requests. Pass the same call to every client
 * method that serves the operation, then read {@link #requests()} for "registry requests per verification".
 * Thread-safe; the deadline is kept on the monotonic clock, so a wall-clock step does not stretch or cut it.
 */
public final class Call {

    /** Longest deadline kept exactly; beyond it (about 100 days) a call is treated as having that long. */
    private static final long MAX_NANOS = Duration.ofDays(100).toNanos();

    private final Instant deadline;
    private final long deadlineNanos;
    private final LongAdder requests = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder tokenRequests = new LongAdder();
    private volatile Keychain keychain;
    /** Per registry, which of the call keychain's candidates is in use (the next after one was refused). */
    private final java.util.concurrent.ConcurrentHashMap<String, Integer> candidate = new java.util.concurrent.ConcurrentHashMap<>();

    private Call(Instant deadline, long nanosLeft) {
        this.deadline = deadline;
        this.deadlineNanos = System.nanoTime() + Math.max(0, Math.min(nanosLeft, MAX_NANOS));
    }

    /** A call that must finish within {@code timeout} from now. */
    public static Call within(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        long nanos = timeout.compareTo(Duration.ofNanos(MAX_NANOS)) > 0 ? MAX_NANOS : timeout.toNanos();
        return new Call(Instant.now().plus(timeout), nanos);
    }

    /** A call that must finish by {@code deadline}. */
    public static Call until(Instant deadline) {
        Objects.requireNonNull(deadline, "deadline");
        Duration left = Duration.between(Instant.now(), deadline);
        long nanos = left.isNegative() ? 0 : left.compareTo(Duration.ofNanos(MAX_NANOS)) > 0 ? MAX_NANOS : left.toNanos();
        return new Call(deadline, nanos);
    }

    /**
     * Credentials for this call only, tried before the client's own keychain: a pod's imagePullSecrets, so one
     * client serves every namespace without lending one namespace's credentials (or tokens) to another.
     */
    public Call using(Keychain keychain) {
        this.keychain = keychain;
        return this;
    }

    /** This call's own keychain, or null. */
    Keychain keychain() {
        return keychain;
    }

    int candidate(String registry) {
        return candidate.getOrDefault(registry, 0);
    }

    /** Moves to the next of {@code count} candidates for a registry; false when none is left. */
    boolean nextCandidate(String registry, int count) {
        int next = candidate(registry) + 1;
        if (next >= count) {
            return false;
        }
        candidate.put(registry, next);
        return true;
    }

    public Instant deadline() {
        return deadline;
    }

    /** Time left before the deadline, zero once it has passed. */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    long remainingNanos() {
        return Math.max(0, deadlineNanos - System.nanoTime());
    }

    public boolean expired() {
        return remainingNanos() == 0;
    }

    /** HTTP requests sent for this call so far: every attempt, redirect hop, authentication round trip and token request. */
    public long requests() {
        return requests.sum();
    }

    /** Of {@link #requests()}, those that repeated a failed attempt (5xx, 429, connection error). */
    public long retries() {
        return retries.sum();
    }

    /** Of {@link #requests()}, those sent to a token endpoint. */
    public long tokenRequests() {
        return tokenRequests.sum();
    }

    void countRequest(boolean token) {
        requests.increment();
        if (token) {
            tokenRequests.increment();
        }
    }

    void countRetry() {
        retries.increment();
    }

    @Override
    public String toString() {
        return "Call[deadline=" + deadline + ", requests=" + requests() + "]";
    }
}
