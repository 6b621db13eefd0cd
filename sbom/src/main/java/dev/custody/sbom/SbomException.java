package dev.custody.sbom;

/**
 * An SBOM that cannot be read. The message names the source (file name or "request body"), and where possible the
 * line or field, and what is wrong, e.g. {@code alpine.json: bomFormat: expected "CycloneDX", found "CDX"}.
 */
public final class SbomException extends Exception {
    public SbomException(String message) {
        super(message);
    }

    public SbomException(String message, Throwable cause) {
        super(message, cause);
    }
}
