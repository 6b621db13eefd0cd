package dev.custody.cli;

import dev.custody.decision.WorkloadDecision;
import dev.custody.workload.Skipped;
import java.util.List;

/**
 * Everything one {@code custody check} run found, in input order: decisions on workloads, skipped objects, and
 * input problems (each already naming its file and line).
 */
record CheckReport(String policyVersion, List<Entry> entries, List<String> problems) {

    /** One object of the input. */
    sealed interface Entry {
        String source();

        int documentIndex();
    }

    record Decided(WorkloadDecision decision) implements Entry {
        public String source() {
            return decision.workload().document().source();
        }

        public int documentIndex() {
            return decision.workload().document().index();
        }
    }

    record Ignored(Skipped skipped) implements Entry {
        public String source() {
            return skipped.document().source();
        }

        public int documentIndex() {
            return skipped.document().index();
        }
    }

    long denied() {
        return entries.stream().filter(e -> e instanceof Decided d && !d.decision().allowed()).count();
    }

    long admitted() {
        return entries.stream().filter(e -> e instanceof Decided d && d.decision().allowed()).count();
    }

    long skipped() {
        return entries.stream().filter(e -> e instanceof Ignored).count();
    }

    long workloads() {
        return entries.stream().filter(e -> e instanceof Decided).count();
    }
}
