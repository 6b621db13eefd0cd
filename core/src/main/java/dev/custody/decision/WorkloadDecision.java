package dev.custody.decision;

import dev.custody.workload.Workload;
import java.util.List;

/**
 * The verdict on one workload: every rule result of every policy that selected its namespace.
 *
 * @param workload  the workload evaluated
 * @param namespace the namespace it was evaluated in (from the manifest, or the default given to the engine)
 * @param policies  names of the policies that applied
 * @param results   every rule result, passes and skips included
 */
public record WorkloadDecision(Workload workload, String namespace, List<String> policies, List<RuleResult> results) {

    public boolean allowed() {
        for (RuleResult r : results) {
            if (r.denies()) {
                return false;
            }
        }
        return true;
    }

    /** "denied" when a result denies, else "warned" when one warns, else "allowed". */
    public String verdict() {
        return !allowed() ? "denied" : warnings().isEmpty() ? "allowed" : "warned";
    }

    public List<RuleResult> violations() {
        return results.stream().filter(RuleResult::denies).toList();
    }

    public List<RuleResult> warnings() {
        return results.stream().filter(RuleResult::warns).toList();
    }

    public List<RuleResult> audits() {
        return results.stream().filter(RuleResult::audits).toList();
    }
}
