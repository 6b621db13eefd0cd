package dev.custody.signatures;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.policy.PolicyParser;
import dev.custody.policy.trust.AttestationKind;
import dev.custody.policy.trust.SignatureVerdict;
import dev.custody.policy.trust.TrustRule;
import dev.custody.policy.trust.TrustSpec;
import dev.custody.verify.Attestations;
import dev.custody.verify.intoto.Statement;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How verified statements are judged for each kind of evidence. The statements here stand for envelopes whose
 * signatures already verified (signature checks are covered against real cosign output in the CLI interop test).
 */
class AttestationJudgeTest {

    static final String DIGEST = "sha256:" + "ab".repeat(32);
    static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    static TrustSpec spec(String extra) {
        String policy = """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: p}
                spec:
                  tier: dev
                  trust:
                    - name: release
                      images: [registry.example.com/*]
                      authorities:
                        - {name: a, keyless: {identity: a@example.com, issuer: https://issuer.example}}
                        - {name: b, keyless: {identity: b@example.com, issuer: https://issuer.example}}
                      threshold: 2
                """ + extra.indent(6);
        return new PolicyParser().load(Map.of("p.yaml", policy)).policies().get(0).rules().stream().filter(r -> r instanceof TrustRule)
                .map(r -> ((TrustRule) r).spec()).findFirst().orElseThrow();
    }

    static Attestations.Verified statement(String predicateType, String predicate, String... signers) throws Exception {
        String json = """
                {"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"img","digest":{"sha256":"%s"}}],
                 "predicateType":"%s","predicate":%s}""".formatted(DIGEST.substring(7), predicateType, predicate);
        return new Attestations.Verified(Statement.parse(json.getBytes(StandardCharsets.UTF_8), "test"), List.of(signers), "tag t layer 0");
    }

    static String scan(String finished) {
        return """
                {"scanner":{"uri":"pkg:github/aquasecurity/trivy@0.58.0","version":"0.58.0","db":{"uri":"db","version":"2"}},
                 "metadata":{"scanStartedOn":"%s","scanFinishedOn":"%s"}}""".formatted(finished, finished);
    }

    static SignatureVerdict judge(AttestationKind kind, TrustSpec spec, List<Attestations.Verified> verified, List<String> failures) {
        return AttestationJudge.judge(kind, spec, DIGEST, new Attestations.Outcome(verified, failures), NOW).verdict();
    }

    @Test
    void theNewestFreshScanSignedByEnoughAuthoritiesPassesAndSaysWhenItGoesStale() throws Exception {
        TrustSpec spec = spec("scan: {maxAge: 1d}");
        var old = statement(dev.custody.verify.intoto.ScanFacts.PREDICATE_TYPE, scan("2026-11-20T00:00:00Z"), "a", "b");
        var fresh = statement(dev.custody.verify.intoto.ScanFacts.PREDICATE_TYPE, scan("2026-11-28T06:00:00Z"), "a", "b");
        var judged = AttestationJudge.judge(AttestationKind.SCAN, spec, DIGEST, new Attestations.Outcome(List.of(old, fresh), List.of()), NOW);
        assertThat(judged.verdict().kind()).isEqualTo(SignatureVerdict.Kind.VERIFIED);
        assertThat(judged.verdict().detail()).contains("trivy").contains("2026-11-28T06:00:00Z");
        assertThat(judged.freshUntil()).isEqualTo(Instant.parse("2026-11-29T06:00:00Z")); // the cache must not outlive the scan
        assertThat(judge(AttestationKind.SCAN, spec, List.of(old), List.of()).kind()).isEqualTo(SignatureVerdict.Kind.STALE);
        // a scan dated in the future is never fresh (its age would stay negative for as long as the claim)
        var future = statement(dev.custody.verify.intoto.ScanFacts.PREDICATE_TYPE, scan("2026-12-28T00:00:00Z"), "a", "b");
        SignatureVerdict f = judge(AttestationKind.SCAN, spec, List.of(future), List.of());
        assertThat(f.kind()).isEqualTo(SignatureVerdict.Kind.STALE);
        assertThat(f.detail()).contains("in the future");
    }

