package dev.custody.policy.images;

import dev.custody.decision.Action;
import dev.custody.decision.FailureMode;
import dev.custody.decision.ReasonCode;
import dev.custody.imageref.ImageReference;
import dev.custody.policy.ResultSink;
import dev.custody.workload.Container;

/**
 * Stands for a requirement (signature, provenance) this build cannot verify yet. It reports ERROR for every
 * image, never PASS, so a regulated policy denies under its default closed failure mode instead of
 * admitting unverified images.
 */
public final class NotYetVerifiableRule extends ImageRule {

    private final ReasonCode code;
    private final String what;

    private NotYetVerifiableRule(String id, Action action, FailureMode mode, ReasonCode code, String what) {
        super(id, action, mode);
        this.code = code;
        this.what = what;
    }

    public static NotYetVerifiableRule signature(Action action, FailureMode mode) {
        return new NotYetVerifiableRule("images.requireSignature", action, mode, ReasonCode.SIGNATURE_NOT_YET_VERIFIABLE, "signature");
    }

    public static NotYetVerifiableRule provenance(Action action, FailureMode mode) {
        return new NotYetVerifiableRule("images.requireProvenance", action, mode, ReasonCode.PROVENANCE_NOT_YET_VERIFIABLE, "provenance");
    }

    @Override
    public boolean usesEvidence() {
        return true;
    }

    @Override
    void check(Container c, ImageReference ref, ResultSink out) {
        out.error(code, c.imagePath(), where(c) + ": a verified " + what + " is required for " + ref.canonical()
                + ", and this version of Custody cannot verify " + what + "s yet (not yet verifiable)");
    }
}
