package dev.custody.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/** VEX statements tied to image digests (and packages), as imported; a document is stored once by its hash. */
public final class VexStore {

    /** One stored statement row (one product, one subcomponent or none). */
    public record Row(String vulnerability, List<String> aliases, String productDigest, String productPurl, String subcomponent, String status,
                      String justification, String impact, String action, Long statedAt, long importedAt, String source) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Store store;

    public VexStore(Store store) {
        this.store = store;
    }

    /** Stores a document's rows, unless a document with this hash is stored already; returns whether it was new. */
    public boolean add(String docHash, List<Row> rows) {
        return store.write(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM vex_statement WHERE doc_hash = ? LIMIT 1")) {
                p.setString(1, docHash);
                try (ResultSet rs = p.executeQuery()) {
                    if (rs.next()) {
                        return false;
                    }
                }
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO vex_statement (doc_hash, ordinal, vulnerability, aliases, product_digest, "
                    + "product_purl, subcomponent, status, justification, impact, action, stated_at, imported_at, source) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                int k = 0;
                for (Row r : rows) {
                    p.setString(1, docHash);
                    p.setInt(2, k++);
                    p.setString(3, r.vulnerability());
                    p.setString(4, JSON.writeValueAsString(r.aliases()));
                    p.setString(5, r.productDigest());
                    p.setString(6, r.productPurl());
                    p.setString(7, r.subcomponent());
                    p.setString(8, r.status());
                    p.setString(9, r.justification());
                    p.setString(10, r.impact());
                    p.setString(11, r.action());
                    if (r.statedAt() == null) {
                        p.setNull(12, Types.BIGINT);
                    } else {
                        p.setLong(12, r.statedAt());
                    }
                    p.setLong(13, r.importedAt());
                    p.setString(14, r.source());
                    p.addBatch();
                }
                p.executeBatch();
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            return true;
        });
    }

    /** Every statement about an image digest, oldest first (by statement time, then import). */
    public List<Row> forDigest(String digest) {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT vulnerability, aliases, product_digest, product_purl, subcomponent, status, "
                    + "justification, impact, action, stated_at, imported_at, source FROM vex_statement WHERE product_digest = ? "
                    + "ORDER BY COALESCE(stated_at, imported_at), imported_at, doc_hash, ordinal")) {
                p.setString(1, digest);
                List<Row> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        long stated = rs.getLong(10);
                        Long statedAt = rs.wasNull() ? null : stated;
                        List<String> aliases;
                        try {
                            aliases = JSON.readValue(rs.getString(2), new TypeReference<List<String>>() {});
                        } catch (JsonProcessingException e) {
                            throw new StoreException("vex_statement.aliases is not a JSON array", e);
                        }
                        out.add(new Row(rs.getString(1), aliases, rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
                                rs.getString(8), rs.getString(9), statedAt, rs.getLong(11), rs.getString(12)));
                    }
                }
                return out;
            }
        });
    }
}
