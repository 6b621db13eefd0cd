package dev.custody.policy;

import dev.custody.decision.Action;
import dev.custody.decision.FailureMode;
import dev.custody.workload.Workload;

/**
 * A compiled rule. Everything a rule needs (patterns, keys, programs) is resolved when the policy loads;
 * {@link #evaluate} does no I/O and is safe to call from many threads.
 */
public interface Rule {

    /** Stable id such as {@code images.requireDigest}. */
    String id();

    Action action();

    FailureMode failureMode();

    /**
     * True when the rule's verdict depends on evidence outside the object (signatures, provenance), which can
     * change between two reviews of the same images; admission then does not let such a rule turn an UPDATE
     * that changes no image into a denial.
     */
    default boolean usesEvidence() {
        return false;
    }

    /** Reports at least one result for every subject the rule looks at. */
    void evaluate(Workload workload, RuleContext context, ResultSink out);
}
