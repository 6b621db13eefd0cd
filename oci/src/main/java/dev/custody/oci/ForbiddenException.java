package dev.custody.oci;

/** The registry (or its token endpoint) answered 403: the identity is known and not allowed this access. */
public final class ForbiddenException extends RegistryException {

    private final String code;

    ForbiddenException(String registry, String code, String message) {
        super(registry, message, null);
        this.code = code;
    }

    /** The distribution error code the registry gave ({@code DENIED}, ...), or "". */
    public String code() {
        return code;
    }

    @Override
    public boolean isTransient() {
        return false;
    }
}
