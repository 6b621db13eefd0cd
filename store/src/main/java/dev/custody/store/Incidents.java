package dev.custody.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Incidents as the store keeps them: the incident itself, its timeline (every event in order) and its burn-down (the
 * running pod count each time it changed). What runs is the runtime inventory's; the tracker in the evidence module
 * counts it and writes here. Every write of an incident takes one lock on PostgreSQL, so replicas that track
 * together append each change once and in one order.
 */
public final class Incidents {

    /** What an incident is about. */
    public enum TargetKind {
        /** One image digest. */
        DIGEST,
        /** A package URL (with a version, that version; without, every version). */
        PACKAGE,
        /** A vulnerability id; its packages come from its advisory. */
        VULNERABILITY;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final Set<String> SEVERITIES = Set.of("critical", "high", "medium", "low");
    public static final String OPEN = "open";
    public static final String CLOSED = "closed";

    /**
     * One incident.
     *
     * @param packages   the package URLs the target stands for (empty for a digest)
     * @param resolution how it closed: {@code no-longer-running} or {@code accepted-risk}; null while open
     * @param running    the running pod count the tracker saw last
     */
    public record Incident(String id, TargetKind targetKind, String target, List<String> packages, String title, String severity,
                           String owner, String state, String openedBy, long openedAt, String closedBy, Long closedAt, String resolution,
                           String note, int running) {}

    /** One timeline event; {@code detail} is a JSON object. */
    public record Event(String incidentId, int ordinal, long at, String kind, String actor, JsonNode detail, String notifyState,
                        int notifyAttempts) {}

    /** One burn-down point. */
    public record Point(long at, int running) {}

    /** Events whose kinds the alert webhook is told of. */
    public static final Set<String> NOTIFIED = Set.of("opened", "blocked", "closed");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private static final String COLUMNS = "id, target_kind, target, packages, title, severity, owner, state, opened_by, opened_at, closed_by, "
            + "closed_at, resolution, note, running";

    private final Store store;

    public Incidents(Store store) {
        this.store = store;
    }

