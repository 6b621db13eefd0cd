package dev.custody.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.policy.LabelSelector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Identity separation: who can sign or push release artifacts and also deploy to production, which workload
 * ServiceAccounts can write workloads, read Secrets cluster-wide, exec into pods or escalate, whether the scanner can
 * mutate workloads, and which humans can write production workloads outside the GitOps controller. Reads RBAC
 * ({@link Rbac}), the ServiceAccounts workloads run as, namespace labels, and the actors file; answers with findings
 * (reason code, severity, subject, the permissions that decided it) and the identity graph. Pure: no I/O.
 */
public final class IdentityAnalysis {

    public enum Severity {
        CRITICAL, HIGH, MEDIUM, LOW;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Severity parse(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT));
        }
    }

    /** One finding. {@code permissions} say what was allowed, where, and by which binding and role. */
    public record Finding(String code, Severity severity, String subject, List<String> permissions, String message) {}

    public record Node(String id, String kind, String label) {}

    public record Edge(String from, String to, String label) {}

    public record Graph(List<Node> nodes, List<Edge> edges) {}

    public record Result(List<Finding> findings, Graph graph) {}

    /** A CI/CD actor of the actors file: its role in the pipeline, its Kubernetes identities, what it signs and pushes. */
    public record Actor(String name, String role, List<Rbac.Subject> kubernetes, List<String> signing, List<String> pushes) {}

    /** The actors file: actors, and which namespaces are production (by name or by label selector). */
    public record Actors(List<Actor> actors, Set<String> productionNamespaces, LabelSelector productionSelector) {
        public static final Actors NONE = new Actors(List.of(), Set.of(), DEFAULT_PRODUCTION);
    }

    /** Namespaces labelled {@code custody.dev/tier} production or regulated are production unless the actors file says otherwise. */
    public static final LabelSelector DEFAULT_PRODUCTION = new LabelSelector(Map.of(), List.of(new LabelSelector.Requirement("custody.dev/tier",
            LabelSelector.Operator.IN, List.of("production", "regulated"))));

    public static final List<String> ROLES = List.of("pr-ci", "release-builder", "scanner", "promotion", "gitops", "human");

    /** A workload running as a ServiceAccount. */
    public record WorkloadIdentity(String namespace, String kind, String name, String serviceAccount) {}

    /** The kinds that carry pods: writing any of them runs code. */
    static final List<String[]> WORKLOAD_RESOURCES = List.of(new String[] {"", "pods"}, new String[] {"apps", "deployments"},
            new String[] {"apps", "replicasets"}, new String[] {"apps", "statefulsets"}, new String[] {"apps", "daemonsets"},
            new String[] {"batch", "jobs"}, new String[] {"batch", "cronjobs"}, new String[] {"", "replicationcontrollers"});
    static final List<String> WRITE_VERBS = List.of("create", "update", "patch");

    private final Rbac rbac;
    private final Map<String, Map<String, String>> namespaces;
    private final List<WorkloadIdentity> workloads;
    private final Actors actors;

    /**
     * @param namespaces every known namespace with its labels (bindings' and workloads' namespaces are added)
     */
    public IdentityAnalysis(Rbac rbac, Map<String, Map<String, String>> namespaces, List<WorkloadIdentity> workloads, Actors actors) {
        this.rbac = rbac;
        Map<String, Map<String, String>> ns = new TreeMap<>(namespaces);
        rbac.bindings().stream().filter(b -> !b.namespace().isEmpty()).forEach(b -> ns.putIfAbsent(b.namespace(), Map.of()));
        workloads.forEach(w -> ns.putIfAbsent(w.namespace(), Map.of()));
        actors.productionNamespaces().forEach(n -> ns.putIfAbsent(n, Map.of()));
        this.namespaces = ns;
        this.workloads = List.copyOf(workloads);
        this.actors = actors;
    }

    public boolean production(String namespace) {
        return actors.productionNamespaces().contains(namespace) || actors.productionSelector().matches(namespaces.getOrDefault(namespace, Map.of()));
    }

    /** The workload-writing permissions of a user in {@code namespaces} (and cluster-wide), each as text with its grant. */
    List<String> workloadWrites(Rbac.User u, boolean productionOnly) {
        List<String> out = new ArrayList<>();
        for (String ns : namespaces.keySet()) {
            if (productionOnly && !production(ns)) {
                continue;
            }
            for (String[] res : WORKLOAD_RESOURCES) {
                for (String verb : WRITE_VERBS) {
                    Rbac.Binding b = rbac.grant(u, verb, res[0], res[1], "", ns, "");
                    if (b != null) {
                        out.add(verb + " " + resource(res[0], res[1]) + " in " + ns + " (" + via(b) + ")");
                        break;
                    }
                }
            }
        }
        return out;
    }

    List<String> mutations(Rbac.User u) {
        List<String> out = new ArrayList<>();
        for (String ns : namespaces.keySet()) {
            for (String[] res : WORKLOAD_RESOURCES) {
                for (String verb : List.of("create", "update", "patch", "delete")) {
                    Rbac.Binding b = rbac.grant(u, verb, res[0], res[1], "", ns, "");
                    if (b != null) {
                        out.add(verb + " " + resource(res[0], res[1]) + " in " + ns + " (" + via(b) + ")");
                        break;
                    }
                }
            }
        }
        return out;
    }

    List<String> clusterSecretReads(Rbac.User u) {
        List<String> out = new ArrayList<>();
        for (String verb : List.of("get", "list", "watch")) {
            Rbac.Binding b = rbac.grant(u, verb, "", "secrets", "", "", "");
            if (b != null) {
                out.add(verb + " secrets in every namespace (" + via(b) + ")");
            }
        }
        return out;
    }

    List<String> execs(Rbac.User u) {
        List<String> out = new ArrayList<>();
        Rbac.Binding everywhere = rbac.grant(u, "create", "", "pods", "exec", "", "");
        if (everywhere != null) {
            out.add("create pods/exec in every namespace (" + via(everywhere) + ")");
            return out;
        }
        for (String ns : namespaces.keySet()) {
            Rbac.Binding b = rbac.grant(u, "create", "", "pods", "exec", ns, "");
            if (b != null) {
                out.add("create pods/exec in " + ns + " (" + via(b) + ")");
            }
        }
        return out;
    }

    List<String> escalations(Rbac.User u) {
        List<String> out = new ArrayList<>();
        List<String> scopes = new ArrayList<>(List.of(""));
        scopes.addAll(namespaces.keySet());
        for (String ns : scopes) {
            String where = ns.isEmpty() ? "cluster-wide" : "in " + ns;
            for (String[] check : new String[][] {{"escalate", "rbac.authorization.k8s.io", "roles", ""}, {"escalate", "rbac.authorization.k8s.io",
                    "clusterroles", ""}, {"bind", "rbac.authorization.k8s.io", "roles", ""}, {"bind", "rbac.authorization.k8s.io", "clusterroles", ""},
                    {"impersonate", "", "users", ""}, {"impersonate", "", "groups", ""}, {"impersonate", "", "serviceaccounts", ""},
                    {"create", "", "serviceaccounts", "token"}, {"create", "rbac.authorization.k8s.io", "clusterrolebindings", ""},
                    {"create", "rbac.authorization.k8s.io", "rolebindings", ""}}) {
                if (!ns.isEmpty() && (check[2].equals("users") || check[2].equals("groups") || check[2].startsWith("cluster"))) {
                    continue; // cluster-scoped resources are granted cluster-wide only
                }
                Rbac.Binding b = rbac.grant(u, check[0], check[1], check[2], check[3], ns, "");
                if (b != null) {
                    out.add(check[0] + " " + resource(check[1], check[2]) + (check[3].isEmpty() ? "" : "/" + check[3]) + " " + where + " (" + via(b) + ")");
                }
            }
            if (!out.isEmpty() && ns.isEmpty()) {
                break; // cluster-wide already says it
            }
        }
        return out;
    }

    public Result analyze() {
        List<Finding> findings = new ArrayList<>();
        Set<String> actorSubjects = new LinkedHashSet<>();
        for (Actor a : actors.actors()) {
            for (Rbac.Subject s : a.kubernetes()) {
                actorSubjects.add(s.id());
                Rbac.User u = Rbac.User.of(s);
                boolean releases = !a.signing().isEmpty() || !a.pushes().isEmpty();
                if (releases) {
                    List<String> p = workloadWrites(u, true);
                    if (!p.isEmpty()) {
                        findings.add(new Finding("SIGN_AND_DEPLOY", Severity.CRITICAL, s.id(), p, "actor " + a.name() + " (" + a.role() + ") "
                                + (a.signing().isEmpty() ? "pushes release images" : "signs release artifacts") + " and, as " + s.id()
                                + ", can also deploy to production: one stolen identity moves untrusted code to production"));
                    }
                }
                if (a.role().equals("scanner")) {
                    List<String> p = mutations(u);
                    if (!p.isEmpty()) {
                        findings.add(new Finding("SCANNER_MUTATES_WORKLOADS", Severity.HIGH, s.id(), p, "the scanner " + a.name() + " (" + s.id()
                                + ") can change workloads; a scanner needs read access only"));
                    }
                }
                if (a.role().equals("human")) {
                    List<String> p = workloadWrites(u, true);
                    if (!p.isEmpty()) {
                        findings.add(new Finding("HUMAN_WRITES_PRODUCTION", Severity.HIGH, s.id(), p, a.name() + " (" + s.id()
                                + ") can write production workloads directly, outside the GitOps controller; give humans a time-limited break-glass grant instead"));
                    }
                }
            }
        }
        Map<String, List<WorkloadIdentity>> bySa = new TreeMap<>();
        for (WorkloadIdentity w : workloads) {
            bySa.computeIfAbsent(w.namespace() + "/" + w.serviceAccount(), k -> new ArrayList<>()).add(w);
        }
        for (var e : bySa.entrySet()) {
            WorkloadIdentity first = e.getValue().getFirst();
            Rbac.Subject s = new Rbac.Subject("ServiceAccount", first.serviceAccount(), first.namespace());
            Rbac.User u = Rbac.User.serviceAccount(first.namespace(), first.serviceAccount());
            String runs = e.getValue().size() == 1 ? first.kind() + " " + first.namespace() + "/" + first.name()
                    : e.getValue().size() + " workloads (" + first.kind() + " " + first.namespace() + "/" + first.name() + ", ...)";
            List<String> esc = escalations(u);
            if (!esc.isEmpty()) {
                findings.add(new Finding("WORKLOAD_SA_ESCALATES", Severity.CRITICAL, s.id(), esc, "the ServiceAccount of " + runs
                        + " can grant itself more (escalate, bind, impersonate or mint tokens): a compromised pod owns the cluster"));
            }
            List<String> writes = workloadWrites(u, false);
            if (!writes.isEmpty()) {
                findings.add(new Finding("WORKLOAD_SA_WRITES_WORKLOADS", Severity.HIGH, s.id(), writes, "the ServiceAccount of " + runs
                        + " can create or change workloads: a compromised pod can start any image"));
            }
            List<String> secrets = clusterSecretReads(u);
            if (!secrets.isEmpty()) {
                findings.add(new Finding("WORKLOAD_SA_READS_SECRETS", Severity.HIGH, s.id(), secrets, "the ServiceAccount of " + runs
                        + " can read Secrets in every namespace"));
            }
            List<String> exec = execs(u);
            if (!exec.isEmpty()) {
                findings.add(new Finding("WORKLOAD_SA_EXEC", Severity.HIGH, s.id(), exec, "the ServiceAccount of " + runs
                        + " can exec into pods, and so act as any of their ServiceAccounts"));
            }
        }
        findings.sort(java.util.Comparator.comparing((Finding f) -> f.severity().ordinal()).thenComparing(Finding::code).thenComparing(Finding::subject));
        return new Result(List.copyOf(findings), graph());
    }

    /** Actors, subjects, roles and workloads, with who is bound to what where, who runs as whom, and which actor is which subject. */
    Graph graph() {
        Map<String, Node> nodes = new LinkedHashMap<>();
        List<Edge> edges = new ArrayList<>();
        for (Actor a : actors.actors()) {
            nodes.putIfAbsent("actor:" + a.name(), new Node("actor:" + a.name(), "actor", a.name() + " (" + a.role() + ")"));
            for (Rbac.Subject s : a.kubernetes()) {
                nodes.putIfAbsent(s.id(), new Node(s.id(), s.kind(), s.id()));
                edges.add(new Edge("actor:" + a.name(), s.id(), "acts as"));
            }
            for (String sig : a.signing()) {
                String id = "signer:" + sig;
                nodes.putIfAbsent(id, new Node(id, "signer", sig));
                edges.add(new Edge("actor:" + a.name(), id, "signs as"));
            }
        }
        for (Rbac.Binding b : rbac.bindings()) {
            Rbac.Role role = rbac.role(b);
            String roleId = b.roleKind() + ":" + (b.roleKind().equals("Role") ? b.namespace() + "/" : "") + b.roleName();
            nodes.putIfAbsent(roleId, new Node(roleId, b.roleKind(), roleId + (role == null ? " (missing)" : "")));
            for (Rbac.Subject s : b.subjects()) {
                nodes.putIfAbsent(s.id(), new Node(s.id(), s.kind(), s.id()));
                edges.add(new Edge(s.id(), roleId, (b.namespace().isEmpty() ? "cluster-wide" : "in " + b.namespace()) + " by " + b.kind() + " " + b.name()));
            }
        }
        for (WorkloadIdentity w : workloads) {
            String id = "workload:" + w.namespace() + "/" + w.kind() + "/" + w.name();
            String sa = "ServiceAccount:" + w.namespace() + "/" + w.serviceAccount();
            nodes.putIfAbsent(id, new Node(id, "workload", w.kind() + " " + w.namespace() + "/" + w.name()));
            nodes.putIfAbsent(sa, new Node(sa, "ServiceAccount", sa));
            edges.add(new Edge(id, sa, "runs as"));
        }
        return new Graph(List.copyOf(nodes.values()), List.copyOf(edges));
    }

    /** The graph in Graphviz DOT. */
    public static String dot(Graph g) {
        StringBuilder b = new StringBuilder("digraph identities {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n");
        for (Node n : g.nodes()) {
            String shape = switch (n.kind()) {
                case "actor" -> "ellipse";
                case "Role", "ClusterRole" -> "note";
                case "workload" -> "component";
                default -> "box";
            };
            b.append("  \"").append(esc(n.id())).append("\" [label=\"").append(esc(n.label())).append("\", shape=").append(shape).append("];\n");
        }
        for (Edge e : g.edges()) {
            b.append("  \"").append(esc(e.from())).append("\" -> \"").append(esc(e.to())).append("\" [label=\"").append(esc(e.label())).append("\"];\n");
        }
        return b.append("}\n").toString();
    }

    private static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static String resource(String group, String resource) {
        return group.isEmpty() ? resource : resource + "." + group;
    }

    private String via(Rbac.Binding b) {
        return b.kind() + " " + (b.namespace().isEmpty() ? "" : b.namespace() + "/") + b.name() + " to " + b.roleKind() + " " + b.roleName();
    }

    /** Reads the actors file (kind Actors); throws InvalidRbacException naming the field that is wrong. */
    public static Actors actors(JsonNode doc, String file) {
        if (doc == null || !doc.isObject()) {
            throw new Rbac.InvalidRbacException(file + ": not a mapping");
        }
        if (!doc.path("kind").asText("Actors").equals("Actors")) {
            throw new Rbac.InvalidRbacException(file + ": kind must be Actors, found \"" + doc.path("kind").asText() + "\"");
        }
        List<Actor> out = new ArrayList<>();
        JsonNode list = doc.path("actors");
        for (int i = 0; i < list.size(); i++) {
            JsonNode a = list.get(i);
            String at = file + ": actors[" + i + "]";
            String name = a.path("name").asText("");
            if (name.isEmpty()) {
                throw new Rbac.InvalidRbacException(at + ".name: required");
            }
            String role = a.path("role").asText("");
            if (!ROLES.contains(role)) {
                throw new Rbac.InvalidRbacException(at + ".role: must be one of " + String.join(", ", ROLES) + ", found \"" + role + "\"");
            }
            List<Rbac.Subject> subjects = new ArrayList<>();
            JsonNode ks = a.path("kubernetes");
            for (int k = 0; k < ks.size(); k++) {
                JsonNode s = ks.get(k);
                String kind = s.path("kind").asText("");
                if (!List.of("User", "Group", "ServiceAccount").contains(kind)) {
                    throw new Rbac.InvalidRbacException(at + ".kubernetes[" + k + "].kind: must be User, Group or ServiceAccount, found \"" + kind + "\"");
                }
                if (kind.equals("ServiceAccount") && s.path("namespace").asText("").isEmpty()) {
                    throw new Rbac.InvalidRbacException(at + ".kubernetes[" + k + "].namespace: required for a ServiceAccount");
                }
                subjects.add(new Rbac.Subject(kind, s.path("name").asText(""), s.path("namespace").asText("")));
            }
            List<String> signing = new ArrayList<>();
            for (JsonNode s : a.path("signing")) {
                signing.add(s.isTextual() ? s.asText() : s.path("identity").asText(s.path("subject").asText("")) + (s.has("issuer") ? " (" + s.path("issuer").asText() + ")" : ""));
            }
            List<String> pushes = new ArrayList<>();
            a.path("pushes").forEach(p -> pushes.add(p.asText()));
            out.add(new Actor(name, role, List.copyOf(subjects), List.copyOf(signing), List.copyOf(pushes)));
        }
        Set<String> prod = new TreeSet<>();
        doc.path("production").path("namespaces").forEach(n -> prod.add(n.asText()));
        LabelSelector sel = DEFAULT_PRODUCTION;
        JsonNode ml = doc.path("production").path("selector").path("matchLabels");
        if (ml.isObject()) {
            Map<String, String> m = new LinkedHashMap<>();
            ml.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
            sel = new LabelSelector(m, List.of());
        }
        return new Actors(List.copyOf(out), Set.copyOf(prod), sel);
    }
}
