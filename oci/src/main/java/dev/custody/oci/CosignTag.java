package dev.custody.oci;

import dev.custody.imageref.Digest;

/** The tags cosign stores signatures and attestations under, next to the image they are for. */
public enum CosignTag {
    SIGNATURE(".sig", Referrer.Source.COSIGN_SIGNATURE_TAG),
    ATTESTATION(".att", Referrer.Source.COSIGN_ATTESTATION_TAG);

    private final String suffix;
    private final Referrer.Source source;

    CosignTag(String suffix, Referrer.Source source) {
        this.suffix = suffix;
        this.source = source;
    }

    /** {@code sha256-<hex>.sig} for {@code sha256:<hex>}. */
    public String tagFor(Digest subject) {
        return subject.algorithm() + "-" + subject.hex() + suffix;
    }

    public Referrer.Source source() {
        return source;
    }
}
