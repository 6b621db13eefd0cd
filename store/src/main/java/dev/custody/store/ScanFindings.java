package dev.custody.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Scanner findings per image digest: each scanner's latest report for a digest, as rows. */
public final class ScanFindings {

    /** One finding; {@code purl} is empty when the scanner gave none. */
    public record Row(String digest, String source, String vulnerability, String purl, String packageName, String version, List<String> aliases,
                      String severity, List<String> fixed, String state, String reportHash, long importedAt) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Store store;

    public ScanFindings(Store store) {
        this.store = store;
    }

    /**
     * Replaces {@code source}'s findings for {@code digest} with a report's (rows of one report that repeat a key are
     * kept once). Returns how many rows were stored.
     */
    public int replace(String digest, String source, List<Row> rows) {
        Map<String, Row> unique = new LinkedHashMap<>();
        for (Row r : rows) {
            unique.putIfAbsent(r.vulnerability() + "\u0000" + r.purl() + "\u0000" + r.packageName(), r);
        }
        return store.write(c -> {
            try (PreparedStatement d = c.prepareStatement("DELETE FROM scan_finding WHERE digest = ? AND source = ?")) {
                d.setString(1, digest);
                d.setString(2, source);
                d.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO scan_finding (digest, source, vulnerability, purl, package, version, aliases, "
                    + "severity, fixed, state, report_hash, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (Row r : unique.values()) {
                    p.setString(1, digest);
                    p.setString(2, source);
                    p.setString(3, r.vulnerability());
                    p.setString(4, r.purl());
                    p.setString(5, r.packageName());
                    p.setString(6, r.version());
                    p.setString(7, json(r.aliases()));
                    p.setString(8, r.severity());
                    p.setString(9, json(r.fixed()));
                    p.setString(10, r.state());
                    p.setString(11, r.reportHash());
                    p.setLong(12, r.importedAt());
                    p.addBatch();
                }
                p.executeBatch();
            }
            return unique.size();
        });
    }

    /** Whether any scanner reported about the digest. */
    public boolean exists(String digest) {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM scan_finding WHERE digest = ? LIMIT 1")) {
                p.setString(1, digest);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** Every scanner finding of a digest, by source, vulnerability and package. */
    public List<Row> of(String digest) {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT digest, source, vulnerability, purl, package, version, aliases, severity, fixed, "
                    + "state, report_hash, imported_at FROM scan_finding WHERE digest = ? ORDER BY source, vulnerability, purl, package")) {
                p.setString(1, digest);
                List<Row> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                                list(rs.getString(7)), rs.getString(8), list(rs.getString(9)), rs.getString(10), rs.getString(11), rs.getLong(12)));
                    }
                }
                return out;
            }
        });
    }

    private static String json(List<String> l) {
        try {
            return JSON.writeValueAsString(l);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> list(String s) {
        try {
            return JSON.readValue(s, new TypeReference<List<String>>() {});
        } catch (JsonProcessingException e) {
            throw new StoreException("scan_finding: a stored list does not read: " + e.getOriginalMessage(), e);
        }
    }
}
