package dev.custody.decision;

/**
 * Stable reason codes. Tools and people match on these, never on message text; docs/reason-codes.md lists
 * them (a test keeps that file and this enum in step). Codes are never renamed or reused.
 */
public enum ReasonCode {
    // images.validReference
    IMAGE_MISSING(Outcome.FAIL, "The container has no image."),
    IMAGE_REFERENCE_INVALID(Outcome.FAIL, "The image reference does not follow the distribution reference grammar; the message says which part is wrong."),
    IMAGE_REFERENCE_VALID(Outcome.PASS, "The image reference is well formed."),

    // images.allowedRegistries
    REGISTRY_NOT_ALLOWED(Outcome.FAIL, "The image's registry and repository match none of the allowed patterns."),
    REGISTRY_ALLOWED(Outcome.PASS, "The image's registry and repository match an allowed pattern."),

    // images.requireDigest
    DIGEST_REQUIRED(Outcome.FAIL, "The image is referenced by a mutable tag (or none) instead of a digest."),
    DIGEST_PINNED(Outcome.PASS, "The image is pinned by digest."),

    // images.denyTags
    TAG_DENIED(Outcome.FAIL, "The image's tag is on the policy's list of denied tags (for example latest)."),
    IMPLICIT_LATEST_DENIED(Outcome.FAIL, "The image has neither tag nor digest, so the runtime pulls latest, which the policy denies."),
    TAG_ALLOWED(Outcome.PASS, "The image's tag is not denied, or a digest pins the content."),

    // images.requireSignature / images.requireProvenance before verification exists
    SIGNATURE_NOT_YET_VERIFIABLE(Outcome.ERROR, "The policy requires a verified signature, which this version of Custody cannot verify yet; never reported as pass."),
    PROVENANCE_NOT_YET_VERIFIABLE(Outcome.ERROR, "The policy requires verified provenance, which this version of Custody cannot verify yet; never reported as pass."),

    // generic skips
    SKIPPED_INVALID_REFERENCE(Outcome.SKIP, "The rule was not evaluated for this image because its reference is malformed (reported under images.validReference)."),
    SKIPPED_NO_IMAGE(Outcome.SKIP, "The rule was not evaluated for this container because it has no image (reported under images.validReference)."),
    NO_CONTAINERS(Outcome.SKIP, "The workload has no containers, so the rule has nothing to check."),

    // engine
    RULE_EVALUATION_FAILED(Outcome.ERROR, "The rule threw while evaluating this workload (a bug); the rule's failure mode decides the verdict.");

    private final Outcome typical;
    private final String description;

    ReasonCode(Outcome typical, String description) {
        this.typical = typical;
        this.description = description;
    }

    /** The outcome this code normally accompanies (FAIL codes become WARN under warn or audit actions). */
    public Outcome typicalOutcome() {
        return typical;
    }

    public String description() {
        return description;
    }
}
