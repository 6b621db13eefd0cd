package dev.custody.policy.images;

import dev.custody.decision.Action;
import dev.custody.decision.FailureMode;
import dev.custody.decision.ReasonCode;
import dev.custody.imageref.ImageReference;
import dev.custody.policy.Glob;
import dev.custody.policy.ResultSink;
import dev.custody.workload.Container;
import java.util.List;

/**
 * Denies listed tags (names or globs). An untagged reference without digest is the implicit {@code latest}
 * and is denied when {@code latest} is. A tag written beside a digest is ignored by runtimes, so a
 * digest-pinned reference passes whatever its tag says.
 */
public final class DenyTagsRule extends ImageRule {

    public static final String ID = "images.denyTags";

    private final List<Glob> tags;

    public DenyTagsRule(Action action, List<String> tags) {
        super(ID, action, FailureMode.CLOSED);
        this.tags = tags.stream().map(Glob::of).toList();
    }

    @Override
    void check(Container c, ImageReference ref, ResultSink out) {
        if (ref.isImmutable()) {
            out.pass(ReasonCode.TAG_ALLOWED, c.imagePath(), where(c) + ": pinned by digest"
                    + (ref.tag() != null ? "; the tag :" + ref.tag() + " is ignored" : ""));
            return;
        }
        String tag = ref.effectiveTag().orElseThrow();
        for (Glob g : tags) {
            if (g.matches(tag)) {
                if (ref.isImplicitLatest()) {
                    out.fail(ReasonCode.IMPLICIT_LATEST_DENIED, c.imagePath(), where(c) + ": image " + c.image()
                            + " has no tag, so it pulls :latest, which is denied; pin it by digest or name a release tag");
                } else {
                    out.fail(ReasonCode.TAG_DENIED, c.imagePath(), where(c) + ": tag :" + tag + " of image " + c.image()
                            + " is denied (matches " + g + "); pin it by digest or name a release tag");
                }
                return;
            }
        }
        out.pass(ReasonCode.TAG_ALLOWED, c.imagePath(), where(c) + ": tag :" + tag + " is not denied");
    }
}
