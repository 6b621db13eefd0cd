package dev.custody.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.decision.Action;
import dev.custody.decision.FailureMode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The common settings of a rule entry, which may be written as {@code true}/{@code false}, as a mapping with
 * {@code enabled}, {@code action} and {@code failureMode} beside the rule's own fields, or (for list rules)
 * as the list itself.
 *
 * @param enabled     whether the rule runs
 * @param action      its action
 * @param failureMode its failure mode
 * @param fields      the mapping, for rule-specific fields; null for the boolean and list forms
 * @param list        the list, for the list shorthand; null otherwise
 */
public record RuleSettings(boolean enabled, Action action, FailureMode failureMode, Fields fields, JsonNode list) {

    public static final List<String> ACTIONS = List.of("audit", "warn", "enforce");
    public static final List<String> FAILURE_MODES = List.of("closed", "open");

    /**
     * Reads {@code section.key}. {@code enabledByDefault} comes from the tier; {@code specific} lists the rule's
     * own field names; {@code listShorthand} allows the value to be a list.
     */
    public static RuleSettings read(Fields section, String key, boolean enabledByDefault, Action defaultAction,
                                    Set<String> specific, boolean listShorthand) {
        JsonNode v = section.raw(key);
        if (v == null || v.isNull()) {
            return new RuleSettings(enabledByDefault, defaultAction, FailureMode.CLOSED, null, null);
        }
        if (v.isBoolean()) {
            return new RuleSettings(v.asBoolean(), defaultAction, FailureMode.CLOSED, null, null);
        }
        if (v.isArray() && listShorthand) {
            return new RuleSettings(true, defaultAction, FailureMode.CLOSED, null, v);
        }
        if (!v.isObject()) {
            section.error(section.path().child(key), "must be true, false" + (listShorthand ? ", a list" : "")
                    + " or a mapping, found " + Fields.kind(v));
            return new RuleSettings(false, defaultAction, FailureMode.CLOSED, null, null);
        }
        Set<String> known = new HashSet<>(specific);
        known.addAll(Set.of("enabled", "action", "failureMode"));
        Fields f = Fields.of(section.document(), section.errors(), v, section.path().child(key), known);
        Boolean enabled = f.bool("enabled");
        Action action = Action.parse(f.choice("action", ACTIONS, defaultAction.label()));
        FailureMode mode = f.choice("failureMode", FAILURE_MODES, "closed").equals("open") ? FailureMode.OPEN : FailureMode.CLOSED;
        return new RuleSettings(enabled == null || enabled, action, mode, f, null);
    }
}
