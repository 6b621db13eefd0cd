package dev.custody.policy.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.decision.Outcome;
import dev.custody.decision.ReasonCode;
import dev.custody.decision.RuleResult;
import dev.custody.decision.WorkloadDecision;
import dev.custody.engine.Engine;
import dev.custody.manifest.ManifestReader;
import dev.custody.policy.InvalidPolicyException;
import dev.custody.policy.PolicyParser;
import dev.custody.policy.PolicySet;
import dev.custody.workload.Workload;
import dev.custody.workload.WorkloadExtractor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The trust section and its rule. Verdicts come from a lookup the test fills, as admission fills it from the
 * registry: the rule's job is to map each kind of verdict to the right outcome and never confuse them.
 */
class TrustRulesTest {

    static final String KEY = """
            -----BEGIN PUBLIC KEY-----
            MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEusIAt6EJ3YrTHdg2qkWVS0KuotWQ
            wHDtyaXlq7Nhj8279+1u/l5pZhXJPW8PnGRRLdO5NbsuM6aT7pOcP100uw==
            -----END PUBLIC KEY-----
            """;

    static String policy(String trust) {
        return """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: signed}
                spec:
                  tier: dev
                  trust:
                """ + trust.indent(4);
    }

    static final String RELEASE = """
            - name: release
              images: [registry.example.com/shop/*]
              authorities:
                - name: ci
                  key: |
            """ + KEY.indent(8) + """
                - name: github
                  keyless: {identityRegexp: '^https://github.com/acme/', issuer: https://token.actions.githubusercontent.com}
              threshold: 1
              required: [ci]
              failureMode: closed
            """;

    static final String POD = """
            apiVersion: v1
            kind: Pod
            metadata: {name: api, namespace: shop}
            spec:
              containers:
                - {name: api, image: registry.example.com/shop/api@sha256:%s}
                - {name: sidecar, image: docker.io/library/busybox:1.36}
            """.formatted("a".repeat(64));

    static Workload pod() {
        return WorkloadExtractor.extract(new ManifestReader().read("pod.yaml", POD)).workloads().get(0);
    }

    static WorkloadDecision evaluate(PolicySet set, SignatureLookup lookup) {
        return new Engine(set).evaluate(pod(), "shop", Map.of(), null, null, lookup);
    }

    static RuleResult trust(WorkloadDecision d) {
        return d.results().stream().filter(r -> r.rule().equals("trust.release")).findFirst().orElseThrow();
    }

    @Test
    void eachKindOfVerdictHasItsOwnOutcome() {
        PolicySet set = new PolicyParser().load(Map.of("p.yaml", policy(RELEASE)));
        TrustSpec spec = ((TrustRule) set.policies().get(0).rules().stream().filter(r -> r instanceof TrustRule).findFirst().orElseThrow()).spec();
        assertThat(spec.threshold()).isEqualTo(1);
        assertThat(spec.required()).containsExactly("ci");
        assertThat(spec.authorities()).extracting(Authority::name).containsExactly("ci", "github");
        assertThat(spec.covers("registry.example.com/shop/api")).isTrue();
        assertThat(spec.covers("docker.io/library/busybox")).isFalse();

        String digest = "sha256:" + "a".repeat(64);
        record Case(SignatureVerdict.Kind kind, Outcome outcome, ReasonCode code, boolean allowed) {}
        for (Case c : List.of(
                new Case(SignatureVerdict.Kind.VERIFIED, Outcome.PASS, ReasonCode.SIGNATURE_VERIFIED, true),
                new Case(SignatureVerdict.Kind.VERIFIED_EARLIER, Outcome.WARN, ReasonCode.SIGNATURE_VERIFIED_EARLIER, true),
                new Case(SignatureVerdict.Kind.UNSIGNED, Outcome.FAIL, ReasonCode.SIGNATURE_MISSING, false),
                new Case(SignatureVerdict.Kind.INVALID, Outcome.FAIL, ReasonCode.SIGNATURE_INVALID, false),
                new Case(SignatureVerdict.Kind.UNAVAILABLE, Outcome.ERROR, ReasonCode.SIGNATURE_UNAVAILABLE, false))) {
            WorkloadDecision d = evaluate(set, (image, s) -> {
                assertThat(s.id()).isEqualTo(spec.id());
                assertThat(image.name()).isEqualTo("registry.example.com/shop/api"); // the sidecar is not covered, never looked up
                return new SignatureVerdict(c.kind(), digest, List.of("ci"), "detail");
            });
            RuleResult r = trust(d);
            assertThat(r.outcome()).as(c.kind().name()).isEqualTo(c.outcome());
            assertThat(r.code()).isEqualTo(c.code());
            assertThat(r.path().toString()).isEqualTo("spec.containers[0].image");
            assertThat(d.allowed()).as(c.kind().name()).isEqualTo(c.allowed());
            assertThat(d.warnings().contains(r)).isEqualTo(c.kind() == SignatureVerdict.Kind.VERIFIED_EARLIER);
        }
    }

