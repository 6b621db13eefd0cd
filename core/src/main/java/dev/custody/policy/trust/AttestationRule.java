package dev.custody.policy.trust;

import dev.custody.decision.Action;
import dev.custody.decision.FailureMode;
import dev.custody.imageref.ImageReference;

/**
 * {@code trust.<name>.provenance}, {@code trust.<name>.sbom}, {@code trust.<name>.scan}: every image the trust
 * rule covers must carry that kind of attestation, signed by the rule's authorities, naming the image's digest,
 * and satisfying the rule (provenance facts, scan age).
 */
public final class AttestationRule extends CoveredImagesRule {

    private final AttestationKind kind;

    public AttestationRule(TrustSpec spec, AttestationKind kind, Action action, FailureMode failureMode) {
        super(spec, action, failureMode, kind.what(), kind.codes);
        this.kind = kind;
    }

    public AttestationKind kind() {
        return kind;
    }

    @Override
    public String id() {
        return "trust." + spec.name() + "." + kind.suffix();
    }

    @Override
    SignatureVerdict verdict(SignatureLookup lookup, ImageReference image) {
        return lookup.attestation(image, spec, kind);
    }

    @Override
    String passed(String at, SignatureVerdict v) {
        return at + ": " + v.detail();
    }
}
