package dev.custody.imageref;

/** A malformed image reference; {@link #reason()} is stable, the message is for people. */
public final class InvalidImageReferenceException extends IllegalArgumentException {

    /** Why a reference was rejected. */
    public enum Reason {
        EMPTY,
        INVALID_FORMAT,
        NAME_NOT_CANONICAL,
        NAME_TOO_LONG,
        UPPERCASE_REPOSITORY,
        INVALID_DOMAIN,
        INVALID_TAG,
        INVALID_DIGEST,
        UNSUPPORTED_DIGEST_ALGORITHM
    }

    private final Reason reason;

    public InvalidImageReferenceException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
