package dev.custody.policy.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.decision.Outcome;
import dev.custody.decision.ReasonCode;
import dev.custody.decision.RuleResult;
import dev.custody.decision.WorkloadDecision;
import dev.custody.engine.Engine;
import dev.custody.manifest.ManifestReader;
import dev.custody.policy.InvalidPolicyException;
import dev.custody.policy.PolicyParser;
import dev.custody.vuln.gate.ExceptionGrant;
import dev.custody.vuln.gate.GateFinding;
import dev.custody.vuln.gate.VulnEvidence;
import dev.custody.workload.Workload;
import dev.custody.workload.WorkloadExtractor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Who writes workloads, from which GitOps source, break-glass, and pinned charts: spec.delivery through the engine. */
class DeliveryRulesTest {

    static final String ARGO = "system:serviceaccount:argocd:argocd-application-controller";
    static final String FLUX = "system:serviceaccount:flux-system:kustomize-controller";
    static final long NOW = 1_796_000_000_000L;
    static final long HOUR = Duration.ofHours(1).toMillis();

    static final String POLICY = """
            apiVersion: custody.dev/v1alpha1
            kind: Policy
            metadata: {name: delivery}
            spec:
              tier: production
              images: {requireDigest: false, denyTags: false, allowedRegistries: false}
              delivery:
                writers: [%s, %s]
                sources:
                  - application: argocd/shop-*
                    repo: https://git.example.com/acme/deploy.git
                    path: apps/production/*
                  - kustomization: flux-system/apps
                  - helmRelease: shop/*
                charts: {allowed: {podinfo: "6.*"}}
                breakGlass: {maxLength: 4h}
            """.formatted(ARGO, FLUX);

    /** Stored evidence held in memory, holding break-glass grants: the interface the store-backed cache implements. */
    static final class Held implements VulnEvidence {
        final List<BreakGlassGrant> glass = new ArrayList<>();

        @Override
        public List<GateFinding> findings(String digest) {
            return null;
        }

        @Override
        public List<ExceptionGrant> exceptions(String digest) {
            return List.of();
        }

        @Override
        public List<BreakGlassGrant> breakGlass() {
            return glass;
        }

        @Override
        public long now() {
            return NOW;
        }
    }

    /** The cluster's GitOps resources as a map: the data the API server cache holds. */
    static final Map<Tracking.Ref, DeliverySources.Source> CLUSTER = new HashMap<>(Map.of(
            new Tracking.Ref(Tracking.Kind.APPLICATION, "argocd", "shop-api"),
            new DeliverySources.Source("https://git.example.com/acme/deploy", "apps/production/api", "main", null, null),
            new Tracking.Ref(Tracking.Kind.APPLICATION, "argocd", "shop-sandbox"),
            new DeliverySources.Source("https://git.example.com/someone/fork.git", "apps/production/api", "main", null, null),
            new Tracking.Ref(Tracking.Kind.HELM_RELEASE, "shop", "podinfo"),
            new DeliverySources.Source("https://charts.example.com", null, ">=6.0.0", "podinfo", ">=6.0.0"),
            new Tracking.Ref(Tracking.Kind.HELM_RELEASE, "shop", "pinned"),
            new DeliverySources.Source("https://charts.example.com", null, "6.5.1", "podinfo", "6.5.1")));

