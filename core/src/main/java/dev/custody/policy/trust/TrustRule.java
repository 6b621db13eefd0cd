package dev.custody.policy.trust;

import dev.custody.decision.Action;
import dev.custody.decision.FailureMode;
import dev.custody.decision.ReasonCode;
import dev.custody.imageref.ImageReference;
import dev.custody.policy.ResultSink;
import dev.custody.policy.Rule;
import dev.custody.policy.RuleContext;
import dev.custody.workload.Container;
import dev.custody.workload.Workload;

/**
 * {@code trust.<name>}: every image the rule covers must be signed by its authorities. The verdicts come from the
 * context's {@link SignatureLookup}, gathered before evaluation; the rule only maps them to outcomes, keeping the
 * kinds apart: a missing or invalid signature fails (and so denies under enforce whatever the failure mode), an
 * outage is an error the failure mode decides, a digest verified before the outage passes with a warning.
 */
public final class TrustRule implements Rule {

    private final TrustSpec spec;
    private final Action action;
    private final FailureMode failureMode;

    public TrustRule(TrustSpec spec, Action action, FailureMode failureMode) {
        this.spec = spec;
        this.action = action;
        this.failureMode = failureMode;
    }

    public TrustSpec spec() {
        return spec;
    }

    @Override
    public String id() {
        return "trust." + spec.name();
    }

    @Override
    public Action action() {
        return action;
    }

    @Override
    public FailureMode failureMode() {
        return failureMode;
    }

    @Override
    public boolean usesEvidence() {
        return true;
    }

    @Override
    public void evaluate(Workload workload, RuleContext context, ResultSink out) {
        boolean any = false;
        for (Container c : workload.containers()) {
            if (!(c.imageRef() instanceof ImageReference.ParseResult.Parsed parsed) || !spec.covers(parsed.reference().name())) {
                continue;
            }
            any = true;
            ImageReference ref = parsed.reference();
            String who = c.list().field().equals("containers") ? "container " + c.name() : c.list().field() + " " + c.name();
            SignatureLookup lookup = context.signatures();
            SignatureVerdict v = lookup == null ? null : lookup.find(ref, spec);
            if (v == null) {
                out.error(ReasonCode.SIGNATURE_NOT_CHECKED, c.imagePath(), who + ": the signature of " + ref.canonical()
                        + " was not verified here" + (lookup == null ? " (custody check does not contact registries; custody verify and admission do)" : ""));
                continue;
            }
            String at = ref.canonical() + (v.digest() != null && ref.digest() == null ? " (" + v.digest() + ")" : "");
            switch (v.kind()) {
                case VERIFIED -> out.pass(ReasonCode.SIGNATURE_VERIFIED, c.imagePath(), who + ": " + at + " is signed by "
                        + String.join(", ", v.authorities()));
                case VERIFIED_EARLIER -> out.warn(ReasonCode.SIGNATURE_VERIFIED_EARLIER, c.imagePath(), who + ": " + at
                        + " verified earlier; the registry cannot be reached now: " + v.detail());
                case UNSIGNED -> out.fail(ReasonCode.SIGNATURE_MISSING, c.imagePath(), who + ": " + at + " has no signature: " + v.detail());
                case INVALID -> out.fail(ReasonCode.SIGNATURE_INVALID, c.imagePath(), who + ": " + at + " is not signed as trust rule "
                        + spec.name() + " requires: " + v.detail());
                case UNAVAILABLE -> out.error(ReasonCode.SIGNATURE_UNAVAILABLE, c.imagePath(), who + ": the signature of " + at
                        + " could not be checked: " + v.detail());
            }
        }
        if (!any) {
            out.skip(ReasonCode.TRUST_NOT_APPLICABLE, workload.podSpecPath(), "trust rule " + spec.name() + " covers none of the images");
        }
    }
}
