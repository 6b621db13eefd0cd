package dev.custody.rbac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.manifest.Document;
import dev.custody.manifest.ManifestReader;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** RBAC rule matching as the API server's authorizer does it, aggregation, and the identity findings. */
public class RbacTest {

    static List<JsonNode> yaml(String text) {
        return new ManifestReader().read("rbac.yaml", text).stream().map(Document::root).toList();
    }

    public static final String OBJECTS = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: deployer, labels: {custody.dev/agg: ops}}
            rules:
              - {apiGroups: [apps], resources: [deployments, "*/scale"], verbs: [create, update, patch]}
              - {apiGroups: [""], resources: [configmaps], resourceNames: [app-config], verbs: [get]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: secrets-reader, labels: {custody.dev/agg: ops}}
            rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: ops}
            aggregationRule:
              clusterRoleSelectors: [{matchLabels: {custody.dev/agg: ops}}]
            rules: []
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: exec, namespace: prod}
            rules: [{apiGroups: [""], resources: [pods/exec], verbs: [create]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: builder-deploys, namespace: prod}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: deployer}
            subjects: [{kind: ServiceAccount, name: release, namespace: ci}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: app-is-ops}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ops}
            subjects: [{kind: ServiceAccount, name: app, namespace: shop}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: oncall-exec, namespace: prod}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: exec}
            subjects: [{kind: Group, name: oncall}, {kind: User, name: alice}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: dangling, namespace: prod}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: missing}
            subjects: [{kind: User, name: bob}]
            """;

    static final Rbac.User RELEASE = Rbac.User.serviceAccount("ci", "release");
    static final Rbac.User APP = Rbac.User.serviceAccount("shop", "app");

    @Test
    void rulesMatchAsTheAuthorizerMatchesThem() {
        Rbac rbac = Rbac.read(yaml(OBJECTS)).aggregated();
        assertThat(rbac.allows(RELEASE, "create", "apps", "deployments", "", "prod", "")).isTrue();
        assertThat(rbac.allows(RELEASE, "create", "apps", "deployments", "", "dev", "")).as("a RoleBinding grants in its namespace only").isFalse();
        assertThat(rbac.allows(RELEASE, "create", "apps", "deployments", "", "", "")).as("nor cluster-wide").isFalse();
        assertThat(rbac.allows(RELEASE, "delete", "apps", "deployments", "", "prod", "")).isFalse();
        assertThat(rbac.allows(RELEASE, "create", "", "deployments", "", "prod", "")).as("another API group").isFalse();
        assertThat(rbac.allows(RELEASE, "patch", "apps", "statefulsets", "scale", "prod", "")).as("*/scale").isTrue();
        assertThat(rbac.allows(RELEASE, "patch", "apps", "deployments", "status", "prod", "")).as("a subresource is not its resource").isFalse();
        assertThat(rbac.allows(RELEASE, "get", "", "configmaps", "", "prod", "app-config")).isTrue();
        assertThat(rbac.allows(RELEASE, "get", "", "configmaps", "", "prod", "other")).isFalse();
        assertThat(rbac.allows(RELEASE, "get", "", "configmaps", "", "prod", "")).as("resourceNames never match a request without a name").isFalse();
        // aggregation: ops holds deployer's and secrets-reader's rules, cluster-wide for app
        assertThat(rbac.allows(APP, "list", "", "secrets", "", "", "")).isTrue();
        assertThat(rbac.allows(APP, "create", "apps", "deployments", "", "anywhere", "")).isTrue();
        assertThat(Rbac.read(yaml(OBJECTS)).allows(APP, "list", "", "secrets", "", "", "")).as("not aggregated: as stored, no rules").isFalse();
        // groups and users; a binding to a missing role grants nothing
        Rbac.User oncall = new Rbac.User("carol", Set.of("oncall", "system:authenticated"));
        assertThat(rbac.allows(oncall, "create", "", "pods", "exec", "prod", "api-1")).isTrue();
        assertThat(rbac.allows(new Rbac.User("alice", Set.of()), "create", "", "pods", "exec", "prod", "")).isTrue();
        assertThat(rbac.allows(new Rbac.User("bob", Set.of()), "get", "", "pods", "", "prod", "")).isFalse();
        assertThat(rbac.allows(Rbac.User.serviceAccount("other", "release"), "create", "apps", "deployments", "", "prod", "")).isFalse();
    }

    @Test
    void theAnalysisFindsSigningDeployersWorkloadAccountsScannersAndHumans() {
        Rbac rbac = Rbac.read(yaml(OBJECTS + """
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: scanner-edit}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: deployer}
                subjects: [{kind: ServiceAccount, name: trivy, namespace: security}]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: binder}
                rules: [{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: app-binds}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: binder}
                subjects: [{kind: ServiceAccount, name: app, namespace: shop}]
                """)).aggregated();
        IdentityAnalysis.Actors actors = IdentityAnalysis.actors(yaml("""
                apiVersion: custody.dev/v1alpha1
                kind: Actors
                production: {namespaces: [prod]}
                actors:
                  - {name: release-builder, role: release-builder, kubernetes: [{kind: ServiceAccount, namespace: ci, name: release}],
                     signing: [{identity: "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main"}]}
                  - {name: trivy, role: scanner, kubernetes: [{kind: ServiceAccount, namespace: security, name: trivy}]}
                  - {name: alice, role: human, kubernetes: [{kind: User, name: alice}]}
                  - {name: argo, role: gitops, kubernetes: [{kind: ServiceAccount, namespace: argocd, name: argocd-application-controller}]}
                """).getFirst(), "actors.yaml");
        var result = new IdentityAnalysis(rbac, Map.of("prod", Map.of(), "shop", Map.of()),
                List.of(new IdentityAnalysis.WorkloadIdentity("shop", "Deployment", "api", "app")), actors).analyze();
        assertThat(result.findings()).extracting(IdentityAnalysis.Finding::code, IdentityAnalysis.Finding::subject).containsExactly(
                org.assertj.core.groups.Tuple.tuple("SIGN_AND_DEPLOY", "ServiceAccount:ci/release"),
                org.assertj.core.groups.Tuple.tuple("WORKLOAD_SA_ESCALATES", "ServiceAccount:shop/app"),
                org.assertj.core.groups.Tuple.tuple("SCANNER_MUTATES_WORKLOADS", "ServiceAccount:security/trivy"),
                org.assertj.core.groups.Tuple.tuple("WORKLOAD_SA_READS_SECRETS", "ServiceAccount:shop/app"),
                org.assertj.core.groups.Tuple.tuple("WORKLOAD_SA_WRITES_WORKLOADS", "ServiceAccount:shop/app"));
        var sign = result.findings().getFirst();
        assertThat(sign.permissions()).contains("create deployments.apps in prod (RoleBinding prod/builder-deploys to ClusterRole deployer)");
        assertThat(result.findings()).noneMatch(f -> f.code().equals("HUMAN_WRITES_PRODUCTION")).as("alice may exec, not write");
        assertThat(result.findings().get(1).permissions()).contains("bind clusterroles.rbac.authorization.k8s.io cluster-wide (ClusterRoleBinding app-binds to ClusterRole binder)");
        assertThat(IdentityAnalysis.dot(result.graph())).contains("\"actor:release-builder\" -> \"ServiceAccount:ci/release\" [label=\"acts as\"]")
                .contains("\"workload:shop/Deployment/api\" -> \"ServiceAccount:shop/app\"");
    }

    @Test
    void anActorsFileWithAnUnknownRoleOrAServiceAccountWithoutNamespaceIsRefusedByField() {
        assertThatThrownBy(() -> IdentityAnalysis.actors(yaml("kind: Actors\nactors: [{name: x, role: admin}]\n").getFirst(), "a.yaml"))
                .hasMessage("a.yaml: actors[0].role: must be one of pr-ci, release-builder, scanner, promotion, gitops, human, found \"admin\"");
        assertThatThrownBy(() -> IdentityAnalysis.actors(yaml("kind: Actors\nactors: [{name: x, role: human, kubernetes: [{kind: ServiceAccount, name: a}]}]\n")
                .getFirst(), "a.yaml")).hasMessage("a.yaml: actors[0].kubernetes[0].namespace: required for a ServiceAccount");
        assertThatThrownBy(() -> Rbac.read(yaml("kind: RoleBinding\nmetadata: {name: b, namespace: x}\nroleRef: {kind: Group, name: g}\n")))
                .hasMessage("RoleBinding x/b: roleRef.kind must be Role or ClusterRole, found \"Group\"");
    }
}
