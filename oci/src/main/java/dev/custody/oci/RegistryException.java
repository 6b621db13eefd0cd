package dev.custody.oci;

/**
 * A registry operation that did not succeed. The subclass says whose fault and whether trying again can help:
 * {@link RegistryUnavailableException} is transient (network, 5xx, 429, deadline); the others are answers from
 * the registry ({@link NotFoundException}, {@link UnauthorizedException}, {@link ForbiddenException},
 * {@link RequestRejectedException}) or content that cannot be trusted ({@link InvalidResponseException}).
 * A verifier must map only the last kind, never an outage, to "bad signature".
 */
public abstract sealed class RegistryException extends RuntimeException
        permits RegistryUnavailableException, NotFoundException, UnauthorizedException, ForbiddenException,
        RequestRejectedException, InvalidResponseException {

    private final String registry;

    RegistryException(String registry, String message, Throwable cause) {
        super(message, cause);
        this.registry = registry;
    }

    /** The registry (host[:port] as the image reference names it, or the token endpoint's host) that failed. */
    public String registry() {
        return registry;
    }

    /** True when the same call may succeed later without any change on the caller's side. */
    public abstract boolean isTransient();
}
