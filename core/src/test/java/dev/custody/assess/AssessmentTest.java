package dev.custody.assess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.policy.PolicyParser;
import dev.custody.policy.PolicySet;
import dev.custody.rbac.IdentityAnalysis;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Levels, gate and questions from facts built here; the real cluster and store feed them in AssessE2ETest. */
class AssessmentTest {

    static final long NOW = 1_796_000_000_000L;
    static final long DAY = 86_400_000L;
    static final String D1 = "sha256:" + "a1".repeat(32);
    static final String D2 = "sha256:" + "b2".repeat(32);

    static final String LEVEL2 = """
            apiVersion: custody.dev/v1alpha1
            kind: Policy
            metadata: {name: prod}
            spec:
              tier: production
              action: enforce
              namespaces: {selector: {matchLabels: {custody.dev/tier: production}}}
              images:
                allowedRegistries: {registries: [registry.example.com]}
            """;
    static final String TRUST = """
              trust:
                - name: release
                  images: [registry.example.com/*]
                  authorities:
                    - name: ci
                      keyless: {identity: https://ci.example.com/release, issuer: https://issuer.example.com}
                  provenance: {builders: [https://ci.example.com/*]}
                  sbom: true
            """;
    static final String GATE = """
              vulnerabilities: {}
              delivery:
                writers: [system:serviceaccount:argocd:argocd-application-controller]
            """;

    static PolicySet policies(String yaml) {
        return new PolicyParser().load(Map.of("policies.yaml", yaml));
    }

    static Facts.Cluster cluster(Set<String> covered, String failurePolicy, String actors, List<IdentityAnalysis.Finding> findings) {
        return new Facts.Cluster("test", Map.of("prod", Map.of("custody.dev/tier", "production"), "dev", Map.of("custody.dev/tier", "dev")),
                List.of(new Facts.Webhook("custody", "validate.custody.dev", failurePolicy, Set.of("pods", "deployments"), covered)),
                new Facts.Identities(actors, Set.of("gitops-controller", "release-builder"), findings));
    }

    static Facts.Container container(String pod, String digest, UnaryOperator<Facts.Container> change) {
        return change.apply(new Facts.Container("c1", "prod", pod, "Deployment/api", "app", "registry.example.com/shop/api", digest, true, false, false,
                false, Set.of(), List.of(), List.of()));
    }

    static Facts.Container with(Facts.Container c, boolean signed, boolean provenance, boolean sbom) {
        return new Facts.Container(c.cluster(), c.namespace(), c.pod(), c.workload(), c.container(), c.image(), c.digest(), c.admitted(), signed,
                provenance, sbom, c.promotedTo(), c.denylisted(), c.critical());
    }

    static Facts.Stored stored(List<Facts.Container> containers, List<Facts.ExceptionFact> exceptions) {
        return new Facts.Stored("test.db", List.of(new Facts.ClusterSeen("c1", true, "synced", containers.size(), NOW)),
                Map.of("c1", Map.of("prod", Map.of("custody.dev/tier", "production"))), containers, new Facts.Decisions(12, 14, NOW - 1000),
                new Facts.Chain(14, List.of()), exceptions, List.of(), List.of(), List.of());
    }