    static Workload deployment(String metadataExtra) {
        return WorkloadExtractor.extract(new ManifestReader().read("d.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: api
                  namespace: shop
                %s
                spec:
                  template:
                    spec:
                      containers:
                        - {name: app, image: registry.example.com/shop/api:1.0}
                """.formatted(metadataExtra.indent(2).stripTrailing()))).workloads().getFirst();
    }

    static JsonNode request(String user) {
        return new ObjectMapper().createObjectNode().put("operation", "CREATE").set("userInfo",
                new ObjectMapper().createObjectNode().put("username", user));
    }

    static List<RuleResult> judge(Workload w, String user, Held held) {
        WorkloadDecision d = new Engine(new PolicyParser().load(Map.of("p.yaml", POLICY))).evaluate(w, "shop", Map.of(),
                user == null ? null : request(user), null, null, held, null, CLUSTER::get);
        return d.results().stream().filter(r -> r.rule().startsWith("delivery.")).toList();
    }

    static ReasonCode code(List<RuleResult> rs, String rule) {
        return rs.stream().filter(r -> r.rule().equals(rule)).map(RuleResult::code).findFirst().orElse(null);
    }

    static final String ARGO_TRACKED = "annotations: {argocd.argoproj.io/tracking-id: \"shop-api:apps/Deployment:shop/api\"}";

    @Test
    void aHumanWritingAProductionDeploymentIsDeniedAndTheGitOpsControllerWithTrackingIsAdmitted() {
        List<RuleResult> human = judge(deployment(ARGO_TRACKED), "alice@example.com", new Held());
        assertThat(code(human, "delivery.writer")).isEqualTo(ReasonCode.DELIVERY_WRITER_UNAPPROVED);
        assertThat(human.stream().filter(r -> r.rule().equals("delivery.writer")).findFirst().orElseThrow().message())
                .contains("alice@example.com").contains("break-glass");
        assertThat(code(human, "delivery.source")).as("the writer's denial says it all").isNull();

        List<RuleResult> argo = judge(deployment(ARGO_TRACKED), ARGO, new Held());
        assertThat(code(argo, "delivery.writer")).isEqualTo(ReasonCode.DELIVERY_WRITER_OK);
        assertThat(code(argo, "delivery.source")).isEqualTo(ReasonCode.DELIVERY_SOURCE_OK);
        assertThat(argo).noneMatch(r -> r.outcome() == Outcome.FAIL);
    }

    @Test
    void theControllerMustSayWhereTheObjectCameFromAndItMustBeAnApprovedRepositoryAndPath() {
        assertThat(code(judge(deployment(""), ARGO, new Held()), "delivery.source")).isEqualTo(ReasonCode.DELIVERY_UNTRACKED);
        assertThat(code(judge(deployment("annotations: {argocd.argoproj.io/tracking-id: \"shop-api:apps/Deployment:shop/other\"}"), ARGO,
                new Held()), "delivery.source")).as("a tracking id copied from another object").isEqualTo(ReasonCode.DELIVERY_TRACKING_INVALID);
        List<RuleResult> fork = judge(deployment("annotations: {argocd.argoproj.io/tracking-id: \"shop-sandbox:apps/Deployment:shop/api\"}"),
                ARGO, new Held());
        assertThat(code(fork, "delivery.source")).isEqualTo(ReasonCode.DELIVERY_SOURCE_UNAPPROVED);
        assertThat(fork.stream().filter(r -> r.rule().equals("delivery.source")).findFirst().orElseThrow().message())
                .contains("someone/fork");
        assertThat(code(judge(deployment("annotations: {argocd.argoproj.io/tracking-id: \"shop-gone:apps/Deployment:shop/api\"}"), ARGO,
                new Held()), "delivery.source")).as("an Application the API server does not know fails closed")
                .isEqualTo(ReasonCode.DELIVERY_SOURCE_UNKNOWN);
        assertThat(code(judge(deployment("annotations: {argocd.argoproj.io/tracking-id: \"other:apps/Deployment:shop/api\"}"), ARGO,
                new Held()), "delivery.source")).isEqualTo(ReasonCode.DELIVERY_SOURCE_UNAPPROVED);
        assertThat(code(judge(deployment("labels: {kustomize.toolkit.fluxcd.io/name: apps, kustomize.toolkit.fluxcd.io/namespace: flux-system}"),
                FLUX, new Held()), "delivery.source")).isEqualTo(ReasonCode.DELIVERY_SOURCE_OK);
        assertThat(code(judge(deployment("labels: {kustomize.toolkit.fluxcd.io/name: apps}"), FLUX, new Held()), "delivery.source"))
                .isEqualTo(ReasonCode.DELIVERY_TRACKING_INVALID);
    }

    @Test
    void objectsOwnedByAnotherAreJudgedThroughTheirOwnerWhenAClusterControllerWritesThem() {
        String owned = "ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: api, uid: u1, controller: true}]";
        assertThat(code(judge(deployment(owned), "system:serviceaccount:kube-system:replicaset-controller", new Held()), "delivery.writer"))
                .isEqualTo(ReasonCode.DELIVERY_CONTROLLER_OWNED);
        assertThat(code(judge(deployment(owned), "mallory", new Held()), "delivery.writer"))
                .as("an owner reference written by a person proves nothing").isEqualTo(ReasonCode.DELIVERY_WRITER_UNAPPROVED);
    }

    @Test
    void aBreakGlassGrantAdmitsItsPersonInItsNamespaceUntilItExpires() {
        Held held = new Held();
        held.glass.add(new BreakGlassGrant("BG-1", "alice", "shop", "bob", NOW - HOUR, NOW + HOUR, "sev1 hotfix", NOW - 2 * HOUR));
        List<RuleResult> r = judge(deployment(""), "alice", held);
        assertThat(r).extracting(RuleResult::rule, RuleResult::outcome, RuleResult::code).contains(
                org.assertj.core.groups.Tuple.tuple("delivery.writer", Outcome.WARN, ReasonCode.DELIVERY_BREAK_GLASS));
        assertThat(code(r, "delivery.source")).as("no GitOps source to judge for a break-glass write").isNull();
        assertThat(code(judge(deployment(""), "carol", held), "delivery.writer")).isEqualTo(ReasonCode.DELIVERY_WRITER_UNAPPROVED);

        Held expired = new Held();
        expired.glass.add(new BreakGlassGrant("BG-2", "alice", "shop", "bob", NOW - 3 * HOUR, NOW - HOUR, "sev1 hotfix", NOW - 4 * HOUR));
        List<RuleResult> late = judge(deployment(""), "alice", expired);
        assertThat(code(late, "delivery.writer")).isEqualTo(ReasonCode.DELIVERY_WRITER_UNAPPROVED);
        assertThat(late.getFirst().message()).contains("BG-2").contains("expired");

        Held tooLong = new Held();
        tooLong.glass.add(new BreakGlassGrant("BG-3", "alice", "*", "bob", NOW - HOUR, NOW + 10 * HOUR, "a week of fixes", NOW - HOUR));
        List<RuleResult> longer = judge(deployment(""), "alice", tooLong);
        assertThat(code(longer, "delivery.writer")).isEqualTo(ReasonCode.DELIVERY_WRITER_UNAPPROVED);
        assertThat(longer.getFirst().message()).contains("BG-3").contains("maxLength");
    }

    @Test
    void chartsArePinnedAndAllowed() {
        assertThat(code(judge(deployment("labels: {helm.sh/chart: podinfo-6.5.1}"), ARGO, new Held()), "delivery.chart"))
                .isEqualTo(ReasonCode.DELIVERY_CHART_OK);
        assertThat(code(judge(deployment("labels: {helm.sh/chart: podinfo-5.0.0}"), ARGO, new Held()), "delivery.chart"))
                .isEqualTo(ReasonCode.DELIVERY_CHART_UNAPPROVED);
        assertThat(code(judge(deployment("labels: {helm.sh/chart: my-chart-1.2.3-rc.1_build.5}"), ARGO, new Held()), "delivery.chart"))
                .as("a chart name with dashes, a pre-release and build metadata").isEqualTo(ReasonCode.DELIVERY_CHART_UNAPPROVED);
        assertThat(DeliveryRules.splitChart("my-chart-1.2.3-rc.1_build.5")).containsExactly("my-chart", "1.2.3-rc.1_build.5");
        assertThat(code(judge(deployment("labels: {helm.sh/chart: podinfo}"), ARGO, new Held()), "delivery.chart"))
                .isEqualTo(ReasonCode.DELIVERY_CHART_UNPINNED);
        String range = "labels: {helm.toolkit.fluxcd.io/name: podinfo, helm.toolkit.fluxcd.io/namespace: shop}";
        assertThat(code(judge(deployment(range), FLUX, new Held()), "delivery.chart")).as("a HelmRelease asking for >=6.0.0")
                .isEqualTo(ReasonCode.DELIVERY_CHART_UNPINNED);
        String pinned = "labels: {helm.toolkit.fluxcd.io/name: pinned, helm.toolkit.fluxcd.io/namespace: shop}";
        assertThat(code(judge(deployment(pinned), FLUX, new Held()), "delivery.chart")).isEqualTo(ReasonCode.DELIVERY_CHART_OK);
        assertThat(code(judge(deployment(""), ARGO, new Held()), "delivery.chart")).isEqualTo(ReasonCode.DELIVERY_CHART_NONE);
    }

    @Test
    void outsideAdmissionTheWriterAndSourceAreNotKnownAndSaySo() {
        List<RuleResult> r = judge(deployment(ARGO_TRACKED + "\nlabels: {helm.sh/chart: podinfo-6.0.0}"), null, null);
        assertThat(code(r, "delivery.writer")).isEqualTo(ReasonCode.DELIVERY_NOT_IN_ADMISSION);
        assertThat(code(r, "delivery.source")).isEqualTo(ReasonCode.DELIVERY_NOT_IN_ADMISSION);
        assertThat(code(r, "delivery.chart")).as("the label is judged in CI too").isEqualTo(ReasonCode.DELIVERY_CHART_OK);
    }

    @Test
    void badSettingsAreNamedByField() {
        assertThatThrownBy(() -> new PolicyParser().load(Map.of("p.yaml", """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: bad}
                spec:
                  delivery:
                    writers: [x]
                    sources:
                      - {repo: https://git.example.com/a}
                      - {application: no-namespace}
                    breakGlass: {maxLength: forever}
                """))).isInstanceOf(InvalidPolicyException.class)
                .hasMessageContaining("spec.delivery.sources[0]").hasMessageContaining("spec.delivery.sources[1].application")
                .hasMessageContaining("spec.delivery.breakGlass.maxLength");
        assertThatThrownBy(() -> new PolicyParser().load(Map.of("p.yaml", """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: bad}
                spec:
                  delivery: {sources: [{application: argocd/x}]}
                """))).isInstanceOf(InvalidPolicyException.class).hasMessageContaining("needs writers");
    }
}
