package dev.custody.policy;

import dev.custody.decision.Action;
import java.util.List;

/**
 * A family of rules that owns one field of a Policy's {@code spec} (images, podSecurity, cel, trust, ...). A family
 * registers itself for {@link java.util.ServiceLoader} (a line in its module's
 * {@code META-INF/services/dev.custody.policy.RuleFamily}), so the parser names no family and no family needs more
 * of the parser than this interface: adding one touches no central source file.
 */
public interface RuleFamily {

    /** The {@code spec} field this family reads, such as {@code "podSecurity"}. */
    String field();

    /**
     * Compiles the family's rules from {@code spec}; called even when the field is absent, so tier defaults apply.
     * Errors are added through {@code spec} with their field paths, never thrown.
     */
    List<Rule> read(Fields spec, Tier tier, Action defaultAction);

    /** Where the family's rules come in a policy's rule list (and so in reports): lower first. */
    default int order() {
        return 1_000;
    }
}
