package dev.custody.signatures;

import dev.custody.policy.trust.AttestationKind;
import dev.custody.policy.trust.SignatureVerdict;
import dev.custody.policy.trust.TrustSpec;
import dev.custody.verify.Attestations;
import dev.custody.verify.intoto.InvalidStatementException;
import dev.custody.verify.intoto.ProvenanceFacts;
import dev.custody.verify.intoto.ScanFacts;
import dev.custody.verify.intoto.SlsaProvenance;
import dev.custody.verify.intoto.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Judges the verified attestations of a digest for one kind of evidence a trust rule requires. Each statement
 * stands alone: its own signers must meet the rule's threshold and required authorities, and its own facts the
 * rule's conditions. Statements whose envelope failed never reach here; their failures make a verdict INVALID
 * rather than missing, since what failed may have been the evidence asked for.
 */
final class AttestationJudge {

    /** A verdict, and for a scan with a maximum age the instant it goes stale (else null). */
    record Judged(SignatureVerdict verdict, Instant freshUntil) {}

    static final Set<String> PROVENANCE_TYPES = Set.of(SlsaProvenance.V1, SlsaProvenance.V0_2);

    private AttestationJudge() {}

    /** Whether a predicate type is an SBOM: CycloneDX or SPDX, with or without a version suffix. */
    static boolean isSbom(String predicateType) {
        return predicateType.equals("https://cyclonedx.org/bom") || predicateType.startsWith("https://cyclonedx.org/bom/")
                || predicateType.equals("https://spdx.dev/Document") || predicateType.startsWith("https://spdx.dev/Document/");
    }

    static boolean isKind(AttestationKind kind, String predicateType) {
        return switch (kind) {
            case PROVENANCE -> PROVENANCE_TYPES.contains(predicateType);
            case SBOM -> isSbom(predicateType);
            case SCAN -> ScanFacts.PREDICATE_TYPE.equals(predicateType);
        };
    }

    static Judged judge(AttestationKind kind, TrustSpec spec, String digest, Attestations.Outcome outcome, Instant now) {
        Set<String> problems = new LinkedHashSet<>();
        int ofKind = 0;
        SignatureVerdict stale = null;
        ScanFacts newestStale = null;
        for (Attestations.Verified v : outcome.verified()) {
            Statement s = v.statement();
            if (!isKind(kind, s.predicateType())) {
                continue;
            }
            ofKind++;
            String signers = signersProblem(spec, v.signers());
            switch (kind) {
                case PROVENANCE -> {
                    ProvenanceFacts f;
                    try {
                        f = ProvenanceFacts.from(s);
                    } catch (InvalidStatementException e) {
                        problems.add(e.getMessage());
                        continue;
                    }
                    String problem = spec.provenance().problem(f.builderId(), f.sourceRepository(), f.sourceRef(), f.sourceCommit());
                    if (problem == null) {
                        problem = spec.provenance().conditionProblem(s.predicate(), s.predicateType());
                    }
                    if (problem != null || signers != null) {
                        problems.add(problem != null ? problem : "provenance " + signers);
                        continue;
                    }
                    return new Judged(new SignatureVerdict(SignatureVerdict.Kind.VERIFIED, digest, v.signers(), "built by " + f.builderId()
                            + " from " + f.sourceRepository() + " " + f.sourceRef() + (f.sourceCommit() == null ? "" : " at " + f.sourceCommit())
                            + ", attested by " + String.join(", ", v.signers())), null);
                }
                case SBOM -> {
                    if (signers != null) {
                        problems.add("SBOM " + signers);
                        continue;
                    }
                    return new Judged(new SignatureVerdict(SignatureVerdict.Kind.VERIFIED, digest, v.signers(), "SBOM (" + s.predicateType()
                            + ") attested by " + String.join(", ", v.signers())), null);
                }
                case SCAN -> {
                    ScanFacts f;
                    try {
                        f = ScanFacts.from(s);
                    } catch (InvalidStatementException e) {
                        problems.add(e.getMessage());
                        continue;
                    }
                    if (signers != null) {
                        problems.add("scan " + signers);
                        continue;
                    }
                    String staleness = spec.scan().staleness(f.finishedOn(), now);
                    if (staleness != null) {
                        if (newestStale == null || f.finishedOn().isAfter(newestStale.finishedOn())) {
                            newestStale = f;
                            stale = new SignatureVerdict(SignatureVerdict.Kind.STALE, digest, v.signers(), staleness);
                        }
                        continue;
                    }
                    Instant freshUntil = spec.scan().maxAge() == null ? null : f.finishedOn().plus(spec.scan().maxAge());
                    return new Judged(new SignatureVerdict(SignatureVerdict.Kind.VERIFIED, digest, v.signers(), "scanned by "
                            + (f.scannerUri() == null ? "an unnamed scanner" : f.scannerUri()) + (f.scannerVersion() == null ? "" : " " + f.scannerVersion())
                            + ", finished " + f.finishedOn() + ", attested by " + String.join(", ", v.signers())), freshUntil);
                }
                default -> throw new IllegalStateException(kind.name());
            }
        }
        if (stale != null && problems.isEmpty()) {
            return new Judged(stale, null);
        }
        List<String> all = new ArrayList<>(problems);
        all.addAll(outcome.failures());
        if (stale != null) {
            all.add(0, stale.detail());
        }
        if (all.isEmpty()) {
            return new Judged(new SignatureVerdict(SignatureVerdict.Kind.UNSIGNED, digest, List.of(), "none of the " + outcome.verified().size()
                    + " verified attestations of " + digest + " is a " + kind.what().replace(" attestation", "")), null);
        }
        String detail = (ofKind == 0 ? "no verified " + kind.what() + "; " : "") + String.join("; ", all.stream().limit(4).toList())
                + (all.size() > 4 ? "; and " + (all.size() - 4) + " more" : "");
        return new Judged(new SignatureVerdict(SignatureVerdict.Kind.INVALID, digest, List.of(), detail), null);
    }

    /** Null when a statement's own signers meet the rule's threshold and required authorities, else what is missing. */
    static String signersProblem(TrustSpec spec, List<String> signers) {
        List<String> missing = spec.required().stream().filter(r -> !signers.contains(r)).toList();
        if (signers.size() >= spec.threshold() && missing.isEmpty()) {
            return null;
        }
        return "attested by " + signers + "; the rule needs " + spec.threshold() + " authorities" + (missing.isEmpty() ? "" : ", among them " + missing);
    }
}
