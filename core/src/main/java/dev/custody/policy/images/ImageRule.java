package dev.custody.policy.images;

import dev.custody.decision.Action;
import dev.custody.decision.FailureMode;
import dev.custody.decision.ReasonCode;
import dev.custody.imageref.ImageReference;
import dev.custody.policy.ResultSink;
import dev.custody.policy.Rule;
import dev.custody.policy.RuleContext;
import dev.custody.workload.Container;
import dev.custody.workload.Workload;

/** Base of rules that look at each container's parsed image reference. */
abstract class ImageRule implements Rule {

    private final String id;
    private final Action action;
    private final FailureMode failureMode;

    ImageRule(String id, Action action, FailureMode failureMode) {
        this.id = id;
        this.action = action;
        this.failureMode = failureMode;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final Action action() {
        return action;
    }

    @Override
    public final FailureMode failureMode() {
        return failureMode;
    }

    @Override
    public void evaluate(Workload workload, RuleContext context, ResultSink out) {
        if (workload.containers().isEmpty()) {
            out.skip(ReasonCode.NO_CONTAINERS, workload.podSpecPath(), workload.displayName() + " has no containers");
            return;
        }
        for (Container c : workload.containers()) {
            if (c.imageRef() == null) {
                out.skip(ReasonCode.SKIPPED_NO_IMAGE, c.imagePath(), "container " + c.name() + " has no image");
            } else if (c.imageRef() instanceof ImageReference.ParseResult.Parsed parsed) {
                check(c, parsed.reference(), out);
            } else {
                out.skip(ReasonCode.SKIPPED_INVALID_REFERENCE, c.imagePath(),
                        "container " + c.name() + ": image \"" + c.image() + "\" is malformed");
            }
        }
    }

    abstract void check(Container container, ImageReference ref, ResultSink out);

    static String where(Container c) {
        return c.list().field().equals("containers") ? "container " + c.name()
                : c.list().field().replace("Containers", " container") + " " + c.name();
    }
}
