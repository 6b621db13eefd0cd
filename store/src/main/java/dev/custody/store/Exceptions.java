package dev.custody.store;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Vulnerability exceptions as a state machine: requested, then approved (active until its expiry), then expired, or
 * revoked at any point before. The approver is never the requester. Every transition is written, in the same
 * transaction, as a record of the hash-chained decision log (source {@code exception}), so the audit trail of who
 * accepted which risk cannot be edited without the chain showing it.
 */
public final class Exceptions {

    public static final String REQUESTED = "requested";
    public static final String APPROVED = "approved";
    public static final String ACTIVE = "active";
    public static final String EXPIRED = "expired";
    public static final String REVOKED = "revoked";
    public static final String ANY = "*";
    /** The rule an exception covers when the request names none: the vulnerability gate. */
    public static final String GATE_RULE = "vulnerabilities.gate";
    /** The rule of break-glass grants: a person may write workloads outside the GitOps controller for a time. */
    public static final String BREAK_GLASS_RULE = "delivery.writer";

    /** A transition the state machine refuses, or an approval by the requester; the message says why. (A request missing a field is an IllegalArgumentException.) */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    /** One exception as stored. */
    public record VulnException(String id, String storedState, String digest, String namespace, String rule, String vulnerability, String owner,
                            String reason, String ticket, String requester, long requestedAt, long expiresAt, String approver, Long approvedAt,
                            String closedBy, Long closedAt, String closeReason, String subject) {

        /** Whether this is a break-glass grant (for {@link #subject}) rather than a vulnerability exception. */
        public boolean breakGlass() {
            return rule.equals(BREAK_GLASS_RULE);
        }

        /** What it covers, in words. */
        public String scope() {
            return breakGlass() ? "break-glass for " + subject + " in namespace " + namespace
                    : vulnerability + " in " + digest + ", namespace " + namespace + ", rule " + rule;
        }

        /** The state at {@code now}: an approved exception is active until its expiry, then expired. */
        public String state(long now) {
            if (storedState.equals(APPROVED)) {
                return now >= expiresAt ? EXPIRED : ACTIVE;
            }
            if (storedState.equals(REQUESTED) && now >= expiresAt) {
                return EXPIRED; // a request nobody approved in time
            }
            return storedState;
        }
    }

    /** One transition. */
    public record Event(String exceptionId, int ordinal, long at, String action, String actor, String detail, long auditSeq) {}

