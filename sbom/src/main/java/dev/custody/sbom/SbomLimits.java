package dev.custody.sbom;

/**
 * Bounds on an SBOM read from untrusted input. Real container-image SBOMs have a few thousand components and a
 * few megabytes; the defaults leave two orders of magnitude of room while refusing documents built to exhaust
 * memory or stack. Exceeding any of them is an {@link SbomException} that names the limit.
 *
 * @param maxBytes          largest document, in bytes
 * @param maxComponentDepth deepest nesting of CycloneDX components within components (1 = no nesting)
 * @param maxComponents     most components (CycloneDX, nested ones included) or packages (SPDX) in one document
 * @param maxNestingDepth   deepest nesting of JSON objects and arrays, or of XML elements
 */
public record SbomLimits(long maxBytes, int maxComponentDepth, int maxComponents, int maxNestingDepth) {

    public static final SbomLimits DEFAULT = new SbomLimits(256L * 1024 * 1024, 64, 1_000_000, 512);

    public SbomLimits {
        if (maxBytes <= 0 || maxComponentDepth <= 0 || maxComponents < 0 || maxNestingDepth <= 0) {
            throw new IllegalArgumentException("SBOM limits must be positive: " + maxBytes + ", " + maxComponentDepth
                    + ", " + maxComponents + ", " + maxNestingDepth);
        }
    }
}
