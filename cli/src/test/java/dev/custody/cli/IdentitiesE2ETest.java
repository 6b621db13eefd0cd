package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.rbac.Rbac;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The identity analysis against the real authorizer: kube-apiserver and etcd (scripts/kube) with
 * kube-controller-manager running only its clusterrole-aggregation controller, a generated set of Roles and
 * ClusterRoles (wildcards, subresources, resourceNames, aggregation) and bindings to users, groups and
 * ServiceAccounts applied with kubectl; then, for thousands of (subject, verb, resource, namespace, name) requests,
 * the analyzer's answer (read from the cluster, and read from the generated files with the aggregation computed here)
 * must be the SubjectAccessReview's. Skipped without CUSTODY_KUBE_BIN or without kube-controller-manager built.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdentitiesE2ETest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> NAMESPACES = List.of("team-a", "team-b", "prod");
    static final List<String> VERBS = List.of("get", "list", "watch", "create", "update", "patch", "delete", "escalate", "bind", "impersonate", "*");
    static final List<String> GROUPS = List.of("", "apps", "batch", "rbac.authorization.k8s.io", "*");
    static final List<String> RESOURCES = List.of("pods", "pods/exec", "pods/log", "deployments", "deployments/scale", "*/scale", "secrets", "configmaps",
            "roles", "clusterroles", "serviceaccounts", "serviceaccounts/token", "jobs", "*");
    static final List<String> USERS = List.of("u0", "u1", "u2", "u3");
    static final List<String> TEAMS = List.of("g-dev", "g-ops");
    static final List<String[]> ACCOUNTS = List.of(new String[] {"team-a", "sa0"}, new String[] {"team-b", "sa1"}, new String[] {"prod", "deployer"});

    Path dir;
    Path kubeconfig;
    Process kcm;
    KubernetesClient client;
    Path generated;
    int aggregatedRoles;

    @BeforeAll
    void start() throws Exception {
        String bin = System.getenv("CUSTODY_KUBE_BIN");
        assumeTrue(bin != null && Files.isExecutable(Path.of(bin, "kube-apiserver")), "CUSTODY_KUBE_BIN is not set; scripts/test.sh builds and sets it");
        assumeTrue(Files.isExecutable(Path.of(bin, "kube-controller-manager")),
                "kube-controller-manager is not built; scripts/test.sh runs scripts/kube/build-controller-manager.sh");
        dir = Files.createTempDirectory("custody-identities");
        KubeApiServerE2ETest.Run started = KubeApiServerE2ETest.run(List.of("bash", CheckCommandTest.ROOT.resolve("scripts/kube/start.sh").toString(),
                dir.toString()), null, 180);
        assertThat(started.exit()).as("start.sh: " + started.err()).isZero();
        kubeconfig = dir.resolve("kubeconfig");
        kcm = new ProcessBuilder(Path.of(bin, "kube-controller-manager").toString(), "--kubeconfig=" + kubeconfig, "--controllers=clusterrole-aggregation",
                "--leader-elect=false", "--secure-port=0", "--use-service-account-credentials=false")
                .redirectErrorStream(true).redirectOutput(dir.resolve("kube-controller-manager.log").toFile()).start();
        client = dev.custody.inventory.Clusters.fromKubeconfig(kubeconfig, List.of(), 15_000).getFirst().client();
        generated = dir.resolve("rbac.yaml");
        Files.writeString(generated, generate(new Random(20261207)));
        KubeApiServerE2ETest.Run applied = KubeApiServerE2ETest.run(List.of(Path.of(bin, "kubectl").toString(), "--kubeconfig", kubeconfig.toString(),
                "apply", "-f", generated.toString()), null, 120);
        assertThat(applied.exit()).as(applied.err()).isZero();
        // the aggregation controller fills the aggregated roles' rules in, asynchronously
        Rbac expected = IdentitiesCommand.fromFiles(List.of(generated.toString()), new dev.custody.manifest.ManifestReader(),
                new java.io.PrintWriter(System.err)).rbac();
        long until = System.currentTimeMillis() + 60_000;
        while (true) {
            Rbac live = IdentitiesCommand.fromCluster(kubeconfig).rbac();
            int filled = 0;
            for (Rbac.Role r : expected.clusterRoles()) {
                if (r.aggregation().isEmpty()) {
                    continue;
                }
                Rbac.Role l = live.clusterRoles().stream().filter(x -> x.name().equals(r.name())).findFirst().orElse(null);
                if (l != null && Set.copyOf(l.rules()).equals(Set.copyOf(r.rules()))) {
                    filled++;
                }
            }
            aggregatedRoles = filled;
            if (filled == 4 || System.currentTimeMillis() > until) {
                break;
            }
            Thread.sleep(300);
        }
        assertThat(aggregatedRoles).as("the controller aggregated the four roles as computed here: " + Files.readString(dir.resolve("kube-controller-manager.log")))
                .isEqualTo(4);
    }

    @AfterAll
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (kcm != null) {
            kcm.destroy();
            kcm.waitFor();
        }
        if (dir != null) {
            KubeApiServerE2ETest.run(List.of("bash", CheckCommandTest.ROOT.resolve("scripts/kube/stop.sh").toString(), dir.toString()), null, 60);
        }
    }

    static <T> List<T> some(Random r, List<T> from, int max) {
        List<T> copy = new ArrayList<>(from);
        java.util.Collections.shuffle(copy, r);
        return List.copyOf(copy.subList(0, 1 + r.nextInt(max)));
    }

    static String list(List<String> l) {
        return l.stream().map(s -> "\"" + s + "\"").collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    }

    static String rules(Random r) {
        StringBuilder b = new StringBuilder("rules:\n");
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            b.append("  - apiGroups: ").append(list(some(r, GROUPS, 2))).append("\n    resources: ").append(list(some(r, RESOURCES, 3)))
                    .append("\n    verbs: ").append(list(some(r, VERBS, 3))).append('\n');
            if (r.nextInt(5) == 0) {
                b.append("    resourceNames: ").append(list(some(r, List.of("alpha", "beta"), 2))).append('\n');
            }
        }
        return b.toString();
    }

    static String subjects(Random r) {
        StringBuilder b = new StringBuilder("subjects:\n");
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(3)) {
                case 0 -> b.append("  - {kind: User, apiGroup: rbac.authorization.k8s.io, name: ").append(USERS.get(r.nextInt(USERS.size()))).append("}\n");
                case 1 -> b.append("  - {kind: Group, apiGroup: rbac.authorization.k8s.io, name: ").append(TEAMS.get(r.nextInt(TEAMS.size()))).append("}\n");
                default -> {
                    String[] sa = ACCOUNTS.get(r.nextInt(ACCOUNTS.size()));
                    b.append("  - {kind: ServiceAccount, name: ").append(sa[1]).append(", namespace: ").append(sa[0]).append("}\n");
                }
            }
        }
        return b.toString();
    }

    /** 24 ClusterRoles (16 labelled for aggregation into 4), 18 Roles, 40 RoleBindings and 12 ClusterRoleBindings. */
    static String generate(Random r) {
        StringBuilder y = new StringBuilder();
        for (String ns : NAMESPACES) {
            y.append("apiVersion: v1\nkind: Namespace\nmetadata: {name: ").append(ns).append("}\n---\n");
        }
        for (int i = 0; i < 20; i++) {
            y.append("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: gen-cr-").append(i).append('\n');
            if (i < 16) {
                y.append("  labels: {gen.custody.dev/agg: g").append(i % 4).append("}\n");
            }
            y.append(rules(r)).append("---\n");
        }
        for (int g = 0; g < 4; g++) {
            y.append("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: gen-agg-").append(g).append("}\n")
                    .append("aggregationRule:\n  clusterRoleSelectors:\n  - matchLabels: {gen.custody.dev/agg: g").append(g).append("}\nrules: []\n---\n");
        }
        for (int i = 0; i < 18; i++) {
            y.append("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: gen-role-").append(i).append(", namespace: ")
                    .append(NAMESPACES.get(i % NAMESPACES.size())).append("}\n").append(rules(r)).append("---\n");
        }
        for (int i = 0; i < 40; i++) {
            String ns = NAMESPACES.get(r.nextInt(NAMESPACES.size()));
            boolean toRole = r.nextBoolean();
            String role;
            if (toRole) {
                List<Integer> here = new ArrayList<>();
                for (int k = 0; k < 18; k++) {
                    if (NAMESPACES.get(k % NAMESPACES.size()).equals(ns)) {
                        here.add(k);
                    }
                }
                role = "{apiGroup: rbac.authorization.k8s.io, kind: Role, name: gen-role-" + here.get(r.nextInt(here.size())) + "}";
            } else {
                role = "{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: " + (r.nextInt(3) == 0 ? "gen-agg-" + r.nextInt(4) : "gen-cr-" + r.nextInt(20)) + "}";
            }
            y.append("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: gen-rb-").append(i).append(", namespace: ").append(ns)
                    .append("}\nroleRef: ").append(role).append('\n').append(subjects(r)).append("---\n");
        }
        for (int i = 0; i < 12; i++) {
            String role = r.nextInt(3) == 0 ? "gen-agg-" + r.nextInt(4) : "gen-cr-" + r.nextInt(20);
            y.append("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: gen-crb-").append(i).append("}\nroleRef: ")
                    .append("{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ").append(role).append("}\n").append(subjects(r)).append("---\n");
        }
        return y.toString();
    }

    record Ask(Rbac.User user, String verb, String group, String resource, String subresource, String namespace, String name) {}

    boolean review(Ask a) {
        SubjectAccessReview sar = new SubjectAccessReviewBuilder().withNewSpec().withUser(a.user().name()).withGroups(List.copyOf(a.user().groups()))
                .withNewResourceAttributes().withVerb(a.verb()).withGroup(a.group()).withResource(a.resource()).withSubresource(a.subresource())
                .withNamespace(a.namespace()).withName(a.name()).endResourceAttributes().endSpec().build();
        return client.authorization().v1().subjectAccessReview().create(sar).getStatus().getAllowed();
    }

    @Test
    void everyAnswerOfTheAnalyzerIsTheSubjectAccessReviewsOverThousandsOfGeneratedRequests() throws Exception {
        Rbac live = IdentitiesCommand.fromCluster(kubeconfig).rbac();
        Rbac files = IdentitiesCommand.fromFiles(List.of(generated.toString()), new dev.custody.manifest.ManifestReader(),
                new java.io.PrintWriter(System.err)).rbac();
        Random r = new Random(7);
        List<Rbac.User> users = new ArrayList<>();
        for (String u : USERS) {
            users.add(new Rbac.User(u, Set.of("system:authenticated")));
            users.add(new Rbac.User(u, Set.of("system:authenticated", TEAMS.get(r.nextInt(TEAMS.size())))));
        }
        for (String[] sa : ACCOUNTS) {
            users.add(Rbac.User.serviceAccount(sa[0], sa[1]));
        }
        List<String> verbs = List.of("get", "list", "watch", "create", "update", "patch", "delete", "escalate", "bind", "impersonate", "deletecollection");
        List<String[]> resources = List.of(new String[] {"", "pods", ""}, new String[] {"", "pods", "exec"}, new String[] {"", "pods", "log"},
                new String[] {"apps", "deployments", ""}, new String[] {"apps", "deployments", "scale"}, new String[] {"apps", "statefulsets", "scale"},
                new String[] {"", "secrets", ""}, new String[] {"", "configmaps", ""}, new String[] {"rbac.authorization.k8s.io", "roles", ""},
                new String[] {"rbac.authorization.k8s.io", "clusterroles", ""}, new String[] {"", "serviceaccounts", "token"},
                new String[] {"batch", "jobs", ""}, new String[] {"batch", "cronjobs", ""}, new String[] {"apps", "deployments", "status"});
        List<String> scopes = new ArrayList<>(NAMESPACES);
        scopes.add("");
        scopes.add("elsewhere");
        List<Ask> asks = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            String[] res = resources.get(r.nextInt(resources.size()));
            asks.add(new Ask(users.get(r.nextInt(users.size())), verbs.get(r.nextInt(verbs.size())), res[0], res[1], res[2],
                    scopes.get(r.nextInt(scopes.size())), r.nextInt(4) == 0 ? List.of("alpha", "beta", "gamma").get(r.nextInt(3)) : ""));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Boolean>> answers = new ArrayList<>();
        for (Ask a : asks) {
            answers.add(pool.submit(() -> review(a)));
        }
        List<String> disagree = new ArrayList<>();
        int allowed = 0;
        for (int i = 0; i < asks.size(); i++) {
            Ask a = asks.get(i);
            boolean server = answers.get(i).get();
            allowed += server ? 1 : 0;
            boolean fromCluster = live.allows(a.user(), a.verb(), a.group(), a.resource(), a.subresource(), a.namespace(), a.name());
            boolean fromFiles = files.allows(a.user(), a.verb(), a.group(), a.resource(), a.subresource(), a.namespace(), a.name());
            if (server != fromCluster || server != fromFiles) {
                disagree.add(a + ": server " + server + ", from the cluster " + fromCluster + ", from the files " + fromFiles);
            }
        }
        pool.shutdown();
        System.out.printf("identities: %d SubjectAccessReviews, %d allowed, %d disagreements%n", asks.size(), allowed, disagree.size());
        assertThat(allowed).as("the generated roles allow a fair share, so agreement is not all denials").isBetween(300, 2700);
        assertThat(disagree).isEmpty();
    }

    @Test
    void theCommandReadsTheClusterAndAnActorsFileAndFailsOnItsFindings() throws Exception {
        Path actors = dir.resolve("actors.yaml");
        Files.writeString(actors, """
                apiVersion: custody.dev/v1alpha1
                kind: Actors
                production: {namespaces: [prod]}
                actors:
                  - name: release
                    role: release-builder
                    kubernetes: [{kind: ServiceAccount, namespace: prod, name: deployer}]
                    signing: ["https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main"]
                """);
        CliResult r = CliResult.run("identities", "analyze", "--kubeconfig", kubeconfig.toString(), "--actors", actors.toString(), "-o", "json",
                "--fail-on", "none");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode out = JSON.readTree(r.out());
        assertThat(out.path("graph").path("nodes").size()).isGreaterThan(10);
        for (JsonNode f : out.path("findings")) {
            assertThat(f.fieldNames()).toIterable().contains("code", "severity", "subject", "permissions", "message");
        }
        // what the analyzer claims for the release builder, the real authorizer confirms
        Rbac live = IdentitiesCommand.fromCluster(kubeconfig).rbac();
        boolean deploys = live.allows(Rbac.User.serviceAccount("prod", "deployer"), "create", "apps", "deployments", "", "prod", "");
        Set<String> codes = new TreeSet<>(out.path("findings").findValuesAsText("code"));
        assertThat(codes.contains("SIGN_AND_DEPLOY")).isEqualTo(deploys);
        CliResult failing = CliResult.run("identities", "analyze", "--kubeconfig", kubeconfig.toString(), "--actors", actors.toString());
        assertThat(failing.code()).isEqualTo(out.path("findings").size() > 0 ? ExitCodes.DENIED : ExitCodes.OK);
        CliResult dot = CliResult.run("identities", "analyze", generated.toString(), "-o", "dot", "--fail-on", "none");
        assertThat(dot.out()).startsWith("digraph identities {").contains("cluster-wide by ClusterRoleBinding gen-crb-0").contains("in prod by RoleBinding");
    }
}
