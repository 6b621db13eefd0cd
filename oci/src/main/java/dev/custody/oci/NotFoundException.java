package dev.custody.oci;

/** The registry answered 404: no such manifest, blob, tag or repository (or it hides one the caller may not see). */
public final class NotFoundException extends RegistryException {

    private final String code;

    NotFoundException(String registry, String code, String message) {
        super(registry, message, null);
        this.code = code;
    }

    /** The distribution error code the registry gave ({@code MANIFEST_UNKNOWN}, {@code NAME_UNKNOWN}, ...), or "". */
    public String code() {
        return code;
    }

    @Override
    public boolean isTransient() {
        return false;
    }
}
