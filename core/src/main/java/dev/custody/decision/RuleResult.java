package dev.custody.decision;

import dev.custody.manifest.FieldPath;

/**
 * One rule's outcome on one field of a workload.
 *
 * @param policy      policy name
 * @param rule        rule id, such as {@code images.requireDigest}
 * @param outcome     the outcome after the rule's action was applied
 * @param action      the rule's action
 * @param failureMode the rule's failure mode (matters for ERROR)
 * @param code        stable reason code
 * @param path        the offending (or checked) field inside the document
 * @param message     what happened and what to do, for a person
 */
public record RuleResult(String policy, String rule, Outcome outcome, Action action, FailureMode failureMode,
                         ReasonCode code, FieldPath path, String message) {

    /** True when this result denies the workload. */
    public boolean denies() {
        return outcome == Outcome.FAIL
                || (outcome == Outcome.ERROR && action == Action.ENFORCE && failureMode == FailureMode.CLOSED);
    }

    /** True when this result should reach the user as a warning (kubectl shows admission warnings). */
    public boolean warns() {
        return (outcome == Outcome.WARN && action != Action.AUDIT)
                || (outcome == Outcome.ERROR && !denies() && action != Action.AUDIT);
    }

    /** True when this result is only recorded (a broken audit rule). */
    public boolean audits() {
        return action == Action.AUDIT && (outcome == Outcome.WARN || outcome == Outcome.ERROR);
    }

    /** {@code policy/rule}. */
    public String qualifiedRule() {
        return policy + "/" + rule;
    }
}
