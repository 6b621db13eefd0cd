package dev.custody.oci;

import java.time.Duration;
import java.util.Optional;

/** The registry could not be reached or did not serve in time: transient, never a statement about content. */
public final class RegistryUnavailableException extends RegistryException {

    /** Why the registry was unavailable. */
    public enum Reason {
        /** Connection refused or reset, DNS failure, TLS failure, or a broken HTTP exchange. */
        CONNECTION,
        /** 5xx (or 408) answers, still after the retries the policy and the deadline allowed. */
        SERVER_ERROR,
        /** 429 answers, still after the retries allowed, or a Retry-After beyond the deadline. */
        RATE_LIMITED,
        /** The caller's deadline passed while waiting for the registry or for a connection slot to it. */
        DEADLINE_EXCEEDED,
        /** The calling thread was interrupted. */
        INTERRUPTED
    }

    private final Reason reason;
    private final int status;
    private final int attempts;
    private final Duration retryAfter;

    RegistryUnavailableException(String registry, Reason reason, int status, int attempts, Duration retryAfter,
            String message, Throwable cause) {
        super(registry, message, cause);
        this.reason = reason;
        this.status = status;
        this.attempts = attempts;
        this.retryAfter = retryAfter;
    }

    public Reason reason() {
        return reason;
    }

    /** The last HTTP status received, 0 when none was. */
    public int status() {
        return status;
    }

    /** How many times the request was sent. */
    public int attempts() {
        return attempts;
    }

    /** The wait the registry asked for (Retry-After) when it gave one. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