    @Test
    void eachStatementMustMeetTheThresholdOnItsOwn() throws Exception {
        TrustSpec spec = spec("sbom: true");
        // a signs one SBOM, b another: two authorities in all, but no single SBOM that two attested
        var byA = statement("https://cyclonedx.org/bom", "{\"bomFormat\":\"CycloneDX\"}", "a");
        var byB = statement("https://spdx.dev/Document", "{\"spdxVersion\":\"SPDX-2.3\"}", "b");
        SignatureVerdict v = judge(AttestationKind.SBOM, spec, List.of(byA, byB), List.of());
        assertThat(v.kind()).isEqualTo(SignatureVerdict.Kind.INVALID);
        assertThat(v.detail()).contains("needs 2 authorities");
        var byBoth = statement("https://cyclonedx.org/bom/v1.5", "{\"bomFormat\":\"CycloneDX\"}", "a", "b");
        assertThat(judge(AttestationKind.SBOM, spec, List.of(byA, byBoth), List.of()).kind()).isEqualTo(SignatureVerdict.Kind.VERIFIED);
    }

    @Test
    void missingEvidenceIsUnsignedUnlessSomethingFailedToVerify() throws Exception {
        TrustSpec spec = spec("sbom: true\nscan: {}");
        var sbom = statement("https://cyclonedx.org/bom", "{\"bomFormat\":\"CycloneDX\"}", "a", "b");
        assertThat(judge(AttestationKind.SCAN, spec, List.of(sbom), List.of()).kind()).isEqualTo(SignatureVerdict.Kind.UNSIGNED);
        SignatureVerdict v = judge(AttestationKind.SCAN, spec, List.of(sbom), List.of("tag t layer 1: signature (no authority's signature verifies)"));
        assertThat(v.kind()).isEqualTo(SignatureVerdict.Kind.INVALID);
        assertThat(v.detail()).contains("no verified vulnerability scan attestation").contains("layer 1");
        // without maxAge any age is accepted, but a scan must say when it finished
        assertThat(judge(AttestationKind.SCAN, spec, List.of(statement(dev.custody.verify.intoto.ScanFacts.PREDICATE_TYPE,
                scan("2020-01-01T00:00:00Z"), "a", "b")), List.of()).kind()).isEqualTo(SignatureVerdict.Kind.VERIFIED);
        SignatureVerdict noTime = judge(AttestationKind.SCAN, spec, List.of(statement(dev.custody.verify.intoto.ScanFacts.PREDICATE_TYPE,
                scan("0001-01-01T00:00:00Z"), "a", "b")), List.of());
        assertThat(noTime.kind()).isEqualTo(SignatureVerdict.Kind.INVALID);
        assertThat(noTime.detail()).contains("predicate.metadata.scanFinishedOn");
    }

    @Test
    void recordsCarryTheKeyFactsOfEachKind() throws Exception {
        var records = AttestationEvidence.records(DIGEST, List.of(
                statement(dev.custody.verify.intoto.ScanFacts.PREDICATE_TYPE, scan("2026-11-28T06:00:00Z"), "a"),
                statement("https://spdx.dev/Document", "{\"spdxVersion\":\"SPDX-2.3\"}", "b"),
                statement("https://example.com/custom", "{}", "a")));
        assertThat(records.get(0).facts()).containsEntry("scanner", "pkg:github/aquasecurity/trivy@0.58.0")
                .containsEntry("scanFinishedOn", "2026-11-28T06:00:00Z");
        assertThat(records.get(1).facts()).containsEntry("format", "SPDX");
        assertThat(records.get(2).facts()).isEmpty();
        assertThat(records).extracting(AttestationEvidence.Record::signers).containsExactly(List.of("a"), List.of("b"), List.of("a"));
    }
}
