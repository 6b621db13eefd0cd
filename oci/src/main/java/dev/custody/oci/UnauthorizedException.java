package dev.custody.oci;

/**
 * Authentication failed: the registry still answered 401 after the credentials (or anonymous token) it asked for
 * were presented, its token endpoint refused them, or it asked for credentials none of which are configured.
 */
public final class UnauthorizedException extends RegistryException {

    private final String code;

    UnauthorizedException(String registry, String code, String message) {
        super(registry, message, null);
        this.code = code;
    }

    /** The distribution error code the registry gave ({@code UNAUTHORIZED}, ...), or "". */
    public String code() {
        return code;
    }

    @Override
    public boolean isTransient() {
        return false;
    }
}
