package dev.custody.policy.trust;

import dev.custody.imageref.ImageReference;

/**
 * Where trust rules get their evidence. Admission and {@code custody verify} back it with the registry, the
 * verifiers and a cache, and fill it before the engine runs, so evaluation itself stays free of I/O; the
 * lookup only answers from what was gathered.
 */
@FunctionalInterface
public interface SignatureLookup {

    /** The verdict for an image under a trust rule, or null when nothing was gathered for it. */
    SignatureVerdict find(ImageReference image, TrustSpec spec);

    /**
     * The verdict on one kind of attestation (provenance, SBOM, vulnerability scan) for an image under a trust rule
     * that requires it, or null when nothing was gathered.
     */
    default SignatureVerdict attestation(ImageReference image, TrustSpec spec, AttestationKind kind) {
        return null;
    }
}
