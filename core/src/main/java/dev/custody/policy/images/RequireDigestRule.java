package dev.custody.policy.images;

import dev.custody.decision.Action;
import dev.custody.decision.FailureMode;
import dev.custody.decision.ReasonCode;
import dev.custody.imageref.ImageReference;
import dev.custody.policy.ResultSink;
import dev.custody.workload.Container;

/** The image must be pinned by digest ({@code name@sha256:...}); a tag alone can be moved. */
public final class RequireDigestRule extends ImageRule {

    public static final String ID = "images.requireDigest";

    public RequireDigestRule(Action action) {
        super(ID, action, FailureMode.CLOSED);
    }

    @Override
    void check(Container c, ImageReference ref, ResultSink out) {
        if (ref.isImmutable()) {
            out.pass(ReasonCode.DIGEST_PINNED, c.imagePath(), where(c) + ": pinned to " + ref.digest());
        } else {
            String what = ref.tag() == null ? "no tag or digest (implicitly :latest)" : "the mutable tag :" + ref.tag();
            out.fail(ReasonCode.DIGEST_REQUIRED, c.imagePath(), where(c) + ": image " + c.image() + " uses " + what
                    + "; pin it by digest, for example " + ref.name() + "@sha256:<digest> (crane digest " + ref.canonical() + ")");
        }
    }
}
