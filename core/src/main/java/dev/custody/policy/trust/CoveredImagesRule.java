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
 * A rule over the images a trust rule covers, decided by verdicts gathered before evaluation. Subclasses say
 * which verdict they read and how each kind is reported; the kinds are never confused: missing or invalid
 * evidence fails, an outage is an error the failure mode decides, evidence verified before an outage passes
 * with a warning.
 */
abstract class CoveredImagesRule implements Rule {

    /** The reason code for each kind of verdict, and for "not checked here". */
    record Codes(ReasonCode verified, ReasonCode verifiedEarlier, ReasonCode missing, ReasonCode invalid, ReasonCode stale,
                 ReasonCode unavailable, ReasonCode notChecked) {}

    final TrustSpec spec;
    private final Action action;
    private final FailureMode failureMode;
    private final String what;
    private final Codes codes;

    CoveredImagesRule(TrustSpec spec, Action action, FailureMode failureMode, String what, Codes codes) {
        this.spec = spec;
        this.action = action;
        this.failureMode = failureMode;
        this.what = what;
        this.codes = codes;
    }

    /** The verdict this rule reads, or null when none was gathered. */
    abstract SignatureVerdict verdict(SignatureLookup lookup, ImageReference image);

    /** The message of a verdict that passes. */
    abstract String passed(String at, SignatureVerdict v);

    public TrustSpec spec() {
        return spec;
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
            SignatureVerdict v = lookup == null ? null : verdict(lookup, ref);
            if (v == null) {
                out.error(codes.notChecked(), c.imagePath(), who + ": the " + what + " of " + ref.canonical() + " was not verified here"
                        + (lookup == null ? " (custody check does not contact registries; custody verify and admission do)" : ""));
                continue;
            }
            String at = ref.canonical() + (v.digest() != null && ref.digest() == null ? " (" + v.digest() + ")" : "");
            switch (v.kind()) {
                case VERIFIED -> out.pass(codes.verified(), c.imagePath(), who + ": " + passed(at, v));
                case VERIFIED_EARLIER -> out.warn(codes.verifiedEarlier(), c.imagePath(), who + ": the " + what + " of " + at
                        + " verified earlier; the registry cannot be reached now: " + v.detail());
                case UNSIGNED -> out.fail(codes.missing(), c.imagePath(), who + ": " + at + " has no " + what + ": " + v.detail());
                case INVALID -> out.fail(codes.invalid(), c.imagePath(), who + ": the " + what + " of " + at + " does not satisfy trust rule "
                        + spec.name() + ": " + v.detail());
                case STALE -> out.fail(codes.stale(), c.imagePath(), who + ": the " + what + " of " + at + " is too old for trust rule "
                        + spec.name() + ": " + v.detail());
                case UNAVAILABLE -> out.error(codes.unavailable(), c.imagePath(), who + ": the " + what + " of " + at
                        + " could not be checked: " + v.detail());
            }
        }
        if (!any) {
            out.skip(ReasonCode.TRUST_NOT_APPLICABLE, workload.podSpecPath(), "trust rule " + spec.name() + " covers none of the images");
        }
    }
}
