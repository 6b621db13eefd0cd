package dev.custody.oci;

/**
 * The registry answered, and the answer cannot be used: content that does not hash to the digest asked for,
 * JSON that is malformed, too deep or not the document expected, a body over its size limit, a protocol
 * violation. This is the only registry failure that says something about content.
 */
public final class InvalidResponseException extends RegistryException {

    /** What was wrong with the answer. */
    public enum Reason {
        /** The bytes do not hash to the digest requested or announced. */
        DIGEST_MISMATCH,
        /** The body's length differs from the size its descriptor gives. */
        SIZE_MISMATCH,
        /** Not JSON, nested too deeply, duplicate keys, missing or mistyped fields, ambiguous document. */
        MALFORMED,
        /** A media type this client does not read (Docker schema 1, anything unknown). */
        UNSUPPORTED_MEDIA_TYPE,
        /** The body is larger than the limit for its kind. */
        TOO_LARGE,
        /** Missing or invalid headers, redirect loops, a downgrade to plain HTTP, an unexpected status. */
        PROTOCOL
    }

    private final Reason reason;

    InvalidResponseException(String registry, Reason reason, String message) {
        this(registry, reason, message, null);
    }

    InvalidResponseException(String registry, Reason reason, String message, Throwable cause) {
        super(registry, message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public boolean isTransient() {
        return false;
    }
}
