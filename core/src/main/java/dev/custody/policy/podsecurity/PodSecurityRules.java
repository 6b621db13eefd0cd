package dev.custody.policy.podsecurity;

import dev.custody.decision.Action;
import dev.custody.policy.Fields;
import dev.custody.policy.Rule;
import dev.custody.policy.RuleFamily;
import dev.custody.policy.RuleSettings;
import dev.custody.policy.Tier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code spec.podSecurity} section: a Pod Security Standards level at a version, compiled into one rule
 * per control so each violation names its control and field.
 *
 * <pre>
 * podSecurity:
 *   level: restricted     # baseline | restricted
 *   version: latest       # or v1.N
 *   action: enforce
 *   exclude: [seccompProfile_restricted]   # control ids to leave out, on purpose
 * </pre>
 */
public final class PodSecurityRules implements RuleFamily {

    static final Set<String> FIELDS = Set.of("level", "version", "action", "exclude");

    @Override
    public String field() {
        return "podSecurity";
    }

    @Override
    public int order() {
        return 200;
    }

    @Override
    public List<Rule> read(Fields spec, Tier tier, Action defaultAction) {
        Fields f = spec.object("podSecurity", FIELDS);
        if (f == null) {
            return List.of();
        }
        String levelText = f.choice("level", List.of("baseline", "restricted"), null);
        if (levelText == null && !f.has("level")) {
            f.error(f.path().child("level"), "required field is missing (baseline or restricted)");
        }
        String versionText = f.string("version", false);
        PssVersion version = PssVersion.parse(versionText);
        if (version == null) {
            f.error(f.path().child("version"), "must be latest or v1.N, found \"" + versionText + "\"");
            version = PssVersion.LATEST;
        }
        Action action = Action.parse(f.choice("action", RuleSettings.ACTIONS, defaultAction.label()));
        Set<String> exclude = new HashSet<>();
        List<String> excluded = f.strings("exclude");
        for (int i = 0; i < excluded.size(); i++) {
            if (Controls.byId(excluded.get(i)) == null) {
                f.error(f.path().child("exclude").index(i), "unknown control \"" + excluded.get(i) + "\"; known: "
                        + String.join(", ", Controls.ALL.stream().map(c -> c.id).sorted().toList()));
            }
            exclude.add(excluded.get(i));
        }
        if (levelText == null) {
            return List.of();
        }
        Level level = Level.valueOf(levelText.toUpperCase());
        List<Rule> rules = new ArrayList<>();
        for (Control c : Controls.select(level, version)) {
            if (!exclude.contains(c.id)) {
                rules.add(new PodSecurityRule(c, level, version, action));
            }
        }
        return rules;
    }

    /** Every control id, for documentation and validation. */
    public static List<String> controlIds() {
        return Controls.ALL.stream().map(c -> c.id).toList();
    }

    /** The control ids of a level at the newest version this build knows (restricted includes baseline's). */
    public static List<String> controlIds(Level level) {
        return Controls.select(level, PssVersion.LATEST).stream().map(c -> c.id).toList();
    }

    /** The level of a Pod Security rule this family compiled, or null for any other rule. */
    public static Level levelOf(Rule rule) {
        return rule instanceof PodSecurityRule p ? p.level() : null;
    }
}
