package dev.custody.policy.identity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.decision.Action;
import dev.custody.decision.ReasonCode;
import dev.custody.manifest.FieldPath;
import dev.custody.policy.Fields;
import dev.custody.policy.Glob;
import dev.custody.policy.ResultSink;
import dev.custody.policy.Rule;
import dev.custody.policy.RuleFamily;
import dev.custody.policy.RuleSettings;
import dev.custody.policy.Tier;
import dev.custody.workload.Workload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code spec.ownership} section: labels and annotations that say who owns a workload and its namespace.
 * Each entry is a key (any value) or a key with a glob its value must match.
 *
 * <pre>
 * ownership:
 *   workloadLabels: [team, owner]
 *   workloadAnnotations: {custody.dev/ticket: "SEC-*"}
 *   namespaceLabels: [team]
 * </pre>
 */
public final class OwnershipRules implements RuleFamily {

    static final Set<String> FIELDS = Set.of("workloadLabels", "workloadAnnotations", "namespaceLabels", "action");

    @Override
    public String field() {
        return "ownership";
    }

    @Override
    public int order() {
        return 400;
    }

    @Override
    public List<Rule> read(Fields spec, Tier tier, Action defaultAction) {
        Fields f = spec.object("ownership", FIELDS);
        if (f == null) {
            return List.of();
        }
        Action action = Action.parse(f.choice("action", RuleSettings.ACTIONS, defaultAction.label()));
        List<Rule> rules = new ArrayList<>();
        Map<String, Glob> wl = keys(f, "workloadLabels");
        Map<String, Glob> wa = keys(f, "workloadAnnotations");
        Map<String, Glob> nl = keys(f, "namespaceLabels");
        if (!wl.isEmpty()) {
            rules.add(new SimpleRule("ownership.workloadLabels", action, (w, ctx, out) -> check(w.object().path("metadata").path("labels"),
                    w.prefix(FieldPath.root().child("metadata").child("labels")), wl, "label", w.displayName(),
                    ReasonCode.OWNERSHIP_LABEL_MISSING, out)));
        }
        if (!wa.isEmpty()) {
            rules.add(new SimpleRule("ownership.workloadAnnotations", action, (w, ctx, out) -> check(
                    w.object().path("metadata").path("annotations"), w.prefix(FieldPath.root().child("metadata").child("annotations")), wa,
                    "annotation", w.displayName(), ReasonCode.OWNERSHIP_ANNOTATION_MISSING, out)));
        }
        if (!nl.isEmpty()) {
            rules.add(new SimpleRule("ownership.namespaceLabels", action, (w, ctx, out) -> {
                var labels = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
                ctx.namespaceLabels().forEach(labels::put);
                check(labels, w.prefix(FieldPath.root().child("metadata").child("namespace")), nl, "label", "namespace " + ctx.namespace(),
                        ReasonCode.OWNERSHIP_NAMESPACE_LABEL_MISSING, out);
            }));
        }
        return rules;
    }

    private static Map<String, Glob> keys(Fields f, String field) {
        JsonNode v = f.raw(field);
        Map<String, Glob> out = new LinkedHashMap<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isArray()) {
            f.strings(field).forEach(k -> out.put(k, Glob.of("*")));
        } else if (v.isObject()) {
            f.stringMap(field).forEach((k, pattern) -> out.put(k, Glob.of(pattern)));
        } else {
            f.error(f.path().child(field), "must be a list of keys or a mapping of key to value pattern, found " + Fields.kind(v));
        }
        return out;
    }

    private static void check(JsonNode map, FieldPath path, Map<String, Glob> required, String what, String who, ReasonCode missing,
                              ResultSink out) {
        for (var e : required.entrySet()) {
            JsonNode val = map.get(e.getKey());
            FieldPath at = path.child(e.getKey());
            if (val == null || val.isNull() || val.asText().isEmpty()) {
                out.fail(missing, at, who + " has no " + what + " " + e.getKey() + "; owners are found through it");
            } else if (!e.getValue().matches(val.asText())) {
                out.fail(ReasonCode.OWNERSHIP_VALUE_MISMATCH, at, who + ": " + what + " " + e.getKey() + "=\"" + val.asText()
                        + "\" does not match " + e.getValue());
            } else {
                out.pass(ReasonCode.OWNERSHIP_OK, at, who + " has " + what + " " + e.getKey() + "=" + val.asText());
            }
        }
    }
}