    /** Opens an incident; the id is {@code INC-yyyymmdd-} and six random hex digits. */
    public Incident open(TargetKind kind, String target, List<String> packages, String title, String severity, String owner, String actor,
                         long now) {
        if (title == null || title.isBlank() || title.length() > 500) {
            throw new IllegalArgumentException("an incident needs a title of 1 to 500 characters");
        }
        if (!SEVERITIES.contains(severity)) {
            throw new IllegalArgumentException("severity is one of critical, high, medium, low; found \"" + severity + "\"");
        }
        if (kind == TargetKind.DIGEST && !SbomStore.DIGEST.matcher(target).matches()) {
            throw new IllegalArgumentException("digest must be sha256:<64 lower-case hex>, found \"" + target + "\"");
        }
        byte[] r = new byte[3];
        RANDOM.nextBytes(r);
        Incident i = new Incident("INC-" + DAY.format(Instant.ofEpochMilli(now)) + "-" + HexFormat.of().formatHex(r), kind, target,
                List.copyOf(packages), title, severity, owner, OPEN, actor, now, null, null, null, null, 0);
        store.write(c -> {
            lock(c);
            try (PreparedStatement p = c.prepareStatement("INSERT INTO incident (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                p.setString(1, i.id());
                p.setString(2, kind.label());
                p.setString(3, target);
                p.setString(4, JSON.writeValueAsString(i.packages()));
                p.setString(5, title);
                p.setString(6, severity);
                p.setString(7, owner);
                p.setString(8, OPEN);
                p.setString(9, actor);
                p.setLong(10, now);
                p.setNull(11, Types.VARCHAR);
                p.setNull(12, Types.BIGINT);
                p.setNull(13, Types.VARCHAR);
                p.setNull(14, Types.VARCHAR);
                p.setInt(15, 0);
                p.executeUpdate();
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            ObjectNode d = JSON.createObjectNode().put("target", kind.label() + " " + target).put("title", title).put("severity", severity);
            if (owner != null) {
                d.put("owner", owner);
            }
            append(c, i.id(), now, "opened", actor, d);
            return null;
        });
        return i;
    }

    /** The incident with this id, or null. */
    public Incident get(String id) {
        List<Incident> l = select("WHERE id = ?", id);
        return l.isEmpty() ? null : l.get(0);
    }

    /** Incidents in a state (null: all), newest first. */
    public List<Incident> list(String state) {
        return state == null ? select("ORDER BY opened_at DESC") : select("WHERE state = ? ORDER BY opened_at DESC", state);
    }

    /** Appends an event to an open or closed incident's timeline. */
    public Event event(String id, String kind, String actor, ObjectNode detail, long now) {
        return store.write(c -> {
            lock(c);
            requireExists(c, id);
            return append(c, id, now, kind, actor, detail);
        });
    }

    /** The timeline, in order. */
    public List<Event> events(String id) {
        return events("WHERE incident_id = ? ORDER BY ordinal", id);
    }

    /** The burn-down, oldest first. */
    public List<Point> points(String id) {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT at, running FROM incident_point WHERE incident_id = ? ORDER BY at")) {
                p.setString(1, id);
                List<Point> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Point(rs.getLong(1), rs.getInt(2)));
                    }
                }
                return out;
            }
        });
    }

    /**
     * Records the running count an open incident's tracker saw: a burn-down point and a {@code running} event when
     * it differs from the last point (or there is none yet). Returns whether it changed; a closed or unknown
     * incident is left alone.
     */
    public boolean count(String id, int running, ObjectNode detail, long seenAt) {
        return store.write(c -> {
            lock(c);
            long now = seenAt;
            Integer last = null;
            String state;
            try (PreparedStatement p = c.prepareStatement("SELECT state FROM incident WHERE id = ?")) {
                p.setString(1, id);
                try (ResultSet rs = p.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                    state = rs.getString(1);
                }
            }
            if (!state.equals(OPEN)) {
                return false;
            }
            try (PreparedStatement p = c.prepareStatement("SELECT running, at FROM incident_point WHERE incident_id = ? ORDER BY at DESC LIMIT 1")) {
                p.setString(1, id);
                try (ResultSet rs = p.executeQuery()) {
                    if (rs.next()) {
                        last = rs.getInt(1);
                        now = Math.max(now, rs.getLong(2) + 1); // points keep their order when clocks of replicas differ
                    }
                }
            }
            if (last != null && last == running) {
                return false;
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO incident_point (incident_id, at, running) VALUES (?, ?, ?)")) {
                p.setString(1, id);
                p.setLong(2, now);
                p.setInt(3, running);
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE incident SET running = ? WHERE id = ?")) {
                p.setInt(1, running);
                p.setString(2, id);
                p.executeUpdate();
            }
            ObjectNode d = detail == null ? JSON.createObjectNode() : detail.deepCopy();
            d.put("running", running);
            if (last != null) {
                d.put("before", last);
            }
            append(c, id, now, "running", "custody", d);
            return true;
        });
    }

    /**
     * Closes an open incident. Returns false when it was closed already.
     *
     * @param resolution {@code no-longer-running} or {@code accepted-risk}
     */
    public boolean close(String id, String actor, String resolution, String note, long now) {
        return store.write(c -> {
            lock(c);
            requireExists(c, id);
            int n;
            try (PreparedStatement p = c.prepareStatement("UPDATE incident SET state = ?, closed_by = ?, closed_at = ?, resolution = ?, note = ? "
                    + "WHERE id = ? AND state = ?")) {
                p.setString(1, CLOSED);
                p.setString(2, actor);
                p.setLong(3, now);
                p.setString(4, resolution);
                p.setString(5, note);
                p.setString(6, id);
                p.setString(7, OPEN);
                n = p.executeUpdate();
            }
            if (n == 0) {
                return false;
            }
            ObjectNode d = JSON.createObjectNode().put("resolution", resolution);
            if (note != null) {
                d.put("note", note);
            }
            append(c, id, now, "closed", actor, d);
            return true;
        });
    }

    /** Events due for the alert webhook at {@code now} (pending, or a sender's lease ran out), oldest first. */
    public List<Event> dueNotifications(long now, int limit) {
        return events("WHERE notify_state IN ('pending', 'sending') AND notify_after <= ? ORDER BY at, incident_id, ordinal LIMIT "
                + Math.max(1, limit), now);
    }

    /**
     * Claims an event for sending until {@code leaseUntil}: true for the one replica that claimed it, so replicas
     * that share the store send each alert once (a sender that dies loses its lease, and another sends it).
     */
    public boolean claim(Event e, long now, long leaseUntil) {
        return store.write(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE incident_event SET notify_state = 'sending', notify_after = ?, "
                    + "notify_attempts = notify_attempts + 1 WHERE incident_id = ? AND ordinal = ? AND notify_state IN ('pending', 'sending') "
                    + "AND notify_after <= ? AND notify_attempts = ?")) {
                p.setLong(1, leaseUntil);
                p.setString(2, e.incidentId());
                p.setInt(3, e.ordinal());
                p.setLong(4, now);
                p.setInt(5, e.notifyAttempts());
                return p.executeUpdate() == 1;
            }
        });
    }

    /** Records how a claimed attempt ended: {@code sent}, {@code pending} (retry after {@code after}) or {@code failed}. */
    public void notified(Event e, String state, long after) {
        store.write(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE incident_event SET notify_state = ?, notify_after = ? WHERE incident_id = ? "
                    + "AND ordinal = ?")) {
                p.setString(1, state);
                p.setLong(2, after);
                p.setString(3, e.incidentId());
                p.setInt(4, e.ordinal());
                return p.executeUpdate();
            }
        });
    }

    /** The first decision that admitted (allowed or warned) any of the digests, or null. */
    public record Admission(long seq, long at, String verdict, String policyVersion, String namespace, String kind, String name,
                            String image, String digest) {}

    public Admission firstAdmission(Collection<String> digests) {
        if (digests.isEmpty()) {
            return null;
        }
        List<String> ds = List.copyOf(digests);
        return store.read(c -> {
            Admission best = null;
            for (int from = 0; from < ds.size(); from += 500) {
                List<String> chunk = ds.subList(from, Math.min(ds.size(), from + 500));
                try (PreparedStatement p = c.prepareStatement("SELECT d.seq, d.recorded_at, d.verdict, d.policy_version, d.namespace, d.kind, "
                        + "d.name, i.image, i.digest FROM decision_image i JOIN decision d ON d.seq = i.seq WHERE i.digest IN ("
                        + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ") AND d.verdict IN ('allowed', 'warned') "
                        + "ORDER BY d.seq LIMIT 1")) {
                    for (int k = 0; k < chunk.size(); k++) {
                        p.setString(k + 1, chunk.get(k));
                    }
                    try (ResultSet rs = p.executeQuery()) {
                        if (rs.next() && (best == null || rs.getLong(1) < best.seq())) {
                            best = new Admission(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                    rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9));
                        }
                    }
                }
            }
            return best;
        });
    }

    /** An object admission decisions name with one of the digests: a manifest that references it, running or not. */
    public record Reference(String namespace, String kind, String name, String image, String digest, long lastDecidedAt, String lastVerdict) {}

    public List<Reference> referencedBy(Collection<String> digests) {
        List<String> ds = List.copyOf(digests);
        return store.read(c -> {
            java.util.Map<String, Reference> out = new java.util.TreeMap<>();
            for (int from = 0; from < ds.size(); from += 500) {
                List<String> chunk = ds.subList(from, Math.min(ds.size(), from + 500));
                try (PreparedStatement p = c.prepareStatement("SELECT d.namespace, d.kind, d.name, i.image, i.digest, d.recorded_at, d.verdict "
                        + "FROM decision_image i JOIN decision d ON d.seq = i.seq WHERE i.digest IN ("
                        + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ") ORDER BY d.seq")) {
                    for (int k = 0; k < chunk.size(); k++) {
                        p.setString(k + 1, chunk.get(k));
                    }
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            Reference r = new Reference(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                    rs.getLong(6), rs.getString(7));
                            out.put(r.namespace() + "/" + r.kind() + "/" + r.name() + "/" + r.digest(), r); // the newest decision wins
                        }
                    }
                }
            }
            return List.copyOf(out.values());
        });
    }

    /**
     * Digests of these repositories the store knows, other than {@code except}: artifacts of the repository, and
     * what containers of it ran (the spec's image as written: {@code repository@digest} or {@code repository:tag}).
     * One pass over the containers whatever the number of repositories; newest artifacts first.
     */
    public Map<String, List<String>> digestsOf(Collection<String> repositories, Collection<String> except) {
        Map<String, java.util.LinkedHashSet<String>> found = new java.util.TreeMap<>();
        repositories.forEach(r -> found.put(r, new java.util.LinkedHashSet<>()));
        if (repositories.isEmpty()) {
            return Map.of();
        }
        store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT digest FROM artifact WHERE repository = ? ORDER BY last_seen DESC LIMIT 200")) {
                for (String repo : repositories) {
                    p.setString(1, repo);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            found.get(repo).add(rs.getString(1));
                        }
                    }
                }
            }
            try (PreparedStatement p = c.prepareStatement("SELECT DISTINCT image, digest FROM runtime_container WHERE digest IS NOT NULL");
                 ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    String image = rs.getString(1);
                    int at = image.indexOf('@');
                    String name = at < 0 ? image : image.substring(0, at);
                    int colon = name.lastIndexOf(':');
                    if (colon > name.lastIndexOf('/')) {
                        name = name.substring(0, colon);
                    }
                    var set = found.get(name);
                    if (set != null) {
                        set.add(rs.getString(2));
                    }
                }
            }
            return null;
        });
        Map<String, List<String>> out = new java.util.TreeMap<>();
        found.forEach((repo, ds) -> {
            ds.removeAll(except);
            out.put(repo, List.copyOf(ds));
        });
        return out;
    }

    // ---------------------------------------------------------------- helpers

    private void lock(Connection c) throws SQLException {
        if (store.dialect() == Dialect.POSTGRESQL) {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + Locks.INCIDENTS + ")");
            }
        }
    }

    private static void requireExists(Connection c, String id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM incident WHERE id = ?")) {
            p.setString(1, id);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("no incident " + id);
                }
            }
        }
    }

    private static Event append(Connection c, String id, long at, String kind, String actor, ObjectNode detail) throws SQLException {
        int ordinal;
        try (PreparedStatement p = c.prepareStatement("SELECT COALESCE(MAX(ordinal), 0) FROM incident_event WHERE incident_id = ?")) {
            p.setString(1, id);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                ordinal = rs.getInt(1) + 1;
            }
        }
        String notify = NOTIFIED.contains(kind) ? "pending" : "none";
        ObjectNode d = detail == null ? JSON.createObjectNode() : detail;
        try (PreparedStatement p = c.prepareStatement("INSERT INTO incident_event (incident_id, ordinal, at, kind, actor, detail, notify_state, "
                + "notify_attempts, notify_after) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0)")) {
            p.setString(1, id);
            p.setInt(2, ordinal);
            p.setLong(3, at);
            p.setString(4, kind);
            p.setString(5, actor == null ? "" : actor);
            p.setString(6, d.toString());
            p.setString(7, notify);
            p.executeUpdate();
        }
        return new Event(id, ordinal, at, kind, actor == null ? "" : actor, d, notify, 0);
    }

    private List<Event> events(String where, Object... args) {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT incident_id, ordinal, at, kind, actor, detail, notify_state, notify_attempts "
                    + "FROM incident_event " + where)) {
                for (int k = 0; k < args.length; k++) {
                    p.setObject(k + 1, args[k]);
                }
                List<Event> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Event(rs.getString(1), rs.getInt(2), rs.getLong(3), rs.getString(4), rs.getString(5), tree(rs.getString(6)),
                                rs.getString(7), rs.getInt(8)));
                    }
                }
                return out;
            }
        });
    }

    private List<Incident> select(String where, String... args) {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM incident " + where)) {
                for (int k = 0; k < args.length; k++) {
                    p.setString(k + 1, args[k]);
                }
                List<Incident> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        long closed = rs.getLong(12);
                        Long closedAt = rs.wasNull() ? null : closed;
                        List<String> packages;
                        try {
                            packages = JSON.readValue(rs.getString(4), new TypeReference<List<String>>() {});
                        } catch (JsonProcessingException e) {
                            throw new StoreException("incident.packages of " + rs.getString(1) + " is not a JSON array of strings", e);
                        }
                        out.add(new Incident(rs.getString(1), TargetKind.valueOf(rs.getString(2).toUpperCase(Locale.ROOT)), rs.getString(3),
                                packages, rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getLong(10),
                                rs.getString(11), closedAt, rs.getString(13), rs.getString(14), rs.getInt(15)));
                    }
                }
                return out;
            }
        });
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new StoreException("incident_event.detail is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
