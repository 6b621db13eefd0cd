package dev.custody.oci;

/**
 * The registry refused the request with a 4xx other than 401, 403, 404, 408 and 429 (or 501): an invalid
 * manifest on push, an unsupported operation, a malformed name. Retrying the same request will not help.
 */
public final class RequestRejectedException extends RegistryException {

    private final int status;
    private final String code;

    RequestRejectedException(String registry, int status, String code, String message) {
        super(registry, message, null);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    /** The distribution error code the registry gave ({@code MANIFEST_INVALID}, {@code UNSUPPORTED}, ...), or "". */
    public String code() {
        return code;
    }

    @Override
    public boolean isTransient() {
        return false;
    }
}
