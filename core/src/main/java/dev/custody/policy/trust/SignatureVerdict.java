package dev.custody.policy.trust;

import java.util.List;

/**
 * What verification found for one image under one trust rule.
 *
 * @param kind        the kind of answer; the rule maps each kind to an outcome
 * @param digest      the digest that was verified (resolved from the tag when the image has none); null when it
 *                    could not be resolved
 * @param authorities authorities whose signatures verified
 * @param detail      what a person needs: which signatures were found where, and why each failed
 */
public record SignatureVerdict(Kind kind, String digest, List<String> authorities, String detail) {

    public SignatureVerdict {
        authorities = List.copyOf(authorities);
    }

    /** The kinds of answer, which must never be confused: an outage is not a bad signature. */
    public enum Kind {
        /** Enough authorities signed this digest. */
        VERIFIED,
        /** The registry cannot be reached now, but this digest verified within the grace period: admitted with a warning. */
        VERIFIED_EARLIER,
        /** No signature was found for the digest. */
        UNSIGNED,
        /** Signatures were found, and they do not satisfy the rule (bad signature, wrong signer, wrong digest, too few). */
        INVALID,
        /** The evidence verified but is older than the rule allows (a vulnerability scan past its maximum age). */
        STALE,
        /** The registry or the verifier could not answer in time; the rule's failure mode decides. */
        UNAVAILABLE
    }
}
