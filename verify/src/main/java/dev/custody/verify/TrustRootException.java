package dev.custody.verify;

/** A trusted root that cannot be used: unreadable, too large, not a Sigstore trusted root, or with invalid material. */
public final class TrustRootException extends Exception {

    public TrustRootException(String message) {
        super(message);
    }

    public TrustRootException(String message, Throwable cause) {
        super(message, cause);
    }
}
