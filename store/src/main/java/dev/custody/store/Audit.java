package dev.custody.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Checks the decision log's hash chain, and removes old records without breaking it. */
public final class Audit {

    /**
     * The outcome of a chain check.
     *
     * @param records  records read
     * @param firstSeq the first sequence number present (0 when the log is empty)
     * @param lastSeq  the last sequence number present
     * @param head     the hash of the last record (what a user keeps elsewhere to detect truncation later)
     * @param problems every break found, first ones first (capped); empty when the chain is intact
     */
    public record Verification(long records, long firstSeq, long lastSeq, String head, List<String> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /** What a retention run removed. */
    public record Pruned(long records, long anchorSeq) {}

    static final int MAX_PROBLEMS = 100;

    private final Store store;

    public Audit(Store store) {
        this.store = store;
    }

    /**
     * Walks the whole log in sequence order and checks that every record's body hashes, with its predecessor's hash,
     * to its stored hash; that sequence numbers have no gaps; and that the query columns agree with the body.
     *
     * @param expectHead a head hash saved earlier, or null; when given, a record with that hash must still be in
     *                   the chain (so cutting records off the end is detected too)
     */
    public Verification verify(String expectHead) {
        return store.read(c -> walk(c, expectHead));
    }

    private Verification walk(Connection c, String expectHead) throws SQLException {
        List<String> problems = new ArrayList<>();
        long expectSeq = 1;
        String prev = Chain.GENESIS;
        boolean anchorRead = false;
        boolean auto = c.getAutoCommit();
        if (store.dialect() == Dialect.POSTGRESQL) {
            c.setAutoCommit(false); // PostgreSQL streams with a fetch size only inside a transaction
        }
        long records = 0;
        long first = 0;
        long last = 0;
        String head = null;
        boolean headSeen = expectHead == null;
        // the anchor comes with the records, from one statement and so one snapshot: a prune committing meanwhile
        // cannot make the chain look broken
        try (PreparedStatement p = c.prepareStatement("SELECT seq, recorded_at, source, request_uid, username, operation, namespace, kind, "
                + "name, verdict, policy_version, body, prev_hash, hash, (SELECT a.seq FROM chain_anchor a WHERE a.id = 1) AS anchor_seq, "
                + "(SELECT a.hash FROM chain_anchor a WHERE a.id = 1) AS anchor_hash FROM decision d ORDER BY d.seq")) {
            p.setFetchSize(1000);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    if (!anchorRead) {
                        anchorRead = true;
                        long anchorSeq = rs.getLong(15);
                        if (!rs.wasNull()) {
                            expectSeq = anchorSeq + 1;
                            prev = rs.getString(16);
                        }
                        headSeen |= prev.equals(expectHead);
                    }
                    long seq = rs.getLong(1);
                    String body = rs.getString(12);
                    String storedPrev = rs.getString(13);
                    String hash = rs.getString(14);
                    if (records == 0) {
                        first = seq;
                    }
                    records++;
                    last = seq;
                    if (seq != expectSeq) {
                        problem(problems, seq < expectSeq ? "record " + seq + " is out of order (expected " + expectSeq + ")"
                                : "records " + expectSeq + (seq - 1 > expectSeq ? ".." + (seq - 1) : "") + " are missing");
                    }
                    if (!storedPrev.equals(prev)) {
                        problem(problems, "record " + seq + " does not follow its predecessor: its previous hash is " + abbrev(storedPrev)
                                + ", the chain has " + abbrev(prev) + " (a record before it was altered, removed or reordered)");
                    }
                    String computed = Chain.hash(storedPrev, body);
                    if (!computed.equals(hash)) {
                        problem(problems, "record " + seq + " was altered: its body hashes to " + abbrev(computed) + ", stored hash is "
                                + abbrev(hash));
                    }
                    String mismatch = columnsAgree(rs, seq, body);
                    if (mismatch != null) {
                        problem(problems, "record " + seq + " was altered: column " + mismatch + " differs from the hashed body");
                    }
                    if (!headSeen && hash.equals(expectHead)) {
                        headSeen = true;
                    }
                    prev = hash;
                    head = hash;
                    expectSeq = seq + 1;
                }
            }
        } finally {
            if (store.dialect() == Dialect.POSTGRESQL) {
                c.rollback();
                c.setAutoCommit(auto);
            }
        }
        if (!anchorRead) { // no records: the head is the anchor's, or the genesis
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT hash FROM chain_anchor WHERE id = 1")) {
                if (rs.next()) {
                    prev = rs.getString(1);
                }
            }
            headSeen |= prev.equals(expectHead);
        }
        if (head == null) {
            head = prev;
        }
        if (!headSeen) {
            problem(problems, "the saved head " + abbrev(expectHead) + " is not in the log: records at its end were removed or the log was rewritten");
        }
        return new Verification(records, first, last, head, List.copyOf(problems));
    }

    private static String columnsAgree(ResultSet rs, long seq, String body) throws SQLException {
        JsonNode b;
        try {
            b = Chain.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return "body (not JSON)";
        }
        if (b.path("seq").asLong(-1) != seq) {
            return "seq";
        }
        if (b.path("recordedAt").asLong(-1) != rs.getLong(2)) {
            return "recorded_at";
        }
        String[] names = {"source", "requestUid", "username", "operation", "namespace", "kind", "name", "verdict", "policyVersion"};
        String[] columns = {"source", "request_uid", "username", "operation", "namespace", "kind", "name", "verdict", "policy_version"};
        for (int i = 0; i < names.length; i++) {
            JsonNode v = b.get(names[i]);
            String inBody = v == null || v.isNull() ? null : v.asText();
            if (!Objects.equals(inBody, rs.getString(3 + i))) {
                return columns[i];
            }
        }
        return null;
    }

    private static void problem(List<String> problems, String p) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(p);
        } else if (problems.size() == MAX_PROBLEMS) {
            problems.add("(more problems not listed)");
        }
    }

    private static String abbrev(String h) {
        return h == null ? "null" : h.length() > 16 ? h.substring(0, 16) + "…" : h;
    }

    /**
     * Removes records older than a time, oldest first, in small transactions (so writers wait at most one batch), and
     * moves the chain anchor to the last removed record so the rest still verifies.
     */
    public Pruned prune(long olderThanMillis, int batchSize) {
        long removed = 0;
        long anchor = 0;
        while (true) {
            long[] r = store.write(c -> pruneBatch(c, olderThanMillis, batchSize));
            if (r[0] == 0) {
                return new Pruned(removed, anchor);
            }
            removed += r[0];
            anchor = r[1];
        }
    }

    private long[] pruneBatch(Connection c, long olderThan, int batchSize) throws SQLException {
        if (store.dialect() == Dialect.POSTGRESQL) {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + Locks.DECISION_LOG + ")");
            }
        }
        long lastSeq = -1;
        String lastHash = null;
        long n = 0;
        try (PreparedStatement p = c.prepareStatement("SELECT seq, hash, recorded_at FROM decision ORDER BY seq LIMIT ?")) {
            p.setInt(1, batchSize);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    if (rs.getLong(3) >= olderThan) {
                        break; // stop at the first young record: the log stays a contiguous suffix
                    }
                    lastSeq = rs.getLong(1);
                    lastHash = rs.getString(2);
                    n++;
                }
            }
        }
        if (n == 0) {
            return new long[] {0, 0};
        }
        for (String table : List.of("decision_image", "decision_rule", "decision")) {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM " + table + " WHERE seq <= ?")) {
                p.setLong(1, lastSeq);
                p.executeUpdate();
            }
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO chain_anchor (id, seq, hash, updated_at) VALUES (1, ?, ?, ?) "
                + "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, updated_at = excluded.updated_at")) {
            p.setLong(1, lastSeq);
            p.setString(2, lastHash);
            p.setLong(3, System.currentTimeMillis());
            p.executeUpdate();
        }
        return new long[] {n, lastSeq};
    }
}
