package dev.custody.policy.podsecurity;

import dev.custody.decision.Action;
import dev.custody.decision.FailureMode;
import dev.custody.decision.ReasonCode;
import dev.custody.policy.ResultSink;
import dev.custody.policy.Rule;
import dev.custody.policy.RuleContext;
import dev.custody.workload.Workload;

/** One Pod Security Standards control at one version, as a rule with id {@code podSecurity.<control>}. */
final class PodSecurityRule implements Rule {

    private final Control control;
    private final PssVersion version;
    private final Level level;
    private final Action action;
    private final String id;
    private final String passMessage;
    private final String failPrefix;

    PodSecurityRule(Control control, Level level, PssVersion version, Action action) {
        this.control = control;
        this.level = level;
        this.version = version;
        this.action = action;
        this.id = "podSecurity." + control.id;
        this.passMessage = control.id + " (" + level.label() + " " + version + ") holds";
        this.failPrefix = control.title + " (" + level.label() + " " + version + ", " + control.id + "): ";
    }

    @Override
    public String id() {
        return id;
    }

    Level level() {
        return level;
    }

    @Override
    public Action action() {
        return action;
    }

    @Override
    public FailureMode failureMode() {
        return FailureMode.CLOSED;
    }

    @Override
    public void evaluate(Workload workload, RuleContext context, ResultSink out) {
        PodView pod = context.memo(PodView.class, k -> new PodView(workload));
        String exempt = control.exemption(pod, version);
        if (exempt != null) {
            out.skip(ReasonCode.PSS_EXEMPT, pod.specPath, control.id + " does not apply: " + exempt);
            return;
        }
        Control.Findings findings = new Control.Findings();
        control.check(pod, version, findings);
        if (findings.list.isEmpty()) {
            out.pass(ReasonCode.PSS_SATISFIED, pod.specPath, passMessage);
            return;
        }
        for (Control.Findings.Finding f : findings.list) {
            out.fail(control.code, f.path(), failPrefix + f.detail());
        }
    }
}
