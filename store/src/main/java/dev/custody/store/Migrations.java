package dev.custody.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The one migration set, applied in order inside a transaction per version. Each version is a resource
 * {@code migrations/V<n>__<name>.sql}; the applied versions are kept in {@code custody_schema}. A store written by a
 * newer Custody (a version this build does not know) is refused rather than written to.
 */
final class Migrations {

    /** Every migration, in order. Adding one means adding its file and its name here. */
    static final List<String> ALL = List.of("V1__evidence", "V2__purl_parts", "V3__inventory", "V4__workload_reports", "V5__denylist_events",
            "V6__incidents", "V7__advisories", "V8__vex", "V9__exceptions", "V10__scan_findings", "V11__advisory_generation", "V12__promotions", "V13__break_glass", "V14__inventory_listing", "V15__decision_record_id");

    /** What a migration needs beyond SQL, run in its transaction right after its statements. */
    private static final java.util.Map<String, Step> JAVA_STEPS = java.util.Map.of("V2__purl_parts", PurlParts::backfill);

    @FunctionalInterface
    interface Step {
        void run(Connection c) throws SQLException;
    }

    private Migrations() {}

    static int latest() {
        return ALL.size();
    }

    static void apply(Connection c, Dialect dialect, String where) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            if (dialect == Dialect.POSTGRESQL) {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT pg_advisory_xact_lock(" + Locks.MIGRATION + ")"); // replicas starting together
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS custody_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
            }
            int current = 0;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM custody_schema")) {
                if (rs.next()) {
                    current = rs.getInt(1);
                }
            }
            if (current > latest()) {
                throw new StoreException("store " + where + " has schema version " + current + ", newer than this Custody knows ("
                        + latest() + "); upgrade Custody before using it");
            }
            for (int v = current + 1; v <= latest(); v++) {
                String name = ALL.get(v - 1);
                for (String stmt : statements(dialect.render(resource(name)))) {
                    try (Statement s = c.createStatement()) {
                        s.execute(stmt);
                    } catch (SQLException e) {
                        throw new StoreException("migration " + name + " failed on " + where + " at: " + first(stmt) + ": " + e.getMessage(), e);
                    }
                }
                Step step = JAVA_STEPS.get(name);
                if (step != null) {
                    step.run(c);
                }
                try (PreparedStatement p = c.prepareStatement("INSERT INTO custody_schema (version, name, applied_at) VALUES (?, ?, ?)")) {
                    p.setInt(1, v);
                    p.setString(2, name);
                    p.setLong(3, System.currentTimeMillis());
                    p.executeUpdate();
                }
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private static String resource(String name) {
        String path = "migrations/" + name + ".sql";
        try (InputStream in = Migrations.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new StoreException("migration resource " + path + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StoreException("cannot read migration " + path, e);
        }
    }

    /** Splits on semicolons that end a line; comment lines are dropped. */
    static List<String> statements(String sql) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : sql.split("\n")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("--")) {
                continue;
            }
            cur.append(line).append('\n');
            if (t.endsWith(";")) {
                String stmt = cur.toString().strip();
                out.add(stmt.substring(0, stmt.length() - 1));
                cur.setLength(0);
            }
        }
        if (!cur.toString().isBlank()) {
            out.add(cur.toString().strip());
        }
        return out;
    }

    private static String first(String stmt) {
        int nl = stmt.indexOf('\n');
        return nl < 0 ? stmt : stmt.substring(0, nl);
    }
}
