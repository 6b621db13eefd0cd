package dev.custody.policy.images;

import dev.custody.decision.Action;
import dev.custody.decision.FailureMode;
import dev.custody.decision.ReasonCode;
import dev.custody.imageref.ImageReference;
import dev.custody.policy.ResultSink;
import dev.custody.policy.RuleContext;
import dev.custody.workload.Container;
import dev.custody.workload.Workload;

/** Every container has an image, and every image follows the reference grammar. Always part of a policy. */
public final class ValidReferenceRule extends ImageRule {

    public static final String ID = "images.validReference";

    public ValidReferenceRule(Action action) {
        super(ID, action, FailureMode.CLOSED);
    }

    @Override
    public void evaluate(Workload workload, RuleContext context, ResultSink out) {
        if (workload.containers().isEmpty()) {
            out.skip(ReasonCode.NO_CONTAINERS, workload.podSpecPath(), workload.displayName() + " has no containers");
            return;
        }
        for (Container c : workload.containers()) {
            if (c.imageRef() == null) {
                out.fail(ReasonCode.IMAGE_MISSING, c.imagePath(), where(c) + " has no image; set image to a reference pinned by digest");
            } else if (c.imageRef() instanceof ImageReference.ParseResult.Invalid invalid) {
                out.fail(ReasonCode.IMAGE_REFERENCE_INVALID, c.imagePath(), where(c) + ": " + invalid.message());
            } else {
                check(c, ((ImageReference.ParseResult.Parsed) c.imageRef()).reference(), out);
            }
        }
    }

    @Override
    void check(Container c, ImageReference ref, ResultSink out) {
        out.pass(ReasonCode.IMAGE_REFERENCE_VALID, c.imagePath(), where(c) + ": " + ref.canonical());
    }
}