    /** What a request asks for. */
    public record Request(String digest, String namespace, String rule, String vulnerability, String owner, String reason, String ticket,
                          long expiresAt, String subject) {

        public Request(String digest, String namespace, String rule, String vulnerability, String owner, String reason, String ticket,
                       long expiresAt) {
            this(digest, namespace, rule, vulnerability, owner, reason, ticket, expiresAt, ANY);
        }

        /** A break-glass grant: {@code subject} may write workloads in {@code namespace} (blank: any) until {@code expiresAt}. */
        public static Request breakGlass(String subject, String namespace, String owner, String reason, String ticket, long expiresAt) {
            return new Request(ANY, namespace, BREAK_GLASS_RULE, ANY, owner, reason, ticket, expiresAt, subject);
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private static final String COLUMNS = "id, state, digest, namespace, rule, vulnerability, owner, reason, ticket, requester, requested_at, "
            + "expires_at, approver, approved_at, closed_by, closed_at, close_reason, subject";

    private final Store store;

    public Exceptions(Store store) {
        this.store = store;
    }

    /** Records a request; the id is {@code EXC-yyyymmdd-} and six random hex digits. */
    public VulnException request(Request r, String requester, long now) {
        require(r.owner(), "an owner team");
        require(r.reason(), "a reason");
        require(requester, "a requester identity");
        require(r.vulnerability(), "a vulnerability id (or *)");
        require(r.digest(), "a digest (or *)");
        boolean glass = BREAK_GLASS_RULE.equals(r.rule());
        if (glass && (r.subject() == null || r.subject().isBlank() || r.subject().equals(ANY))) {
            throw new IllegalArgumentException("a break-glass grant needs the user it is for");
        }
        if (r.expiresAt() <= now) {
            throw new IllegalArgumentException("the expiry " + Instant.ofEpochMilli(r.expiresAt()) + " is not in the future");
        }
        byte[] b = new byte[3];
        RANDOM.nextBytes(b);
        String id = (glass ? "BG-" : "EXC-") + DAY.format(Instant.ofEpochMilli(now)) + "-" + HexFormat.of().formatHex(b);
        VulnException e = new VulnException(id, REQUESTED, r.digest(), blankToAny(r.namespace()), (r.rule() == null || r.rule().isBlank() ? GATE_RULE : r.rule()), r.vulnerability(), r.owner(),
                r.reason(), r.ticket(), requester, now, r.expiresAt(), null, null, null, null, null, glass ? r.subject() : ANY);
        return store.write(c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO vuln_exception (" + COLUMNS + ", updated_at) VALUES "
                    + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                int k = 1;
                p.setString(k++, e.id());
                p.setString(k++, e.storedState());
                p.setString(k++, e.digest());
                p.setString(k++, e.namespace());
                p.setString(k++, e.rule());
                p.setString(k++, e.vulnerability());
                p.setString(k++, e.owner());
                p.setString(k++, e.reason());
                p.setString(k++, e.ticket());
                p.setString(k++, e.requester());
                p.setLong(k++, e.requestedAt());
                p.setLong(k++, e.expiresAt());
                p.setString(k++, null);
                p.setObject(k++, null);
                p.setString(k++, null);
                p.setObject(k++, null);
                p.setString(k++, null);
                p.setString(k++, e.subject());
                p.setLong(k, now);
                p.executeUpdate();
            }
            event(c, e, "request", requester, "requested until " + Instant.ofEpochMilli(e.expiresAt()) + ": " + e.reason()
                    + (e.ticket() == null ? "" : " (" + e.ticket() + ")"), REQUESTED, now);
            return e;
        });
    }