    @Test
    void anOutageFollowsTheFailureModeButAnInvalidSignatureAlwaysDenies() {
        PolicySet open = new PolicyParser().load(Map.of("p.yaml", policy(RELEASE.replace("failureMode: closed", "failureMode: open"))));
        assertThat(evaluate(open, (i, s) -> new SignatureVerdict(SignatureVerdict.Kind.UNAVAILABLE, null, List.of(), "registry down"))
                .allowed()).isTrue();
        assertThat(evaluate(open, (i, s) -> new SignatureVerdict(SignatureVerdict.Kind.INVALID, null, List.of(), "bad signature"))
                .allowed()).isFalse();
    }

    @Test
    void withoutALookupTheRuleSaysItDidNotCheck() {
        PolicySet set = new PolicyParser().load(Map.of("p.yaml", policy(RELEASE)));
        RuleResult r = trust(new Engine(set).evaluate(pod(), "shop", Map.of()));
        assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.code()).isEqualTo(ReasonCode.SIGNATURE_NOT_CHECKED);
        assertThat(r.message()).contains("custody check does not contact registries");
    }

    @Test
    void aRuleThatCoversNoImageSkips() {
        PolicySet set = new PolicyParser().load(Map.of("p.yaml", policy(RELEASE.replace("registry.example.com/shop/*", "ghcr.io/other/*"))));
        RuleResult r = trust(evaluate(set, (i, s) -> {
            throw new AssertionError("not covered, not looked up");
        }));
        assertThat(r.outcome()).isEqualTo(Outcome.SKIP);
        assertThat(r.code()).isEqualTo(ReasonCode.TRUST_NOT_APPLICABLE);
    }

    @Test
    void mistakesAreReportedWithTheirLineAndField() {
        String bad = """
                - name: Release
                  images: []
                  authorities:
                    - name: ci
                      key: "not a key"
                    - name: both
                      key: x
                      keyless: {identity: a, issuer: b}
                    - name: gh
                      keyless: {identity: a, identityRegexp: b, issuerRegexp: '(['}
                  threshold: 5
                  required: [nobody]
                """;
        assertThatThrownBy(() -> new PolicyParser().load(Map.of("p.yaml", policy(bad))))
                .isInstanceOf(InvalidPolicyException.class)
                .satisfies(e -> assertThat(((InvalidPolicyException) e).errors()).extracting(pe -> pe.describe())
                        .anySatisfy(m -> assertThat(m).contains("spec.trust[0].name").contains("not a valid name"))
                        .anySatisfy(m -> assertThat(m).contains("spec.trust[0].images").contains("lists no images"))
                        .anySatisfy(m -> assertThat(m).contains("spec.trust[0].authorities[0].key").contains("not a PEM public key"))
                        .anySatisfy(m -> assertThat(m).contains("spec.trust[0].authorities[1]").contains("exactly one of key"))
                        .anySatisfy(m -> assertThat(m).contains("spec.trust[0].authorities[2].keyless.identity").contains("exactly one of"))
                        .anySatisfy(m -> assertThat(m).contains("issuerRegexp").contains("not a valid regular expression"))
                        .anySatisfy(m -> assertThat(m).contains("spec.trust[0].threshold"))
                        .anySatisfy(m -> assertThat(m).contains("spec.trust[0].required[0]").contains("nobody"))
                        .allSatisfy(m -> assertThat(m).contains("p.yaml:")));
    }

    @Test
    void theCacheIdChangesWithTheRuleAndNotWithItsName() {
        TrustSpec a = spec(RELEASE);
        TrustSpec renamed = spec(RELEASE.replace("name: release", "name: other"));
        TrustSpec stricter = spec(RELEASE.replace("threshold: 1", "threshold: 2"));
        assertThat(renamed.id()).isEqualTo(a.id());
        assertThat(stricter.id()).isNotEqualTo(a.id());
        TrustSpec each = spec(RELEASE.replace("threshold: 1", "threshold: 1\n  multiArch: eachPlatform"));
        assertThat(each.eachPlatform()).isTrue();
        assertThat(a.eachPlatform()).isFalse();
        assertThat(each.id()).isNotEqualTo(a.id());
    }

    @Test
    void admissionGathersVerdictsForCoveredImagesBeforeItDecides() {
        PolicySet set = new PolicyParser().load(Map.of("p.yaml", policy(RELEASE)));
        String review = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","operation":"CREATE",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"shop","name":"api","userInfo":{"username":"bob"},
                 "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"api","namespace":"shop"},"spec":{"containers":[
                   {"name":"api","image":"registry.example.com/shop/api:v1"},{"name":"sidecar","image":"busybox:1.36"}]}}}}
                """;
        var req = dev.custody.admission.AdmissionReviews.parse(review.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        java.time.Instant deadline = java.time.Instant.now().plusSeconds(3);
        List<SignatureGatherer.Need> asked = new java.util.ArrayList<>();
        var admission = new dev.custody.admission.Admission(new Engine(set), ns -> Map.of(), (needs, until) -> {
            assertThat(until).isEqualTo(deadline);
            asked.addAll(needs);
            return (image, spec) -> new SignatureVerdict(SignatureVerdict.Kind.INVALID, "sha256:" + "b".repeat(64), List.of(),
                    "signature by another key");
        });
        var result = admission.review(req, deadline);
        assertThat(asked).singleElement().satisfies(n -> assertThat(n.image().canonical()).isEqualTo("registry.example.com/shop/api:v1"));
        assertThat(result.response().allowed()).isFalse();
        assertThat(result.response().message()).contains("SIGNATURE_INVALID").contains("signature by another key")
                .contains("(sha256:" + "b".repeat(64) + ")");
    }

    @Test
    void aProvenanceRequirementAddsItsOwnRuleWithTheSameVerdictKinds() {
        String withProvenance = RELEASE + "  provenance:\n    builders: ['https://github.com/slsa-framework/*']\n    refs: [refs/heads/main]\n"
                + "    requireCommit: true\n";
        PolicySet set = new PolicyParser().load(Map.of("p.yaml", policy(withProvenance)));
        assertThat(set.policies().get(0).rules()).extracting(dev.custody.policy.Rule::id).contains("trust.release", "trust.release.provenance");
        TrustSpec spec = ((TrustRule) set.policies().get(0).rules().stream().filter(r -> r instanceof TrustRule).findFirst().orElseThrow()).spec();
        assertThat(spec.provenance().problem("https://github.com/slsa-framework/gen", "r", "refs/heads/main", "abc")).isNull();
        assertThat(spec.provenance().problem("https://evil.example/builder", "r", "refs/heads/main", "abc")).contains("builder");
        assertThat(spec.provenance().problem("https://github.com/slsa-framework/gen", "r", "refs/heads/dev", "abc")).contains("ref");
        assertThat(spec.provenance().problem("https://github.com/slsa-framework/gen", "r", "refs/heads/main", null)).contains("commit");
        SignatureLookup lookup = new SignatureLookup() {
            public SignatureVerdict find(dev.custody.imageref.ImageReference image, TrustSpec s) {
                return new SignatureVerdict(SignatureVerdict.Kind.VERIFIED, "sha256:" + "a".repeat(64), List.of("ci"), "ok");
            }

            @Override
            public SignatureVerdict attestation(dev.custody.imageref.ImageReference image, TrustSpec s, AttestationKind kind) {
                return new SignatureVerdict(SignatureVerdict.Kind.INVALID, "sha256:" + "a".repeat(64), List.of(), "source ref refs/heads/dev");
            }
        };
        WorkloadDecision d = evaluate(set, lookup);
        RuleResult prov = d.results().stream().filter(r -> r.rule().equals("trust.release.provenance")).findFirst().orElseThrow();
        assertThat(prov.code()).isEqualTo(ReasonCode.PROVENANCE_INVALID);
        assertThat(d.allowed()).isFalse();
        assertThat(trust(d).code()).isEqualTo(ReasonCode.SIGNATURE_VERIFIED);
    }

    @Test
    void sbomAndScanRequirementsAddTheirOwnRulesAndAStaleScanFailsWithItsOwnCode() {
        PolicySet set = new PolicyParser().load(Map.of("p.yaml", policy(RELEASE + "  sbom: true\n  scan: {maxAge: 7d}\n")));
        assertThat(set.policies().get(0).rules()).extracting(dev.custody.policy.Rule::id).filteredOn(id -> id.startsWith("trust."))
                .containsExactly("trust.release", "trust.release.sbom", "trust.release.scan");
        TrustSpec spec = ((TrustRule) set.policies().get(0).rules().stream().filter(r -> r instanceof TrustRule).findFirst().orElseThrow()).spec();
        assertThat(spec.scan().maxAge()).isEqualTo(java.time.Duration.ofDays(7));
        assertThat(spec.attestations()).containsExactly(AttestationKind.SBOM, AttestationKind.SCAN);
        assertThat(spec.id()).isNotEqualTo(spec(RELEASE + "  sbom: true\n  scan: {maxAge: 8d}\n").id()); // the age is part of the cache key
        java.time.Instant finished = java.time.Instant.parse("2026-11-01T00:00:00Z");
        assertThat(spec.scan().staleness(finished, finished.plus(java.time.Duration.ofDays(7)))).isNull();
        assertThat(spec.scan().staleness(finished, finished.plus(java.time.Duration.ofDays(8)))).contains("8d ago").contains("allows 7d");
        String digest = "sha256:" + "a".repeat(64);
        SignatureLookup lookup = new SignatureLookup() {
            public SignatureVerdict find(dev.custody.imageref.ImageReference image, TrustSpec s) {
                return new SignatureVerdict(SignatureVerdict.Kind.VERIFIED, digest, List.of("ci"), "ok");
            }

            @Override
            public SignatureVerdict attestation(dev.custody.imageref.ImageReference image, TrustSpec s, AttestationKind kind) {
                return kind == AttestationKind.SBOM ? new SignatureVerdict(SignatureVerdict.Kind.UNSIGNED, digest, List.of(), "no SBOM")
                        : new SignatureVerdict(SignatureVerdict.Kind.STALE, digest, List.of("ci"), "scanned 9d ago");
            }
        };
        WorkloadDecision d = evaluate(set, lookup);
        assertThat(d.results()).filteredOn(r -> r.rule().equals("trust.release.sbom")).extracting(RuleResult::code)
                .containsExactly(ReasonCode.SBOM_ATTESTATION_MISSING);
        assertThat(d.results()).filteredOn(r -> r.rule().equals("trust.release.scan")).extracting(RuleResult::code)
                .containsExactly(ReasonCode.SCAN_ATTESTATION_STALE);
        assertThat(d.allowed()).isFalse();
        // without a lookup (custody check) both say they were not checked here, never pass
        WorkloadDecision unchecked = evaluate(set, null);
        assertThat(unchecked.results()).filteredOn(r -> r.rule().endsWith(".scan")).extracting(RuleResult::code)
                .containsExactly(ReasonCode.SCAN_ATTESTATION_NOT_CHECKED);
    }

    static final String FROM_SECRET = """
            - name: release
              images: [registry.example.com/shop/*]
              authorities:
                - {name: ci, key: 'k8s://custody-system/cosign-release'}
            """;

    @Test
    void aKeyMayComeFromAKubernetesSecretWhenTheParserCanReadThem() {
        PolicySet set = TrustRules.parser((ns, name, field) -> {
            assertThat(List.of(ns, name, field)).containsExactly("custody-system", "cosign-release", "cosign.pub");
            return KEY;
        }).load(Map.of("p.yaml", policy(FROM_SECRET)));
        TrustSpec spec = ((TrustRule) set.policies().get(0).rules().stream().filter(r -> r instanceof TrustRule).findFirst().orElseThrow()).spec();
        assertThat(spec.authorities().get(0).keyPem()).isEqualTo(KEY);
        // the same key inline gives the same rule id: verdicts are shared
        assertThat(spec.id()).isEqualTo(spec("""
                - name: release
                  images: [registry.example.com/shop/*]
                  authorities:
                    - name: ci
                      key: |
                """ + KEY.indent(8)).id());
        assertThatThrownBy(() -> new PolicyParser().load(Map.of("p.yaml", policy(FROM_SECRET))))
                .hasMessageContaining("spec.trust[0].authorities[0].key").hasMessageContaining("only custody serve connected to a cluster");
        assertThatThrownBy(() -> TrustRules.parser((ns, name, field) -> {
            throw new IllegalArgumentException("Secret custody-system/cosign-release does not exist");
        }).load(Map.of("p.yaml", policy(FROM_SECRET)))).hasMessageContaining("spec.trust[0].authorities[0].key")
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> TrustRules.parser((ns, name, field) -> "not a key").load(Map.of("p.yaml", policy(FROM_SECRET))))
                .hasMessageContaining("not a PEM public key");
        assertThatThrownBy(() -> TrustRules.parser((ns, name, field) -> KEY).load(Map.of("p.yaml",
                policy(FROM_SECRET.replace("k8s://custody-system/cosign-release", "k8s://Bad/../x"))))).hasMessageContaining("k8s://NAMESPACE/NAME");
    }

    @Test
    void aScanAgeThatIsNotADurationIsAnErrorAtItsField() {
        assertThatThrownBy(() -> new PolicyParser().load(Map.of("p.yaml", policy(RELEASE + "  scan: {maxAge: a week}\n")))).hasMessageContaining(
                "spec.trust[0].scan.maxAge").hasMessageContaining("\"a week\" is not a duration");
        assertThatThrownBy(() -> new PolicyParser().load(Map.of("p.yaml", policy(RELEASE + "  scan: {maxAge: 7d, max: 1}\n"))))
                .hasMessageContaining("max");
        assertThatThrownBy(() -> new PolicyParser().load(Map.of("p.yaml", policy(RELEASE + "  sbom: yes please\n"))))
                .hasMessageContaining("spec.trust[0].sbom");
    }

    private static TrustSpec spec(String trust) {
        PolicySet set = new PolicyParser().load(Map.of("p.yaml", policy(trust)));
        return ((TrustRule) set.policies().get(0).rules().stream().filter(r -> r instanceof TrustRule).findFirst().orElseThrow()).spec();
    }
}
