package dev.custody.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.decision.Action;
import dev.custody.manifest.Document;
import dev.custody.manifest.FieldPath;
import dev.custody.manifest.InputLimits;
import dev.custody.manifest.ManifestException;
import dev.custody.manifest.ManifestReader;
import dev.custody.manifest.Position;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code custody.dev/v1alpha1} Policy resources into compiled {@link Policy} objects. Validation is
 * strict (unknown fields are errors) and complete (every error of every file is reported in one pass).
 */
public final class PolicyParser {

    public static final String API_VERSION = "custody.dev/v1alpha1";
    public static final String KIND = "Policy";

    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Set<String> ROOT = Set.of("apiVersion", "kind", "metadata", "spec");
    private static final Set<String> METADATA = Set.of("name", "namespace", "labels", "annotations");
    private static final Set<String> NAMESPACES = Set.of("include", "exclude", "selector");
    private static final Set<String> SELECTOR = Set.of("matchLabels", "matchExpressions");
    private static final Set<String> EXPRESSION = Set.of("key", "operator", "values");
    private static final List<String> TIERS = List.of("dev", "staging", "production", "regulated");

    private final List<RuleFamily> sections;

    /** The rule families registered with {@link java.util.ServiceLoader}, in their {@link RuleFamily#order()}. */
    public static List<RuleFamily> registered() {
        List<RuleFamily> out = new ArrayList<>();
        java.util.ServiceLoader.load(RuleFamily.class, PolicyParser.class.getClassLoader()).forEach(out::add);
        if (out.isEmpty()) {
            throw new IllegalStateException("no rule family is registered (META-INF/services/" + RuleFamily.class.getName()
                    + " is missing from the build)");
        }
        return out;
    }

    /** A parser with exactly these rule families (in their order); tests and {@code TrustRules.parser} use it. */
    public PolicyParser(List<RuleFamily> families) {
        List<RuleFamily> all = new ArrayList<>(families);
        all.sort(java.util.Comparator.comparingInt(RuleFamily::order));
        Set<String> fields = new java.util.HashSet<>();
        for (RuleFamily f : all) {
            if (!fields.add(f.field())) {
                throw new IllegalArgumentException("two rule families read spec." + f.field());
            }
        }
        this.sections = List.copyOf(all);
    }

    /** A parser with every registered rule family. */
    public PolicyParser() {
        this(registered());
    }

