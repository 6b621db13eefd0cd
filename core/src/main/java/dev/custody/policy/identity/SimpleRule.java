package dev.custody.policy.identity;

import dev.custody.decision.Action;
import dev.custody.decision.FailureMode;
import dev.custody.policy.ResultSink;
import dev.custody.policy.Rule;
import dev.custody.policy.RuleContext;
import dev.custody.workload.Workload;

/** A rule made of an id, an action and a check function; enough for the identity and ownership rules. */
record SimpleRule(String id, Action action, Check check) implements Rule {

    /** The body of a rule. */
    @FunctionalInterface
    interface Check {
        void evaluate(Workload workload, RuleContext context, ResultSink out);
    }

    @Override
    public FailureMode failureMode() {
        return FailureMode.CLOSED;
    }

    @Override
    public void evaluate(Workload workload, RuleContext context, ResultSink out) {
        check.evaluate(workload, context, out);
    }
}
