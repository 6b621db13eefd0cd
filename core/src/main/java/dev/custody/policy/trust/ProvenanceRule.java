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
 * {@code trust.<name>.provenance}: every image the trust rule covers must carry SLSA provenance attested by its
 * authorities whose builder, repository, ref and commit satisfy the rule. Verdict kinds map as for signatures.
 */
public final class ProvenanceRule implements Rule {

    private final TrustSpec spec;
    private final Action action;
    private final FailureMode failureMode;

    public ProvenanceRule(TrustSpec spec, Action action, FailureMode failureMode) {
        this.spec = spec;
        this.action = action;
        this.failureMode = failureMode;
    }

    @Override
    public String id() {
        return "trust." + spec.name() + ".provenance";
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
            SignatureVerdict v = lookup == null ? null : lookup.provenance(ref, spec);
            if (v == null) {
                out.error(ReasonCode.PROVENANCE_NOT_CHECKED, c.imagePath(), who + ": the provenance of " + ref.canonical() + " was not verified here"
                        + (lookup == null ? " (custody check does not contact registries; custody verify and admission do)" : ""));
                continue;
            }
            String at = ref.canonical() + (v.digest() != null && ref.digest() == null ? " (" + v.digest() + ")" : "");
            switch (v.kind()) {
                case VERIFIED -> out.pass(ReasonCode.PROVENANCE_VERIFIED, c.imagePath(), who + ": " + at + ": " + v.detail());
                case VERIFIED_EARLIER -> out.warn(ReasonCode.PROVENANCE_VERIFIED_EARLIER, c.imagePath(), who + ": " + at
                        + " verified earlier; the registry cannot be reached now: " + v.detail());
                case UNSIGNED -> out.fail(ReasonCode.PROVENANCE_MISSING, c.imagePath(), who + ": " + at + " has no attested provenance: " + v.detail());
                case INVALID -> out.fail(ReasonCode.PROVENANCE_INVALID, c.imagePath(), who + ": the provenance of " + at + " does not satisfy trust rule "
                        + spec.name() + ": " + v.detail());
                case UNAVAILABLE -> out.error(ReasonCode.PROVENANCE_UNAVAILABLE, c.imagePath(), who + ": the provenance of " + at
                        + " could not be checked: " + v.detail());
            }
        }
        if (!any) {
            out.skip(ReasonCode.TRUST_NOT_APPLICABLE, workload.podSpecPath(), "trust rule " + spec.name() + " covers none of the images");
        }
    }
}