    /** Approves a requested exception; refused for the requester, after its expiry, or from any other state. */
    public VulnException approve(String id, String approver, String note, long now) {
        require(approver, "an approver identity");
        return store.write(c -> {
            VulnException e = lockAndGet(c, id);
            if (e.requester().equals(approver)) {
                throw new Refused("exception " + id + " was requested by " + approver + "; another identity must approve it");
            }
            String state = e.state(now);
            if (!state.equals(REQUESTED)) {
                throw new Refused("exception " + id + " is " + state + "; only a requested exception can be approved");
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE vuln_exception SET state = ?, approver = ?, approved_at = ?, updated_at = ? "
                    + "WHERE id = ?")) {
                p.setString(1, APPROVED);
                p.setString(2, approver);
                p.setLong(3, now);
                p.setLong(4, now);
                p.setString(5, id);
                p.executeUpdate();
            }
            VulnException out = getOrNull(c, id);
            event(c, out, "approve", approver, note == null || note.isBlank() ? "approved" : note, ACTIVE, now);
            return out;
        });
    }

    /** Revokes a requested or active exception: the gate applies again from now. */
    public VulnException revoke(String id, String actor, String reason, long now) {
        require(actor, "an identity");
        require(reason, "a reason");
        return store.write(c -> {
            VulnException e = lockAndGet(c, id);
            String state = e.state(now);
            if (!state.equals(REQUESTED) && !state.equals(ACTIVE)) {
                throw new Refused("exception " + id + " is " + state + "; only a requested or active exception can be revoked");
            }
            close(c, id, REVOKED, actor, reason, now);
            VulnException out = getOrNull(c, id);
            event(c, out, "revoke", actor, reason, REVOKED, now);
            return out;
        });
    }

    /** Writes the expiry of every exception whose time ran out (an audit record each); returns those expired now. */
    public List<VulnException> sweep(long now) {
        List<String> due = store.read(c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT id FROM vuln_exception WHERE state IN (?, ?) AND expires_at <= ?")) {
                p.setString(1, APPROVED);
                p.setString(2, REQUESTED);
                p.setLong(3, now);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            return ids;
        });
        List<VulnException> out = new ArrayList<>();
        for (String id : due) {
            VulnException done = store.write(c -> {
                VulnException e = lockAndGet(c, id);
                if (!e.storedState().equals(APPROVED) && !e.storedState().equals(REQUESTED)) {
                    return null; // another replica wrote it first
                }
                close(c, id, EXPIRED, "custody", "expired at " + Instant.ofEpochMilli(e.expiresAt()), Math.max(now, e.expiresAt()));
                VulnException x = getOrNull(c, id);
                event(c, x, "expire", "custody", "expired at " + Instant.ofEpochMilli(e.expiresAt()), EXPIRED, now);
                return x;
            });
            if (done != null) {
                out.add(done);
            }
        }
        return out;
    }

    public java.util.Optional<VulnException> find(String id) {
        return store.read(c -> java.util.Optional.ofNullable(getOrNull(c, id)));
    }

    /** Every exception, newest first, at most {@code limit}. */
    public List<VulnException> list(int limit) {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM vuln_exception ORDER BY requested_at DESC, id LIMIT ?")) {
                p.setInt(1, limit);
                return rows(p);
            }
        });
    }

    /**
     * What the gate reads: approved exceptions, and those that expired within {@code recentMillis} of {@code now} (so a
     * denial can say which exception ran out). Revoked ones are not read.
     */
    public List<VulnException> granted(long now, long recentMillis) {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM vuln_exception WHERE state = ? OR (state = ? AND approved_at "
                    + "IS NOT NULL AND expires_at >= ?) ORDER BY id")) {
                p.setString(1, APPROVED);
                p.setString(2, EXPIRED);
                p.setLong(3, now - recentMillis);
                return rows(p);
            }
        });
    }

    /** A cheap change marker: the latest update and the count (a poll compares it to decide whether to reload). */
    public String version() {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*), COALESCE(MAX(updated_at), 0) FROM vuln_exception");
                 ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1) + "/" + rs.getLong(2);
            }
        });
    }

    public List<Event> history(String id) {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT exception_id, ordinal, at, action, actor, detail, audit_seq FROM "
                    + "vuln_exception_event WHERE exception_id = ? ORDER BY ordinal")) {
                p.setString(1, id);
                List<Event> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Event(rs.getString(1), rs.getInt(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getString(6),
                                rs.getLong(7)));
                    }
                }
                return out;
            }
        });
    }

    /** When each finding was first seen on a digest, recording {@code now} for those not seen before. Keys are vulnerability + NUL + purl. */
    public Map<String, Long> firstSeen(String digest, java.util.Collection<String> keys, long now) {
        if (keys.isEmpty()) {
            return Map.of();
        }
        Map<String, Long> out = new java.util.HashMap<>(store.read(c -> seen(c, digest)));
        List<String> missing = keys.stream().filter(k -> !out.containsKey(k)).toList();
        if (!missing.isEmpty()) {
            store.write(c -> {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO vuln_finding_seen (digest, vulnerability, purl, first_seen) "
                        + "VALUES (?, ?, ?, ?) ON CONFLICT (digest, vulnerability, purl) DO NOTHING")) {
                    for (String k : missing) {
                        int nul = k.indexOf('\u0000');
                        p.setString(1, digest);
                        p.setString(2, k.substring(0, nul));
                        p.setString(3, k.substring(nul + 1));
                        p.setLong(4, now);
                        p.addBatch();
                    }
                    p.executeBatch();
                }
                return null;
            });
            out.putAll(store.read(c -> seen(c, digest)));
        }
        return out;
    }

    private static Map<String, Long> seen(Connection c, String digest) throws SQLException {
        Map<String, Long> out = new java.util.HashMap<>();
        try (PreparedStatement p = c.prepareStatement("SELECT vulnerability, purl, first_seen FROM vuln_finding_seen WHERE digest = ?")) {
            p.setString(1, digest);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1) + "\u0000" + rs.getString(2), rs.getLong(3));
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- internals

    private void close(Connection c, String id, String state, String actor, String reason, long now) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE vuln_exception SET state = ?, closed_by = ?, closed_at = ?, close_reason = ?, "
                + "updated_at = ? WHERE id = ?")) {
            p.setString(1, state);
            p.setString(2, actor);
            p.setLong(3, now);
            p.setString(4, reason);
            p.setLong(5, now);
            p.setString(6, id);
            p.executeUpdate();
        }
    }

    /** Appends the transition to the exception's history and, as one record, to the hash-chained decision log. */
    private void event(Connection c, VulnException e, String action, String actor, String detail, String state, long now) throws SQLException {
        String digest = e.digest().equals(ANY) ? null : e.digest();
        DecisionRecord record = new DecisionRecord(now, "exception", e.id() + "/" + action, actor, action.toUpperCase(java.util.Locale.ROOT),
                e.namespace(), e.breakGlass() ? "BreakGlassGrant" : "VulnerabilityException", e.id(), state, false, "",
                List.of(new DecisionRecord.Image("", e.digest(), digest)),
                List.of(new DecisionRecord.RuleOutcome("custody", "exception." + action, "PASS", "audit", "EXCEPTION_" + action.toUpperCase(java.util.Locale.ROOT),
"", "exception " + e.id() + " (" + e.scope() + ", owner " + e.owner() + ") " + action + " by " + actor + ": " + detail)),
                List.of());
        long seq = DecisionLog.appendWithin(store, c, record);
        int ordinal = 0;
        try (PreparedStatement p = c.prepareStatement("SELECT COALESCE(MAX(ordinal), -1) FROM vuln_exception_event WHERE exception_id = ?")) {
            p.setString(1, e.id());
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                ordinal = rs.getInt(1) + 1;
            }
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO vuln_exception_event (exception_id, ordinal, at, action, actor, detail, audit_seq) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            p.setString(1, e.id());
            p.setInt(2, ordinal);
            p.setLong(3, now);
            p.setString(4, action);
            p.setString(5, actor);
            p.setString(6, detail);
            p.setLong(7, seq);
            p.executeUpdate();
        }
    }

    private VulnException lockAndGet(Connection c, String id) throws SQLException {
        if (store.dialect() == Dialect.POSTGRESQL) {
            try (PreparedStatement p = c.prepareStatement("SELECT id FROM vuln_exception WHERE id = ? FOR UPDATE")) {
                p.setString(1, id);
                p.executeQuery().close();
            }
        }
        VulnException e = getOrNull(c, id);
        if (e == null) {
            throw new Refused("no exception " + id);
        }
        return e;
    }

    private static VulnException getOrNull(Connection c, String id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM vuln_exception WHERE id = ?")) {
            p.setString(1, id);
            List<VulnException> r = rows(p);
            return r.isEmpty() ? null : r.getFirst();
        }
    }

    private static List<VulnException> rows(PreparedStatement p) throws SQLException {
        List<VulnException> out = new ArrayList<>();
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.add(new VulnException(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                        rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getLong(11), rs.getLong(12), rs.getString(13),
                        rs.getObject(14) == null ? null : rs.getLong(14), rs.getString(15), rs.getObject(16) == null ? null : rs.getLong(16),
                        rs.getString(17), rs.getString(18)));
            }
        }
        return out;
    }

    private static String blankToAny(String s) {
        return s == null || s.isBlank() ? ANY : s;
    }

    private static void require(String v, String what) {
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("an exception needs " + what);
        }
    }
}
