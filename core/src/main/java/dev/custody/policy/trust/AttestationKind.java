package dev.custody.policy.trust;

import dev.custody.decision.ReasonCode;

/**
 * The kinds of attestation a trust rule can require, each checked by its own rule ({@code trust.<name>.<suffix>})
 * with its own reason codes, so a report says which evidence is missing.
 */
public enum AttestationKind {
    /** SLSA provenance (v0.2 or v1) whose builder, source repository, ref and commit satisfy the rule. */
    PROVENANCE("provenance", "provenance", new CoveredImagesRule.Codes(ReasonCode.PROVENANCE_VERIFIED, ReasonCode.PROVENANCE_VERIFIED_EARLIER,
            ReasonCode.PROVENANCE_MISSING, ReasonCode.PROVENANCE_INVALID, ReasonCode.PROVENANCE_INVALID, ReasonCode.PROVENANCE_UNAVAILABLE,
            ReasonCode.PROVENANCE_NOT_CHECKED)),
    /** An SBOM (CycloneDX or SPDX predicate) attested for the digest. */
    SBOM("sbom", "SBOM attestation", new CoveredImagesRule.Codes(ReasonCode.SBOM_ATTESTED, ReasonCode.SBOM_ATTESTED_EARLIER,
            ReasonCode.SBOM_ATTESTATION_MISSING, ReasonCode.SBOM_ATTESTATION_INVALID, ReasonCode.SBOM_ATTESTATION_INVALID,
            ReasonCode.SBOM_ATTESTATION_UNAVAILABLE, ReasonCode.SBOM_ATTESTATION_NOT_CHECKED)),
    /** A vulnerability scan (cosign's vuln predicate) attested for the digest, finished within the rule's maximum age. */
    SCAN("scan", "vulnerability scan attestation", new CoveredImagesRule.Codes(ReasonCode.SCAN_ATTESTED, ReasonCode.SCAN_ATTESTED_EARLIER,
            ReasonCode.SCAN_ATTESTATION_MISSING, ReasonCode.SCAN_ATTESTATION_INVALID, ReasonCode.SCAN_ATTESTATION_STALE,
            ReasonCode.SCAN_ATTESTATION_UNAVAILABLE, ReasonCode.SCAN_ATTESTATION_NOT_CHECKED));

    private final String suffix;
    private final String what;
    final CoveredImagesRule.Codes codes;

    AttestationKind(String suffix, String what, CoveredImagesRule.Codes codes) {
        this.suffix = suffix;
        this.what = what;
        this.codes = codes;
    }

    /** The last part of the rule id: {@code trust.<name>.<suffix>}. */
    public String suffix() {
        return suffix;
    }

    /** How reports name this evidence. */
    public String what() {
        return what;
    }
}
