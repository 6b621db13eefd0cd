package dev.custody.policy.trust;

import dev.custody.decision.Action;
import dev.custody.decision.FailureMode;
import dev.custody.decision.ReasonCode;
import dev.custody.imageref.ImageReference;

/**
 * {@code trust.<name>}: every image the rule covers must be signed by its authorities. The verdicts come from the
 * context's {@link SignatureLookup}, gathered before evaluation; the rule only maps them to outcomes.
 */
public final class TrustRule extends CoveredImagesRule {

    static final Codes CODES = new Codes(ReasonCode.SIGNATURE_VERIFIED, ReasonCode.SIGNATURE_VERIFIED_EARLIER, ReasonCode.SIGNATURE_MISSING,
            ReasonCode.SIGNATURE_INVALID, ReasonCode.SIGNATURE_INVALID, ReasonCode.SIGNATURE_UNAVAILABLE, ReasonCode.SIGNATURE_NOT_CHECKED);

    public TrustRule(TrustSpec spec, Action action, FailureMode failureMode) {
        super(spec, action, failureMode, "signature", CODES);
    }

    @Override
    public String id() {
        return "trust." + spec.name();
    }

    @Override
    SignatureVerdict verdict(SignatureLookup lookup, ImageReference image) {
        return lookup.find(image, spec);
    }

    @Override
    String passed(String at, SignatureVerdict v) {
        return at + " is signed by " + String.join(", ", v.authorities());
    }
}
