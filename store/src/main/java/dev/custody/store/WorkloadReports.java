package dev.custody.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The latest background verdict on each running workload (see V4__workload_reports.sql): written by the evaluator
 * after each run, read by {@code custody query reports}, the API and PolicyReport writers.
 */
public final class WorkloadReports {

    /**
     * One workload's report. {@code verdict} is the worst outcome of its results (pass, warn, fail, error);
     * {@code denied} whether admission, with the rules' actions today, would deny it; {@code results} a JSON array.
     */
    public record Report(String cluster, String namespace, RuntimeInventory.WorkloadRef workload, String verdict, boolean denied, int pods,
                         String policyVersion, String trigger, long evaluatedAt, long changedAt, String results) {}

    /** What a run changed: reports written for the first time or with other results, and reports removed. */
    public record Replaced(int changed, int unchanged, int removed) {}

    /**
     * Cheap fingerprints of what a verdict depends on besides the policies: the pods present (and the digests the
     * kubelet reported for them) with their namespaces' labels, the evidence stored, and the denylist. Equal
     * fingerprints mean nothing a re-evaluation reads has changed (a collision would only delay a run to the next period).
     */
    public record Inputs(long inventory, long evidence, long denylist) {}

    private final Store store;

    public WorkloadReports(Store store) {
        this.store = store;
    }

    /**
     * Replaces every report with {@code reports} (evaluated at {@code now}) in one transaction. A report whose
     * verdict and results are unchanged keeps its {@code changedAt}; reports of workloads not in the set are removed.
     */
    public Replaced replaceAll(Collection<Report> reports, long now) {
        return store.write(c -> {
            Map<String, String[]> before = new HashMap<>();
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT cluster, namespace, workload_kind, workload_name, verdict, results, changed_at FROM workload_report");
                 ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    before.put(key(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)),
                            new String[] {rs.getString(5), rs.getString(6), Long.toString(rs.getLong(7))});
                }
            }
            int changed = 0;
            int unchanged = 0;
            try (PreparedStatement p = c.prepareStatement("INSERT INTO workload_report (cluster, namespace, workload_kind, workload_name, "
                    + "verdict, denied, pods, policy_version, run_trigger, evaluated_at, changed_at, results) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (cluster, namespace, workload_kind, workload_name) DO UPDATE SET verdict = excluded.verdict, "
                    + "denied = excluded.denied, pods = excluded.pods, policy_version = excluded.policy_version, run_trigger = excluded.run_trigger, "
                    + "evaluated_at = excluded.evaluated_at, changed_at = excluded.changed_at, results = excluded.results")) {
                for (Report r : reports) {
                    String[] old = before.remove(key(r.cluster(), r.namespace(), r.workload().kind(), r.workload().name()));
                    boolean same = old != null && old[0].equals(r.verdict()) && old[1].equals(r.results());
                    long changedAt = same ? Long.parseLong(old[2]) : now;
                    if (same) {
                        unchanged++;
                    } else {
                        changed++;
                    }
                    p.setString(1, r.cluster());
                    p.setString(2, r.namespace());
                    p.setString(3, r.workload().kind());
                    p.setString(4, r.workload().name());
                    p.setString(5, r.verdict());
                    p.setInt(6, r.denied() ? 1 : 0);
                    p.setInt(7, r.pods());
                    p.setString(8, r.policyVersion());
                    p.setString(9, r.trigger());
                    p.setLong(10, now);
                    p.setLong(11, changedAt);
                    p.setString(12, r.results());
                    p.addBatch();
                }
                p.executeBatch();
            }
            try (PreparedStatement p = c.prepareStatement(
                    "DELETE FROM workload_report WHERE cluster = ? AND namespace = ? AND workload_kind = ? AND workload_name = ?")) {
                for (String k : before.keySet()) {
                    String[] parts = k.split("\u0000", 4);
                    for (int i = 0; i < 4; i++) {
                        p.setString(i + 1, parts[i]);
                    }
                    p.addBatch();
                }
                if (!before.isEmpty()) {
                    p.executeBatch();
                }
            }
            return new Replaced(changed, unchanged, before.size());
        });
    }

    /** The fingerprints of the inputs now: four aggregate queries, cheap enough to poll every second at fleet size. */
    public Inputs inputs() {
        return store.read(c -> new Inputs(
                mix(longs(c, "SELECT COUNT(*), COALESCE(SUM(first_seen), 0) FROM runtime_pod WHERE present = 1"),
                        longs(c, "SELECT COUNT(*), COALESCE(SUM(LENGTH(digest)), 0) FROM runtime_container WHERE running = 1 AND digest IS NOT NULL"),
                        longs(c, "SELECT COUNT(*), COALESCE(SUM(LENGTH(labels)), 0) FROM runtime_namespace WHERE present = 1")),
                mix(longs(c, "SELECT COUNT(*), COALESCE(MAX(verified_at), 0) FROM verification"),
                        longs(c, "SELECT COUNT(*), COALESCE(MAX(linked_at), 0) FROM sbom_link")),
                mix(longs(c, "SELECT COUNT(*), COALESCE(MAX(created_at), 0) FROM denylist"))));
    }

    private static long[] longs(java.sql.Connection c, String sql) throws java.sql.SQLException {
        try (PreparedStatement p = c.prepareStatement(sql); ResultSet rs = p.executeQuery()) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    private static long mix(long[]... parts) {
        long h = 17;
        for (long[] part : parts) {
            for (long v : part) {
                h = h * 1_000_003L + v;
            }
        }
        return h;
    }

    /** Reports in a stable order; each filter is optional (null: any). */
    public List<Report> list(String cluster, String namespace, String verdict) {
        StringBuilder sql = new StringBuilder("SELECT cluster, namespace, workload_kind, workload_name, verdict, denied, pods, policy_version, "
                + "run_trigger, evaluated_at, changed_at, results FROM workload_report WHERE 1 = 1");
        List<String> args = new ArrayList<>();
        if (cluster != null) {
            sql.append(" AND cluster = ?");
            args.add(cluster);
        }
        if (namespace != null) {
            sql.append(" AND namespace = ?");
            args.add(namespace);
        }
        if (verdict != null) {
            sql.append(" AND verdict = ?");
            args.add(verdict);
        }
        sql.append(" ORDER BY cluster, namespace, workload_kind, workload_name");
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    p.setString(i + 1, args.get(i));
                }
                List<Report> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Report(rs.getString(1), rs.getString(2), new RuntimeInventory.WorkloadRef(rs.getString(3), rs.getString(4)),
                                rs.getString(5), rs.getInt(6) == 1, rs.getInt(7), rs.getString(8), rs.getString(9), rs.getLong(10),
                                rs.getLong(11), rs.getString(12)));
                    }
                }
                return out;
            }
        });
    }

    private static String key(String cluster, String namespace, String kind, String name) {
        return String.join("\u0000", cluster, namespace, kind, name);
    }
}
