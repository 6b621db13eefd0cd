package dev.custody.policy;

import dev.custody.decision.ReasonCode;
import dev.custody.manifest.FieldPath;

/** Where a rule reports; the engine stamps each report with the policy, rule, action and failure mode. */
public interface ResultSink {

    void pass(ReasonCode code, FieldPath path, String message);

    /** The rule is broken here; becomes FAIL under enforce and WARN under warn or audit. */
    void fail(ReasonCode code, FieldPath path, String message);

    /** The rule could not be evaluated here. */
    void error(ReasonCode code, FieldPath path, String message);

    void skip(ReasonCode code, FieldPath path, String message);

    /**
     * Admitted, but a person should know (evidence verified earlier is used while the registry is unreachable).
     * Sinks that only count passes and failures may treat it as a pass.
     */
    default void warn(ReasonCode code, FieldPath path, String message) {
        pass(code, path, message);
    }
}
