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
 * {@code trust.<name>.promotion}: every image the trust rule covers must have been promoted to an earlier tier
 * ({@code promotion: {from: staging}}), by {@code custody promote}, as the store records it. Reads the stored
 * evidence admission holds in memory ({@link RuleContext#vulns()}); without it (custody check without a store) the
 * images are reported not checked.
 */
public final class PromotionRule implements Rule {

    private final TrustSpec spec;
    private final String from;
    private final Action action;
    private final FailureMode failureMode;

    public PromotionRule(TrustSpec spec, String from, Action action, FailureMode failureMode) {
        this.spec = spec;
        this.from = from;
        this.action = action;
        this.failureMode = failureMode;
    }

    /** The tier the digest must have been promoted to. */
    public String from() {
        return from;
    }

    @Override
    public String id() {
        return "trust." + spec.name() + ".promotion";
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
    public void evaluate(Workload workload, RuleContext ctx, ResultSink out) {
        for (Container c : workload.containers()) {
            if (!(c.imageRef() instanceof ImageReference.ParseResult.Parsed parsed) || !spec.covers(parsed.reference().name())) {
                continue;
            }
            if (ctx.vulns() == null) {
                out.skip(ReasonCode.PROMOTION_NOT_CHECKED, c.imagePath(), c.image() + ": promotions were not checked: no evidence store is read here");
                continue;
            }
            String digest = ctx.digestOf(c.image(), parsed.reference());
            if (digest == null) {
                out.fail(ReasonCode.PROMOTION_MISSING, c.imagePath(), c.image() + " pins no digest, and promotions are recorded per digest; "
                        + "trust rule " + spec.name() + " requires a promotion from " + from);
                continue;
            }
            if (ctx.vulns().promotions(digest).contains(from)) {
                out.pass(ReasonCode.PROMOTION_RECORDED, c.imagePath(), c.image() + " was promoted to " + from);
            } else {
                out.fail(ReasonCode.PROMOTION_MISSING, c.imagePath(), c.image() + " (" + digest + ") has not been promoted to " + from
                        + " (custody promote --digest " + digest + " --to " + from + "); trust rule " + spec.name() + " requires it");
            }
        }
    }
}
