package dev.custody.decision;

/**
 * The result of one rule on one subject. {@code ERROR} means the rule could not be evaluated and is never a
 * {@code FAIL}: "could not look" must not read like "looked and found a problem".
 */
public enum Outcome {
    /** The rule holds. */
    PASS,
    /** The rule is broken and its action is enforce: this denies. */
    FAIL,
    /** The rule is broken and its action is warn or audit: reported, not denied. */
    WARN,
    /** The rule could not be evaluated; the rule's failure mode decides whether it denies. */
    ERROR,
    /** The rule does not apply to this subject. */
    SKIP;

    public String label() {
        return name().toLowerCase();
    }
}
