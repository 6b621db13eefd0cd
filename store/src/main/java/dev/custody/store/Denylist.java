package dev.custody.store;

import dev.custody.sbom.PackageUrl;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Digests and packages that must not run. Entries are accountable (who, why, when) and may expire; the incident
 * path adds them, admission and the runtime inventory read them.
 */
public final class Denylist {

    /** What an entry blocks. */
    public enum Kind {
        /** An image digest, sha256:&lt;hex&gt;. */
        DIGEST,
        /** A package URL; without a version it blocks every version. */
        PURL,
        /** Every image of a repository, {@code registry/path} normalized as image references are. */
        REPOSITORY,
        /** A vulnerability id (CVE, GHSA, ...): every digest whose SBOM lists a version the advisory database says it affects. */
        VULNERABILITY
    }

    private static final java.util.regex.Pattern VULNERABILITY_ID = java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9._:-]{1,120}");

    /**
     * One entry.
     *
     * @param id        stable id: the first 16 hex digits of SHA-256 over kind and value
     * @param expiresAt epoch milliseconds, or null for no expiry
     */
    public record Entry(String id, Kind kind, String value, String reason, String createdBy, long createdAt, Long expiresAt, String incident) {}

    private final Store store;

    public Denylist(Store store) {
        this.store = store;
    }

    /** Adds an entry, or renews the one with the same kind and value (new reason, author, expiry). */
    public Entry add(Kind kind, String value, String reason, String createdBy, Long expiresAt) {
        return add(kind, value, reason, createdBy, expiresAt, null);
    }

    /** As above, for an incident (its id, as the incident tracker names it; null for none). */
    public Entry add(Kind kind, String value, String reason, String createdBy, Long expiresAt, String incident) {
        validate(kind, value, reason);
        if (incident != null && (incident.isBlank() || incident.length() > 200)) {
            throw new IllegalArgumentException("an incident id is 1 to 200 characters, found \"" + incident + "\"");
        }
        if (kind == Kind.PURL) {
            value = PackageUrl.parse(value).canonical(); // one entry per package, however it was spelled
        }
        if (kind == Kind.REPOSITORY) {
            value = repository(value);
        }
        Entry e = new Entry(id(kind, value), kind, value, reason, createdBy, System.currentTimeMillis(), expiresAt, incident);
        return write(e);
    }

    /** Throws IllegalArgumentException naming what is wrong with an entry, before anything is written. */
    public static void validate(Kind kind, String value, String reason) {
        if (kind == Kind.DIGEST && !SbomStore.DIGEST.matcher(value).matches()) {
            throw new IllegalArgumentException("digest must be sha256:<64 lower-case hex>, found \"" + value + "\"");
        }
        if (kind == Kind.PURL) {
            PackageUrl.parse(value); // throws naming the text and what is wrong with it
        }
        if (kind == Kind.REPOSITORY) {
            repository(value);
        }
        if (kind == Kind.VULNERABILITY && (value == null || !VULNERABILITY_ID.matcher(value).matches())) {
            throw new IllegalArgumentException("a vulnerability entry is an advisory id such as CVE-2024-3094 or GHSA-xxxx-xxxx-xxxx; found \"" + value + "\"");
        }
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a denylist entry needs a reason");
        }
    }

    /** One act on the denylist: an entry added (or renewed) or removed, by whom, when and why. */
    public record Event(String entryId, Kind kind, String value, String action, String reason, String actor, long at) {}

    private static void event(java.sql.Connection c, String entryId, Kind kind, String value, String action, String reason, String actor, long at)
            throws java.sql.SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO denylist_event (event_id, entry_id, kind, value, action, reason, actor, at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            p.setString(1, java.util.UUID.randomUUID().toString());
            p.setString(2, entryId);
            p.setString(3, kind.name().toLowerCase(java.util.Locale.ROOT));
            p.setString(4, value);
            p.setString(5, action);
            p.setString(6, reason);
            p.setString(7, actor == null ? "" : actor);
            p.setLong(8, at);
            p.executeUpdate();
        }
    }

    private Entry write(Entry e) {
        store.write(c -> {
            event(c, e.id(), e.kind(), e.value(), "add", e.reason(), e.createdBy(), e.createdAt());
            try (PreparedStatement p = c.prepareStatement("INSERT INTO denylist (id, kind, value, reason, created_by, created_at, expires_at, incident) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET reason = excluded.reason, created_by = excluded.created_by, "
                    + "created_at = excluded.created_at, expires_at = excluded.expires_at, incident = excluded.incident")) {
                p.setString(1, e.id());
                p.setString(2, e.kind().name().toLowerCase(java.util.Locale.ROOT));
                p.setString(3, e.value());
                p.setString(4, e.reason());
                p.setString(5, e.createdBy());
                p.setLong(6, e.createdAt());
                if (e.expiresAt() == null) {
                    p.setNull(7, java.sql.Types.BIGINT);
                } else {
                    p.setLong(7, e.expiresAt());
                }
                p.setString(8, e.incident());
                return p.executeUpdate();
            }
        });
        return e;
    }

    /** Entries in force at a time (not expired), newest first. */
    public List<Entry> active(long at) {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT id, kind, value, reason, created_by, created_at, expires_at, incident FROM denylist "
                    + "WHERE expires_at IS NULL OR expires_at > ? ORDER BY created_at DESC")) {
                p.setLong(1, at);
                List<Entry> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        long exp = rs.getLong(7);
                        Long expires = rs.wasNull() ? null : exp;
                        out.add(new Entry(rs.getString(1), Kind.valueOf(rs.getString(2).toUpperCase(java.util.Locale.ROOT)), rs.getString(3),
                                rs.getString(4), rs.getString(5), rs.getLong(6), expires, rs.getString(8)));
                    }
                }
                return out;
            }
        });
    }

    /**
     * Removes an entry by id, an audited act: who and why are recorded with the entry's kind and value, and the
     * history outlives the entry. Returns whether one was removed.
     */
    public boolean remove(String id, String actor, String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("removing a denylist entry needs a reason");
        }
        return store.write(c -> {
            Kind kind;
            String value;
            try (PreparedStatement p = c.prepareStatement("SELECT kind, value FROM denylist WHERE id = ?")) {
                p.setString(1, id);
                try (ResultSet rs = p.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                    kind = Kind.valueOf(rs.getString(1).toUpperCase(java.util.Locale.ROOT));
                    value = rs.getString(2);
                }
            }
            try (PreparedStatement p = c.prepareStatement("DELETE FROM denylist WHERE id = ?")) {
                p.setString(1, id);
                p.executeUpdate();
            }
            event(c, id, kind, value, "remove", reason, actor, System.currentTimeMillis());
            return true;
        });
    }

    /** Every act on the denylist since {@code since} (epoch milliseconds), oldest first. */
    public List<Event> history(long since) {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT entry_id, kind, value, action, reason, actor, at FROM denylist_event WHERE at >= ? "
                    + "ORDER BY at, event_id")) {
                p.setLong(1, since);
                List<Event> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Event(rs.getString(1), Kind.valueOf(rs.getString(2).toUpperCase(java.util.Locale.ROOT)), rs.getString(3),
                                rs.getString(4), rs.getString(5), rs.getString(6), rs.getLong(7)));
                    }
                }
                return out;
            }
        });
    }

    private static final java.util.regex.Pattern REPOSITORY_NAME = java.util.regex.Pattern.compile(
            "[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)+");

    /** A repository as callers pass it: already normalized, {@code registry/path} (the CLI normalizes what users type). */
    static String repository(String text) {
        if (text == null || !REPOSITORY_NAME.matcher(text).matches()) {
            throw new IllegalArgumentException("a repository entry is registry/path without tag or digest, as in registry.example/shop/api; found \""
                    + text + "\"");
        }
        return text;
    }

    static String id(Kind kind, String value) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((kind.name() + " " + value).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
