package dev.custody.verify;

/**
 * Which check refused a bundle. Callers match on these, never on the message; the codes are stable and
 * are never renamed or reused.
 */
public enum Failure {
    /** The bundle is not JSON, misses a required field, or a field has the wrong form; the message names the field. */
    MALFORMED_BUNDLE("malformed-bundle"),
    /** A well-formed bundle uses something this verifier does not support: an unknown media type, log entry kind or algorithm. */
    UNSUPPORTED("unsupported"),
    /** The bundle carries a certificate where a key was expected, or a key where a certificate identity was expected. */
    SIGNER_MATERIAL("signer-material"),
    /** The signing certificate does not chain to a certificate authority of the trusted root (valid when it was issued). */
    CERTIFICATE_CHAIN("certificate-chain"),
    /** The signing certificate has no valid signed certificate timestamp from a CT log of the trusted root. */
    CERTIFICATE_TRANSPARENCY("certificate-transparency"),
    /** The certificate's subject alternative name does not match the expected identity. */
    IDENTITY("identity"),
    /** The certificate's OIDC issuer extension does not match the expected issuer. */
    ISSUER("issuer"),
    /** The signature over the artifact (or DSSE envelope) does not verify with the signer's key. */
    SIGNATURE("signature"),
    /** The artifact's digest is not what the bundle signs: not its message digest, not a subject of its statement. */
    DIGEST_MISMATCH("digest-mismatch"),
    /** The transparency log entry is not for this signature, comes from an untrusted log, or its signed entry timestamp is invalid. */
    TLOG_ENTRY("tlog-entry"),
    /** The entry's Merkle inclusion proof does not lead to the stated root hash. */
    INCLUSION_PROOF("inclusion-proof"),
    /** The checkpoint (signed tree head) of the inclusion proof is not signed by the log or does not match the proof. */
    CHECKPOINT("checkpoint"),
    /** No trusted time for the signature, an invalid RFC 3161 timestamp, or a signing time outside the certificate's validity. */
    TIMESTAMP("timestamp");

    private final String code;

    Failure(String code) {
        this.code = code;
    }

    /** The stable lower-case code printed by the CLI, e.g. {@code tlog-entry}. */
    public String code() {
        return code;
    }
}