    /** Loads a set of policy sources (name and text) and validates them together. */
    public PolicySet load(Map<String, String> sources) {
        List<PolicyError> errors = new ArrayList<>();
        List<Policy> policies = new ArrayList<>();
        ManifestReader reader = new ManifestReader(InputLimits.POLICY);
        for (var e : sources.entrySet()) {
            List<Document> docs;
            try {
                docs = reader.read(e.getKey(), e.getValue());
            } catch (ManifestException ex) {
                errors.add(new PolicyError(ex.position(), "", ex.getMessage()));
                continue;
            }
            int found = 0;
            for (Document d : docs) {
                if (d.root() == null || d.root().isNull()) {
                    continue;
                }
                found++;
                Policy p = parse(d, errors);
                if (p != null) {
                    policies.add(p);
                }
            }
            if (found == 0) {
                errors.add(new PolicyError(new Position(e.getKey(), 1, 0), "",
                        "no policy in this file; expected apiVersion: " + API_VERSION + ", kind: " + KIND));
            }
        }
        Map<String, Policy> byName = new HashMap<>();
        for (Policy p : policies) {
            Policy prev = byName.putIfAbsent(p.name(), p);
            if (prev != null) {
                errors.add(new PolicyError(p.origin(), "metadata.name",
                        "policy name \"" + p.name() + "\" is already defined at " + prev.origin()));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidPolicyException(errors);
        }
        return new PolicySet(policies);
    }

    /** Parses one document; returns null (with errors added) when it is invalid. */
    public Policy parse(Document doc, List<PolicyError> errors) {
        int before = errors.size();
        FieldPath root = FieldPath.root();
        Fields top = Fields.of(doc, errors, doc.root(), root, ROOT);
        if (top == null) {
            return null;
        }
        String apiVersion = top.string("apiVersion", true);
        String kind = top.string("kind", true);
        if (apiVersion != null && !apiVersion.equals(API_VERSION)) {
            top.error(root.child("apiVersion"), "must be " + API_VERSION + ", found \"" + apiVersion + "\"");
        }
        if (kind != null && !kind.equals(KIND)) {
            top.error(root.child("kind"), "must be " + KIND + ", found \"" + kind + "\"");
        }
        if (errors.size() > before) {
            return null;
        }
        Fields metadata = top.object("metadata", METADATA);
        String name = null;
        if (metadata == null) {
            top.error(root.child("metadata"), "required field is missing");
        } else {
            name = metadata.string("name", true);
            if (name != null && (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches())) {
                metadata.error(root.child("metadata").child("name"),
                        "\"" + name + "\" is not a valid name (lowercase letters, digits, '-' and '.', at most 253 characters)");
            }
            metadata.stringMap("labels");
            metadata.stringMap("annotations");
        }
        Set<String> specFields = new java.util.HashSet<>(Set.of("tier", "action", "namespaces"));
        sections.forEach(s -> specFields.add(s.field()));
        if (!top.has("spec")) {
            top.error(root.child("spec"), "required field is missing");
            return null;
        }
        Fields spec = top.object("spec", specFields);
        if (spec == null) {
            return null;
        }
        String tierText = spec.string("tier", true);
        Tier tier = Tier.PRODUCTION;
        if (tierText != null) {
            if (!TIERS.contains(tierText)) {
                spec.error(spec.path().child("tier"), "must be one of " + String.join(", ", TIERS) + ", found \"" + tierText + "\"");
            } else {
                tier = Tier.valueOf(tierText.toUpperCase());
            }
        }
        Action action = Action.parse(spec.choice("action", RuleSettings.ACTIONS, "enforce"));
        NamespaceMatch namespaces = namespaces(spec);
        List<Rule> rules = new ArrayList<>();
        for (RuleFamily s : sections) {
            rules.addAll(s.read(spec, tier, action));
        }
        if (errors.size() > before) {
            return null;
        }
        return new Policy(name, doc.start(), tier, namespaces, action, List.copyOf(rules), digest(doc.root()));
    }

    private static NamespaceMatch namespaces(Fields spec) {
        Fields ns = spec.object("namespaces", NAMESPACES);
        if (ns == null) {
            return NamespaceMatch.ALL;
        }
        List<Glob> include = ns.strings("include").stream().map(Glob::of).toList();
        List<Glob> exclude = ns.strings("exclude").stream().map(Glob::of).toList();
        LabelSelector selector = LabelSelector.EVERYTHING;
        Fields sel = ns.object("selector", SELECTOR);
        if (sel != null) {
            Map<String, String> matchLabels = sel.stringMap("matchLabels");
            List<LabelSelector.Requirement> reqs = new ArrayList<>();
            JsonNode exprs = sel.raw("matchExpressions");
            FieldPath exprPath = sel.path().child("matchExpressions");
            if (exprs != null && !exprs.isNull()) {
                if (!exprs.isArray()) {
                    sel.error(exprPath, "must be a list, found " + Fields.kind(exprs));
                } else {
                    for (int i = 0; i < exprs.size(); i++) {
                        Fields e = Fields.of(spec.document(), spec.errors(), exprs.get(i), exprPath.index(i), EXPRESSION);
                        if (e == null) {
                            continue;
                        }
                        String key = e.string("key", true);
                        String opText = e.string("operator", true);
                        List<String> values = e.strings("values");
                        LabelSelector.Operator op = opText == null ? null : LabelSelector.Operator.parse(opText);
                        if (opText != null && op == null) {
                            e.error(exprPath.index(i).child("operator"), "must be one of In, NotIn, Exists, DoesNotExist, found \"" + opText + "\"");
                        }
                        if (op == LabelSelector.Operator.IN || op == LabelSelector.Operator.NOT_IN) {
                            if (values.isEmpty()) {
                                e.error(exprPath.index(i).child("values"), "must not be empty for operator " + opText);
                            }
                        } else if (op != null && !values.isEmpty()) {
                            e.error(exprPath.index(i).child("values"), "must be empty for operator " + opText);
                        }
                        if (key != null && op != null) {
                            reqs.add(new LabelSelector.Requirement(key, op, values));
                        }
                    }
                }
            }
            selector = new LabelSelector(matchLabels, List.copyOf(reqs));
        }
        return new NamespaceMatch(include, exclude, selector);
    }

    private static String digest(JsonNode root) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(root.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