    static Assessment.Item criterion(Assessment.Report r, String id) {
        return r.levels().stream().flatMap(l -> l.criteria().stream()).filter(i -> i.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void aPlatformThatPinsAndRecordsButSignsNothingIsAtLevelTwoAndTheReportSaysWhatLevelThreeLacks() {
        Facts f = new Facts(policies(LEVEL2), cluster(Set.of("prod", "dev"), "Fail", null, List.of()),
                stored(List.of(container("api-1", D1, c -> c), container("api-2", D1, c -> c)), List.of()), NOW);
        Assessment.Report r = Assessment.assess(f);
        assertThat(r.level()).isEqualTo(2);
        assertThat(r.production()).containsExactly("prod");
        assertThat(r.levels().get(2).status()).isEqualTo(Assessment.Status.FAIL);
        assertThat(criterion(r, "trust.signature").missing()).containsExactly("no policy governing prod has an enforced trust rule (trust.<name>)");
        assertThat(criterion(r, "runtime.signed").missing()).hasSize(2).allMatch(m -> m.contains("no verified signature"));
        assertThat(criterion(r, "images.digest").evidence().getFirst()).contains("policy prod (policies.yaml:").contains("images.requireDigest (enforce) in prod");
        assertThat(r.gate()).hasSize(16);
        assertThat(r.questions()).hasSize(11).extracting(Assessment.Question::number).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        assertThat(r.questions().getFirst().answer()).isEqualTo("2 containers in 2 pods run 1 digest in namespaces prod of clusters c1");
    }

    @Test
    void signedAttestedAndSbomCoveredIsLevelFourUntilTheGateAndIdentitiesAreThere() {
        List<Facts.Container> running = List.of(container("api-1", D1, c -> with(c, true, true, true)), container("api-2", D2, c -> with(c, true, true, true)));
        Facts four = new Facts(policies(LEVEL2 + TRUST), cluster(Set.of("prod"), "Fail", null, List.of()), stored(running, List.of()), NOW);
        Assessment.Report r = Assessment.assess(four);
        assertThat(r.level()).isEqualTo(4);
        assertThat(criterion(r, "identities.separated").status()).isEqualTo(Assessment.Status.UNKNOWN);
        assertThat(criterion(r, "vulnerabilities.gate").status()).isEqualTo(Assessment.Status.FAIL);

        // the gate, an actors file with a clean analysis, delivery writers: level 5
        Facts five = new Facts(policies(LEVEL2 + TRUST + GATE), cluster(Set.of("prod"), "Fail", "actors.yaml", List.of()), stored(running, List.of(
                new Facts.ExceptionFact("EX-1", false, "active", "CVE-2024-1", "team", "alice", "bob", NOW - DAY, NOW + 30 * DAY))), NOW);
        Assessment.Report r5 = Assessment.assess(five);
        assertThat(r5.level()).as(r5.levels().get(4).toString()).isEqualTo(5);
        assertThat(r5.levels().get(5).criteria()).extracting(Assessment.Item::id)
                .containsExactly("trust.promotion", "runtime.promoted", "reevaluation.current", "runtime.notDenylisted");

        // a finding of the identity analysis takes it back to four, naming the identity
        Facts leaky = new Facts(five.policies(), cluster(Set.of("prod"), "Fail", "actors.yaml", List.of(new IdentityAnalysis.Finding("SIGN_AND_DEPLOY",
                IdentityAnalysis.Severity.CRITICAL, "ServiceAccount ci/release", List.of("create deployments in prod"), "signs and deploys"))),
                five.store(), NOW);
        Assessment.Report r4 = Assessment.assess(leaky);
        assertThat(r4.level()).isEqualTo(4);
        assertThat(criterion(r4, "identities.separated").missing()).containsExactly("critical SIGN_AND_DEPLOY ServiceAccount ci/release: signs and deploys");
        assertThat(r4.questions().get(6).status()).isEqualTo(Assessment.Status.FAIL);
    }

    @Test
    void unknownIsNotAPass() {
        Facts noCluster = new Facts(policies(LEVEL2), null, stored(List.of(container("api-1", D1, c -> c)), List.of()), NOW);
        Assessment.Report r = Assessment.assess(noCluster);
        assertThat(r.level()).isZero();
        assertThat(r.levels().getFirst().status()).isEqualTo(Assessment.Status.UNKNOWN);
        assertThat(criterion(r, "admission.webhook").missing().getFirst()).contains("--kubeconfig");
        // production is then read from the inventory's namespace labels
        assertThat(r.production()).containsExactly("prod");
        assertThat(r.productionFrom()).isEqualTo("the runtime inventory");

        // an empty inventory shows nothing about what runs
        Facts empty = new Facts(policies(LEVEL2), cluster(Set.of("prod"), "Fail", null, List.of()), stored(List.of(), List.of()), NOW);
        assertThat(criterion(Assessment.assess(empty), "runtime.admitted").status()).isEqualTo(Assessment.Status.UNKNOWN);
    }

    @Test
    void aWebhookThatFailsOpenOrSkipsAProductionNamespaceIsNamed() {
        Facts open = new Facts(policies(LEVEL2), cluster(Set.of("prod"), "Ignore", null, List.of()), stored(List.of(container("a", D1, c -> c)), List.of()), NOW);
        assertThat(criterion(Assessment.assess(open), "admission.webhook").missing())
                .contains("webhook validate.custody.dev fails open (failurePolicy Ignore)");
        Facts skipped = new Facts(policies(LEVEL2), cluster(Set.of("dev"), "Fail", null, List.of()), stored(List.of(container("a", D1, c -> c)), List.of()), NOW);
        assertThat(criterion(Assessment.assess(skipped), "admission.webhook").missing())
                .containsExactly("production namespaces no fail-closed webhook reviews: prod");
    }

    @Test
    void aRuleThatOnlyWarnsMustEnforceAndAnExceptionMustBeBounded() {
        Facts f = new Facts(policies(LEVEL2.replace("action: enforce", "action: warn") + GATE), cluster(Set.of("prod"), "Fail", null, List.of()),
                stored(List.of(container("a", D1, c -> c)), List.of(
                        new Facts.ExceptionFact("EX-2", false, "active", "CVE-2024-2", "team", "alice", "bob", NOW - DAY, NOW + 200 * DAY),
                        new Facts.ExceptionFact("EX-3", false, "pending", "CVE-2024-3", "team", "alice", null, NOW - DAY, NOW + DAY))), NOW);
        Assessment.Report r = Assessment.assess(f);
        assertThat(criterion(r, "images.registries").missing()).singleElement().asString().endsWith("(warn) in prod: it must enforce");
        assertThat(criterion(r, "exceptions.accountable").missing()).containsExactly("EX-2 (CVE-2024-2) runs 201 days, more than 90");
        assertThat(criterion(r, "exceptions.accountable").evidence().getFirst()).isEqualTo("1 active, 1 pending");
    }

    @Test
    void criticalVulnerabilitiesAndDenylistedDigestsThatRunAreListed() {
        List<Facts.Container> running = new ArrayList<>();
        running.add(new Facts.Container("c1", "prod", "pay-1", "Deployment/pay", "app", "registry.example.com/shop/pay", D2, true, true, true, true,
                Set.of("staging"), List.of("DL-1"), List.of("CVE-2023-26119 in pkg:maven/net.sourceforge.htmlunit/htmlunit@2.37.0")));
        running.add(container("api-1", D1, c -> new Facts.Container(c.cluster(), c.namespace(), c.pod(), c.workload(), c.container(), c.image(),
                c.digest(), true, true, true, false, Set.of(), List.of(), null)));
        Facts f = new Facts(policies(LEVEL2 + GATE), cluster(Set.of("prod"), "Fail", null, List.of()), stored(running, List.of()), NOW);
        Assessment.Report r = Assessment.assess(f);
        Assessment.Item vulns = criterion(r, "runtime.vulnerabilities");
        assertThat(vulns.status()).isEqualTo(Assessment.Status.FAIL);
        assertThat(vulns.missing()).contains("registry.example.com/shop/pay (" + D2 + ") runs in c1/prod/pay-1 (app) with "
                + "CVE-2023-26119 in pkg:maven/net.sourceforge.htmlunit/htmlunit@2.37.0");
        assertThat(vulns.missing()).anyMatch(m -> m.startsWith("registry.example.com/shop/api (" + D1 + "): no SBOM is known"));
        assertThat(criterion(r, "runtime.notDenylisted").missing()).singleElement().asString().contains("pay-1").contains("denylist");
        assertThat(r.questions().get(4).status()).isEqualTo(Assessment.Status.FAIL);
    }

    @Test
    void withoutNamespacesThePoliciesThatGovernEveryNamespaceCount() {
        String all = """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: registries}
                spec:
                  tier: dev
                  action: enforce
                  namespaces: {exclude: [kube-system]}
                  images: {allowedRegistries: {registries: [registry.example.com]}}
                """;
        Assessment.Report r = Assessment.assess(new Facts(policies(all), null, null, NOW));
        assertThat(criterion(r, "images.registries").status()).isEqualTo(Assessment.Status.PASS);
        assertThat(criterion(r, "images.registries").evidence().getFirst()).contains("no production namespace is known");
        assertThat(criterion(r, "decisions.recorded").missing()).containsExactly("no store was read (--store)");
    }
}
