package dev.custody.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The advisory database: OSV records by id, with the packages they affect and their aliases apart for lookups.
 * The importer decides what to write (a record replaces a stored one only when its {@code modified} is newer);
 * this class writes a batch of whole records in one transaction, so a record is stored whole or not at all.
 */
public final class Advisories {

    /** A record to store: its lookups, and its exact JSON. {@code packages} holds {ecosystem key, name} pairs. */
    public record Row(String id, long modified, Long published, Long withdrawn, String summary, String severity, Double score,
                      List<String> aliases, List<String[]> packages, byte[] json) {}

    /** A stored record as matching reads it. */
    public record Stored(String id, long modified, String severity, Double score, List<String> aliases, byte[] json) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Store store;

    public Advisories(Store store) {
        this.store = store;
    }

    /** The stored {@code modified} of each id that is stored. */
    public Map<String, Long> modifiedOf(Collection<String> ids) {
        List<String> list = List.copyOf(ids);
        Map<String, Long> out = new HashMap<>();
        store.read(c -> {
            for (int from = 0; from < list.size(); from += 500) {
                List<String> chunk = list.subList(from, Math.min(list.size(), from + 500));
                try (PreparedStatement p = c.prepareStatement("SELECT id, modified FROM advisory WHERE id IN ("
                        + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ")")) {
                    for (int k = 0; k < chunk.size(); k++) {
                        p.setString(k + 1, chunk.get(k));
                    }
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            out.put(rs.getString(1), rs.getLong(2));
                        }
                    }
                }
            }
            return null;
        });
        return out;
    }

    /** Writes (inserts or replaces) whole records, in one transaction. */
    public void write(List<Row> rows, String source, long now) {
        if (rows.isEmpty()) {
            return;
        }
        store.write(c -> {
            try (PreparedStatement delAlias = c.prepareStatement("DELETE FROM advisory_alias WHERE id = ?");
                 PreparedStatement delPkg = c.prepareStatement("DELETE FROM advisory_package WHERE id = ?");
                 PreparedStatement up = c.prepareStatement("INSERT INTO advisory (id, modified, published, withdrawn, summary, severity, score, aliases, "
                         + "record, source, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET modified = excluded.modified, "
                         + "published = excluded.published, withdrawn = excluded.withdrawn, summary = excluded.summary, severity = excluded.severity, "
                         + "score = excluded.score, aliases = excluded.aliases, record = excluded.record, source = excluded.source, "
                         + "imported_at = excluded.imported_at");
                 PreparedStatement alias = c.prepareStatement("INSERT INTO advisory_alias (alias, id) VALUES (?, ?) ON CONFLICT DO NOTHING");
                 PreparedStatement pkg = c.prepareStatement("INSERT INTO advisory_package (id, ordinal, ecosystem, name) VALUES (?, ?, ?, ?)")) {
                for (Row r : rows) {
                    delAlias.setString(1, r.id());
                    delAlias.addBatch();
                    delPkg.setString(1, r.id());
                    delPkg.addBatch();
                }
                delAlias.executeBatch();
                delPkg.executeBatch();
                for (Row r : rows) {
                    up.setString(1, r.id());
                    up.setLong(2, r.modified());
                    setLong(up, 3, r.published());
                    setLong(up, 4, r.withdrawn());
                    up.setString(5, r.summary() == null ? null : r.summary().length() > 1000 ? r.summary().substring(0, 1000) : r.summary());
                    up.setString(6, r.severity());
                    if (r.score() == null) {
                        up.setNull(7, Types.REAL);
                    } else {
                        up.setDouble(7, r.score());
                    }
                    up.setString(8, json(r.aliases()));
                    up.setBytes(9, SbomStore.deflate(r.json()));
                    up.setString(10, source);
                    up.setLong(11, now);
                    up.addBatch();
                    for (String a : r.aliases()) {
                        alias.setString(1, a);
                        alias.setString(2, r.id());
                        alias.addBatch();
                    }
                    int k = 0;
                    for (String[] p : r.packages()) {
                        pkg.setString(1, r.id());
                        pkg.setInt(2, k++);
                        pkg.setString(3, p[0]);
                        pkg.setString(4, p[1]);
                        pkg.addBatch();
                    }
                }
                up.executeBatch();
                alias.executeBatch();
                pkg.executeBatch();
            }
            bump(c);
            return null;
        });
    }

    /** Raises the generation, in the caller's transaction. */
    static void bump(java.sql.Connection c) throws java.sql.SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE advisory_generation SET generation = generation + 1 WHERE id = 1")) {
            p.executeUpdate();
        }
    }

    /** The generation: it changes with every write to records, the known-exploited catalogue or exploit scores. */
    public long generation() {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT generation FROM advisory_generation WHERE id = 1"); ResultSet rs = p.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /** Every (ecosystem key, package name) some record in force affects, as {@code ecosystem NUL name}. */
    public java.util.Set<String> packageKeys() {
        return store.read(c -> {
            java.util.Set<String> out = new java.util.HashSet<>();
            try (PreparedStatement p = c.prepareStatement("SELECT DISTINCT p.ecosystem, p.name FROM advisory_package p JOIN advisory a ON a.id = p.id "
                    + "WHERE a.withdrawn IS NULL"); ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + "\u0000" + rs.getString(2));
                }
            }
            return out;
        });
    }

    /** Records in force (not withdrawn) that affect a package, by ecosystem key and OSV package name. */
    public List<Stored> affecting(String ecosystem, String name) {
        return store.read(c -> select(c, "SELECT a.id, a.modified, a.severity, a.score, a.aliases, a.record FROM advisory a WHERE a.withdrawn IS NULL "
                + "AND a.id IN (SELECT p.id FROM advisory_package p WHERE p.ecosystem = ? AND p.name = ?)", ecosystem, name));
    }

    /** The record with this id or alias, or null. */
    public Stored get(String idOrAlias) {
        return store.read(c -> {
            List<Stored> l = select(c, "SELECT a.id, a.modified, a.severity, a.score, a.aliases, a.record FROM advisory a WHERE a.id = ?", idOrAlias);
            if (l.isEmpty()) {
                l = select(c, "SELECT a.id, a.modified, a.severity, a.score, a.aliases, a.record FROM advisory a WHERE a.id IN "
                        + "(SELECT id FROM advisory_alias WHERE alias = ?) ORDER BY a.id", idOrAlias);
            }
            return l.isEmpty() ? null : l.get(0);
        });
    }

    /** Replaces the known-exploited catalogue: CVE id to the date it was added (or null). */
    public void replaceKev(Map<String, String> cves, String catalog) {
        store.write(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM advisory_kev");
                 PreparedStatement ins = c.prepareStatement("INSERT INTO advisory_kev (cve, date_added, catalog) VALUES (?, ?, ?)")) {
                del.executeUpdate();
                for (var e : cves.entrySet()) {
                    ins.setString(1, e.getKey());
                    ins.setString(2, e.getValue());
                    ins.setString(3, catalog);
                    ins.addBatch();
                }
                ins.executeBatch();
            }
            bump(c);
            return null;
        });
    }

    /** An exploit prediction score. */
    public record Epss(double score, double percentile, String scoredOn) {}

    /** Replaces the exploit prediction scores. */
    public void replaceEpss(Map<String, Epss> scores) {
        store.write(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM advisory_epss");
                 PreparedStatement ins = c.prepareStatement("INSERT INTO advisory_epss (cve, score, percentile, scored_on) VALUES (?, ?, ?, ?)")) {
                del.executeUpdate();
                int n = 0;
                for (var e : scores.entrySet()) {
                    ins.setString(1, e.getKey());
                    ins.setDouble(2, e.getValue().score());
                    ins.setDouble(3, e.getValue().percentile());
                    ins.setString(4, e.getValue().scoredOn());
                    ins.addBatch();
                    if (++n % 5000 == 0) {
                        ins.executeBatch();
                    }
                }
                ins.executeBatch();
            }
            bump(c);
            return null;
        });
    }

    /** Which of these ids are known exploited (by CVE id). */
    public java.util.Set<String> knownExploited(Collection<String> ids) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        List<String> list = List.copyOf(new java.util.TreeSet<>(ids));
        store.read(c -> {
            for (int from = 0; from < list.size(); from += 500) {
                List<String> chunk = list.subList(from, Math.min(list.size(), from + 500));
                try (PreparedStatement p = c.prepareStatement("SELECT cve FROM advisory_kev WHERE cve IN ("
                        + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ")")) {
                    for (int k = 0; k < chunk.size(); k++) {
                        p.setString(k + 1, chunk.get(k));
                    }
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            out.add(rs.getString(1));
                        }
                    }
                }
            }
            return null;
        });
        return out;
    }

    /** The exploit prediction scores of these ids that have one. */
    public Map<String, Epss> epss(Collection<String> ids) {
        Map<String, Epss> out = new HashMap<>();
        List<String> list = List.copyOf(new java.util.TreeSet<>(ids));
        store.read(c -> {
            for (int from = 0; from < list.size(); from += 500) {
                List<String> chunk = list.subList(from, Math.min(list.size(), from + 500));
                try (PreparedStatement p = c.prepareStatement("SELECT cve, score, percentile, scored_on FROM advisory_epss WHERE cve IN ("
                        + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ")")) {
                    for (int k = 0; k < chunk.size(); k++) {
                        p.setString(k + 1, chunk.get(k));
                    }
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            out.put(rs.getString(1), new Epss(rs.getDouble(2), rs.getDouble(3), rs.getString(4)));
                        }
                    }
                }
            }
            return null;
        });
        return out;
    }

    /** Every record that has this id or names it as an alias (a CVE's GHSA, PYSEC and distribution records). */
    public List<Stored> allNaming(String idOrAlias) {
        return store.read(c -> select(c, "SELECT a.id, a.modified, a.severity, a.score, a.aliases, a.record FROM advisory a WHERE a.id = ? "
                + "OR a.id IN (SELECT id FROM advisory_alias WHERE alias = ?) ORDER BY a.id", idOrAlias, idOrAlias));
    }

    /** How many records are stored, and how many of them are withdrawn. */
    public long[] counts() {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*), COUNT(withdrawn) FROM advisory"); ResultSet rs = p.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        });
    }

    private static List<Stored> select(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int k = 0; k < args.length; k++) {
                p.setString(k + 1, args[k]);
            }
            List<Stored> out = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    double score = rs.getDouble(4);
                    Double s = rs.wasNull() ? null : score;
                    List<String> aliases;
                    try {
                        aliases = JSON.readValue(rs.getString(5), new TypeReference<List<String>>() {});
                    } catch (JsonProcessingException e) {
                        throw new StoreException("advisory.aliases of " + rs.getString(1) + " is not a JSON array", e);
                    }
                    out.add(new Stored(rs.getString(1), rs.getLong(2), rs.getString(3), s, aliases, SbomStore.inflate(rs.getBytes(6))));
                }
            }
            return out;
        }
    }

    private static void setLong(PreparedStatement p, int i, Long v) throws SQLException {
        if (v == null) {
            p.setNull(i, Types.BIGINT);
        } else {
            p.setLong(i, v);
        }
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
