package dev.custody.policy.trust;

import dev.custody.decision.Action;
import dev.custody.decision.FailureMode;
import dev.custody.decision.ReasonCode;
import dev.custody.imageref.ImageReference;

/**
 * {@code trust.<name>.provenance}: every image the trust rule covers must carry SLSA provenance attested by its
 * authorities whose builder, repository, ref and commit satisfy the rule.
 */
public final class ProvenanceRule extends CoveredImagesRule {

    static final Codes CODES = new Codes(ReasonCode.PROVENANCE_VERIFIED, ReasonCode.PROVENANCE_VERIFIED_EARLIER, ReasonCode.PROVENANCE_MISSING,
            ReasonCode.PROVENANCE_INVALID, ReasonCode.PROVENANCE_UNAVAILABLE, ReasonCode.PROVENANCE_NOT_CHECKED);

    public ProvenanceRule(TrustSpec spec, Action action, FailureMode failureMode) {
        super(spec, action, failureMode, "provenance", CODES);
    }

    @Override
    public String id() {
        return "trust." + spec.name() + ".provenance";
    }

    @Override
    SignatureVerdict verdict(SignatureLookup lookup, ImageReference image) {
        return lookup.provenance(image, spec);
    }

    @Override
    String passed(String at, SignatureVerdict v) {
        return at + ": " + v.detail();
    }
}
