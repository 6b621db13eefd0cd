package dev.custody.policy.cel;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.custody.decision.Action;
import dev.custody.decision.FailureMode;
import dev.custody.decision.ReasonCode;
import dev.custody.manifest.FieldPath;
import dev.custody.policy.ResultSink;
import dev.custody.policy.Rule;
import dev.custody.policy.RuleContext;
import dev.custody.workload.Workload;
import java.util.Map;

/**
 * A custom rule written in CEL: {@code expression} must be true for the workload to pass. Compiled and
 * type-checked once when the policy loads; each evaluation is bounded by a comprehension iteration budget
 * (nested loops count together), so an expensive expression is stopped (ERROR, {@code CEL_COST_LIMIT_EXCEEDED})
 * rather than hung.
 */
final class CelRule implements Rule {

    private final String id;
    private final String name;
    private final Action action;
    private final FailureMode failureMode;
    private final CelRuntime.Program program;
    private final CelRuntime.Program messageProgram;
    private final String message;
    private final long costLimit;
    private final FieldPath reportPath;
    private final String passMessage;

    CelRule(String name, Action action, FailureMode failureMode, CelRuntime.Program program, CelRuntime.Program messageProgram,
            String message, long costLimit, FieldPath reportPath) {
        this.id = "cel." + name;
        this.name = name;
        this.action = action;
        this.failureMode = failureMode;
        this.program = program;
        this.messageProgram = messageProgram;
        this.message = message;
        this.costLimit = costLimit;
        this.reportPath = reportPath;
        this.passMessage = "CEL rule " + name + " holds";
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Action action() {
        return action;
    }

    @Override
    public FailureMode failureMode() {
        return failureMode;
    }

    @Override
    public void evaluate(Workload workload, RuleContext context, ResultSink out) {
        Map<String, Object> activation = CelInput.activation(workload, context);
        // a resolver over the shared map: eval(Map) would copy the activation for every rule
        dev.cel.runtime.CelVariableResolver vars = name -> java.util.Optional.ofNullable(activation.get(name));
        FieldPath path = workload.prefix(reportPath);
        Object result;
        try {
            result = program.eval(vars);
        } catch (CelEvaluationException e) {
            if (e.getErrorCode() == dev.cel.common.CelErrorCode.ITERATION_BUDGET_EXCEEDED
                    || String.valueOf(e.getMessage()).contains("budget exceeded")) {
                out.error(ReasonCode.CEL_COST_LIMIT_EXCEEDED, path, "CEL rule " + name + " was stopped after " + costLimit
                        + " comprehension iterations (costLimit); simplify the expression or raise its costLimit");
            } else {
                out.error(ReasonCode.CEL_EVALUATION_ERROR, path, "CEL rule " + name + " could not be evaluated: " + e.getMessage());
            }
            return;
        }
        if (!(result instanceof Boolean b)) {
            out.error(ReasonCode.CEL_EVALUATION_ERROR, path, "CEL rule " + name + " returned " + result + " instead of a boolean");
            return;
        }
        if (b) {
            out.pass(ReasonCode.CEL_PASSED, path, passMessage);
        } else {
            out.fail(ReasonCode.CEL_FAILED, path, failureMessage(vars));
        }
    }

    private String failureMessage(dev.cel.runtime.CelVariableResolver vars) {
        if (messageProgram != null) {
            try {
                Object m = messageProgram.eval(vars);
                if (m instanceof String s && !s.isBlank()) {
                    return s;
                }
            } catch (CelEvaluationException ignored) {
                // Kubernetes falls back to the static message when messageExpression fails; so do we
            }
        }
        return message;
    }
}
