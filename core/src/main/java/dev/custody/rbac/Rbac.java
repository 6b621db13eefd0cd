package dev.custody.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.policy.LabelSelector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kubernetes RBAC as the API server's authorizer applies it: Roles, ClusterRoles, RoleBindings and
 * ClusterRoleBindings read from objects (files or a cluster), and {@link #allows} answering a request of a user as a
 * SubjectAccessReview would. ClusterRoles with an {@code aggregationRule} get the rules of the ClusterRoles their
 * selectors match, as the controller manager fills them in ({@link #aggregated}); read from a cluster where that
 * controller runs, their stored rules already are the aggregate. Immutable once built; no I/O.
 */
public final class Rbac {

    /** One rule of a role. Empty lists match nothing; {@code *} matches anything in its list. */
    public record Rule(List<String> verbs, List<String> apiGroups, List<String> resources, List<String> resourceNames, List<String> nonResourceURLs) {

        /** Whether the rule allows a resource request ({@code subresource} empty for none, {@code name} empty for none). */
        public boolean allows(String verb, String group, String resource, String subresource, String name) {
            if (!has(verbs, verb) || !has(apiGroups, group)) {
                return false;
            }
            String combined = subresource.isEmpty() ? resource : resource + "/" + subresource;
            boolean resourceOk = false;
            for (String r : resources) {
                // as the API server's authorizer: all, exact resource/subresource, or */subresource (no resource/*)
                if (r.equals("*") || r.equals(combined) || (!subresource.isEmpty() && r.equals("*/" + subresource))) {
                    resourceOk = true;
                    break;
                }
            }
            if (!resourceOk) {
                return false;
            }
            return resourceNames.isEmpty() || (!name.isEmpty() && resourceNames.contains(name));
        }

        private static boolean has(List<String> list, String v) {
            return list.contains("*") || list.contains(v);
        }
    }

    /** A Role (namespace set) or ClusterRole (namespace empty). */
    public record Role(String kind, String namespace, String name, Map<String, String> labels, List<Rule> rules, List<LabelSelector> aggregation) {}

    /** A subject of a binding: kind User, Group or ServiceAccount. */
    public record Subject(String kind, String name, String namespace) {
        public String id() {
            return kind.equals("ServiceAccount") ? "ServiceAccount:" + namespace + "/" + name : kind + ":" + name;
        }
    }

    /** A RoleBinding (namespace set) or ClusterRoleBinding (namespace empty). */
    public record Binding(String kind, String namespace, String name, String roleKind, String roleName, List<Subject> subjects) {}

    /** Who asks: a user name and its groups, as authentication gives them. */
    public record User(String name, Set<String> groups) {

        /** A ServiceAccount's user, with the groups the API server gives every ServiceAccount. */
        public static User serviceAccount(String namespace, String name) {
            return new User("system:serviceaccount:" + namespace + ":" + name,
                    Set.of("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated"));
        }

        /** The user a binding subject names (a Group subject stands for any member of the group). */
        public static User of(Subject s) {
            return switch (s.kind()) {
                case "ServiceAccount" -> serviceAccount(s.namespace(), s.name());
                case "Group" -> new User("", Set.of(s.name(), "system:authenticated"));
                default -> new User(s.name(), Set.of("system:authenticated"));
            };
        }
    }

    /** Why an analysis file cannot be used: the object and the field. */
    public static final class InvalidRbacException extends RuntimeException {
        public InvalidRbacException(String message) {
            super(message);
        }
    }

    private final Map<String, Role> clusterRoles;
    private final Map<String, Role> roles; // namespace/name
    private final List<Binding> bindings;

    public Rbac(List<Role> roles, List<Binding> bindings) {
        Map<String, Role> cr = new LinkedHashMap<>();
        Map<String, Role> r = new LinkedHashMap<>();
        for (Role role : roles) {
            if (role.kind().equals("ClusterRole")) {
                cr.put(role.name(), role);
            } else {
                r.put(role.namespace() + "/" + role.name(), role);
            }
        }
        this.clusterRoles = Map.copyOf(cr);
        this.roles = Map.copyOf(r);
        this.bindings = List.copyOf(bindings);
    }

    /** The RBAC objects among {@code objects} (others are skipped; a List's items are read). */
    public static Rbac read(List<JsonNode> objects) {
        List<Role> roles = new ArrayList<>();
        List<Binding> bindings = new ArrayList<>();
        for (JsonNode o : objects) {
            collect(o, roles, bindings);
        }
        return new Rbac(roles, bindings);
    }

    private static void collect(JsonNode o, List<Role> roles, List<Binding> bindings) {
        if (o == null || !o.isObject()) {
            return;
        }
        String kind = o.path("kind").asText("");
        if (kind.endsWith("List") && o.path("items").isArray()) {
            for (JsonNode item : o.path("items")) {
                collect(item, roles, bindings);
            }
            return;
        }
        String where = kind + " " + o.path("metadata").path("namespace").asText("") + "/" + o.path("metadata").path("name").asText("");
        switch (kind) {
            case "Role", "ClusterRole" -> {
                List<Rule> rules = new ArrayList<>();
                JsonNode rs = o.path("rules");
                for (int i = 0; i < rs.size(); i++) {
                    JsonNode r = rs.get(i);
                    rules.add(new Rule(strings(r, "verbs"), strings(r, "apiGroups"), strings(r, "resources"), strings(r, "resourceNames"),
                            strings(r, "nonResourceURLs")));
                }
                List<LabelSelector> agg = new ArrayList<>();
                for (JsonNode sel : o.path("aggregationRule").path("clusterRoleSelectors")) {
                    agg.add(selector(sel, where));
                }
                roles.add(new Role(kind, kind.equals("Role") ? o.path("metadata").path("namespace").asText("default") : "",
                        name(o, where), labels(o.path("metadata").path("labels")), List.copyOf(rules), List.copyOf(agg)));
            }
            case "RoleBinding", "ClusterRoleBinding" -> {
                JsonNode ref = o.path("roleRef");
                String refKind = ref.path("kind").asText("");
                if (!refKind.equals("Role") && !refKind.equals("ClusterRole")) {
                    throw new InvalidRbacException(where + ": roleRef.kind must be Role or ClusterRole, found \"" + refKind + "\"");
                }
                String ns = kind.equals("RoleBinding") ? o.path("metadata").path("namespace").asText("default") : "";
                List<Subject> subjects = new ArrayList<>();
                for (JsonNode s : o.path("subjects")) {
                    String sk = s.path("kind").asText("");
                    String sn = s.path("name").asText("");
                    String sns = s.path("namespace").asText(sk.equals("ServiceAccount") ? ns : "");
                    subjects.add(new Subject(sk, sn, sns));
                }
                bindings.add(new Binding(kind, ns, name(o, where), refKind, ref.path("name").asText(""), List.copyOf(subjects)));
            }
            default -> { }
        }
    }

    /** As the clusterrole-aggregation controller fills them in: each aggregated ClusterRole's rules, the union of the matched roles'. */
    public Rbac aggregated() {
        List<Role> out = new ArrayList<>(roles.values());
        for (Role r : clusterRoles.values()) {
            if (r.aggregation().isEmpty()) {
                out.add(r);
                continue;
            }
            Set<Rule> rules = new LinkedHashSet<>();
            for (Role other : clusterRoles.values()) {
                if (other == r) {
                    continue;
                }
                for (LabelSelector sel : r.aggregation()) {
                    if (sel.matches(other.labels())) {
                        rules.addAll(other.rules());
                        break;
                    }
                }
            }
            out.add(new Role(r.kind(), r.namespace(), r.name(), r.labels(), List.copyOf(rules), r.aggregation()));
        }
        return new Rbac(out, bindings);
    }

    public List<Binding> bindings() {
        return bindings;
    }

    public java.util.Collection<Role> clusterRoles() {
        return clusterRoles.values();
    }

    public java.util.Collection<Role> roles() {
        return roles.values();
    }

    /** The role a binding refers to, or null when it does not exist (a binding to a missing role grants nothing). */
    public Role role(Binding b) {
        return b.roleKind().equals("ClusterRole") ? clusterRoles.get(b.roleName()) : roles.get(b.namespace() + "/" + b.roleName());
    }

    /** Whether a binding's subjects include the user. */
    public static boolean binds(Binding b, User u) {
        for (Subject s : b.subjects()) {
            switch (s.kind()) {
                case "User" -> {
                    if (!u.name().isEmpty() && s.name().equals(u.name())) {
                        return true;
                    }
                }
                case "Group" -> {
                    if (u.groups().contains(s.name())) {
                        return true;
                    }
                }
                case "ServiceAccount" -> {
                    if (!u.name().isEmpty() && u.name().equals("system:serviceaccount:" + s.namespace() + ":" + s.name())) {
                        return true;
                    }
                }
                default -> { }
            }
        }
        return false;
    }

    /**
     * Whether the user may make a resource request: in {@code namespace} (empty: a cluster-scoped request, or one
     * across all namespaces, which only ClusterRoleBindings grant).
     */
    public boolean allows(User u, String verb, String group, String resource, String subresource, String namespace, String name) {
        return grant(u, verb, group, resource, subresource, namespace, name) != null;
    }

    /** The binding that allows the request, or null. */
    public Binding grant(User u, String verb, String group, String resource, String subresource, String namespace, String name) {
        for (Binding b : bindings) {
            if (b.kind().equals("RoleBinding") && !b.namespace().equals(namespace)) {
                continue;
            }
            if (!binds(b, u)) {
                continue;
            }
            Role role = role(b);
            if (role == null) {
                continue;
            }
            for (Rule r : role.rules()) {
                if (r.allows(verb, group, resource, subresource, name)) {
                    return b;
                }
            }
        }
        return null;
    }

    private static String name(JsonNode o, String where) {
        String n = o.path("metadata").path("name").asText("");
        if (n.isEmpty()) {
            throw new InvalidRbacException(where + ": metadata.name is required");
        }
        return n;
    }

    private static List<String> strings(JsonNode n, String field) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : n.path(field)) {
            out.add(v.asText());
        }
        return List.copyOf(out);
    }

    private static Map<String, String> labels(JsonNode n) {
        Map<String, String> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return Map.copyOf(out);
    }

    private static LabelSelector selector(JsonNode sel, String where) {
        List<LabelSelector.Requirement> reqs = new ArrayList<>();
        for (JsonNode e : sel.path("matchExpressions")) {
            LabelSelector.Operator op = LabelSelector.Operator.parse(e.path("operator").asText(""));
            if (op == null) {
                throw new InvalidRbacException(where + ": aggregationRule matchExpressions operator \"" + e.path("operator").asText("") + "\" is not In, NotIn, Exists or DoesNotExist");
            }
            reqs.add(new LabelSelector.Requirement(e.path("key").asText(""), op, strings(e, "values")));
        }
        return new LabelSelector(labels(sel.path("matchLabels")), List.copyOf(reqs));
    }
}
