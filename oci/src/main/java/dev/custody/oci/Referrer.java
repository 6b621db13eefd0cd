package dev.custody.oci;

import java.util.Objects;

/**
 * Something found to refer to a subject manifest (a signature, an attestation, an SBOM), and the path it was
 * found by. {@code tag} is the tag it was read from (null for the referrers API); {@code manifest} is the manifest
 * when discovery had to fetch it anyway (cosign tags), else null. Listings are not signed: a verifier fetches the
 * manifest by its digest (checked) and checks what it says about the subject.
 */
public record Referrer(Source source, Descriptor descriptor, String tag, RemoteManifest manifest) {

    /** The discovery path. */
    public enum Source {
        /** {@code GET /v2/<name>/referrers/<digest>} (OCI distribution 1.1). */
        REFERRERS_API,
        /** The index under tag {@code <alg>-<hex>}, for registries without the referrers API (OCI distribution 1.1). */
        REFERRERS_TAG,
        /** cosign's signature manifest under tag {@code <alg>-<hex>.sig}. */
        COSIGN_SIGNATURE_TAG,
        /** cosign's attestation manifest under tag {@code <alg>-<hex>.att}. */
        COSIGN_ATTESTATION_TAG
    }

    public Referrer {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(descriptor, "descriptor");
    }

    /** The artifact type the listing gives (or the fetched manifest's), null when neither says. */
    public String artifactType() {
        return descriptor.artifactType();
    }
}
