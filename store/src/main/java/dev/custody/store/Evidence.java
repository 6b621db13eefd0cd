package dev.custody.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.sbom.PackageUrl;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Read side of the store: what is known about a digest, where a package is, what was decided. */
public final class Evidence {

    /** A component as stored (keyed by purl). */
    public record ComponentRow(String purl, String name, String version, String type, List<String> licenses, Map<String, String> hashes,
                               String supplier) {}

    /** A component and the SBOMs and digests that contain it. */
    public record ComponentHit(ComponentRow component, List<String> digests, List<String> sboms) {}

    /** An SBOM document's summary. */
    public record SbomSummary(String contentHash, String format, String specVersion, String name, int components, int dependencies,
                              double qualityScore, JsonNode quality, long sizeBytes, long ingestedAt, String source) {}

    public record Tag(String repository, String tag, long firstSeen, long lastSeen) {}

    public record Verification(String id, String kind, String predicateType, String signerIdentity, String signerIssuer, String trustRoot,
                               Long signedAt, long verifiedAt) {}

    public record Provenance(String builderId, String buildType, String sourceRepository, String sourceRef, String sourceCommit) {}

    /** A logged decision: its sequence number, chain hash, and the record as it was hashed. */
    public record Decision(long seq, String hash, JsonNode record) {}

    /** Everything the store knows about one digest. */
    public record Artifact(String digest, String repository, String mediaType, String platform, String parentDigest, Long firstSeen,
                           Long lastSeen, List<Tag> tags, List<Verification> verifications, List<Provenance> provenance,
                           List<SbomSummary> sboms, List<Decision> decisions) {}

    /** Decision filters; null means no filter. Times are epoch milliseconds, since inclusive, until exclusive. */
    public record DecisionQuery(Long since, Long until, String namespace, String verdict, String rule, int limit) {}

    /** An image admitted without a piece of evidence in a window. */
    public record Unevidenced(String image, String digest, long admissions, long firstAdmitted, long lastAdmitted) {}

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
    private static final TypeReference<Map<String, String>> HASHES = new TypeReference<>() {};

    /** At most this many components a lookup returns. */
    static final int MAX_HITS = 1000;

    private final Store store;

    public Evidence(Store store) {
        this.store = store;
    }

    /** Components of every SBOM linked to a digest, each once, in document order. */
    public List<ComponentRow> componentsOf(String digest) {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT k.purl, k.name, k.version, k.type, k.licenses, k.hashes, k.supplier, "
                    + "MIN(m.doc_id) AS d, MIN(m.ordinal) AS o FROM sbom_link l JOIN sbom_component m ON m.doc_id = l.doc_id "
                    + "JOIN component k ON k.component_id = m.component_id WHERE l.digest = ? "
                    + "GROUP BY k.component_id, k.purl, k.name, k.version, k.type, k.licenses, k.hashes, k.supplier ORDER BY d, o")) {
                p.setString(1, digest);
                return components(p);
            }
        });
    }

    /**
     * Components by purl, across every SBOM, compared by parsed parts ({@link PackageUrl#matches}): a purl without a
     * version (pkg:npm/lodash) matches every version; qualifiers and subpath count only where given, in any order,
     * and however the text is percent-encoded.
     *
     * @throws PackageUrl.MalformedException when {@code purl} is not a purl
     */
    public List<ComponentHit> componentsByPurl(String purl) {
        return componentsByPurl(PackageUrl.parse(purl));
    }

    /** Components whose purl {@code query} matches; see {@link #componentsByPurl(String)}. */
    public List<ComponentHit> componentsByPurl(PackageUrl query) {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT k.component_id, k.purl, k.name, k.version, k.type, k.licenses, k.hashes, "
                    + "k.supplier FROM component k WHERE k.purl_name = ? AND k.purl_type = ? AND k.purl_namespace = ?"
                    + (query.version() == null ? "" : " AND k.purl_version = ?") + " ORDER BY k.purl LIMIT 20000")) {
                p.setString(1, query.name());
                p.setString(2, query.type());
                p.setString(3, query.namespace());
                if (query.version() != null) {
                    p.setString(4, query.version());
                }
                return hits(c, p, row -> {
                    PackageUrl stored = PackageUrl.parseOrNull(row.purl());
                    return stored != null && query.matches(stored);
                });
            }
        });
    }

    /** Components by exact name, and version when given, across every SBOM. */
    public List<ComponentHit> componentsByName(String name, String version) {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT k.component_id, k.purl, k.name, k.version, k.type, k.licenses, k.hashes, "
                    + "k.supplier FROM component k WHERE k.name = ?" + (version == null ? "" : " AND k.version = ?")
                    + " ORDER BY k.version, k.purl LIMIT " + MAX_HITS)) {
                p.setString(1, name);
                if (version != null) {
                    p.setString(2, version);
                }
                return hits(c, p, row -> true);
            }
        });
    }

    private static String like(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private List<ComponentHit> hits(Connection c, PreparedStatement p, java.util.function.Predicate<ComponentRow> keep) throws SQLException {
        Map<Long, ComponentRow> found = new LinkedHashMap<>();
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next() && found.size() < MAX_HITS) {
                ComponentRow row = row(rs, 2);
                if (keep.test(row)) {
                    found.put(rs.getLong(1), row);
                }
            }
        }
        List<ComponentHit> out = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("SELECT DISTINCT s.content_hash, l.digest FROM sbom_component m "
                + "JOIN sbom_document s ON s.doc_id = m.doc_id LEFT JOIN sbom_link l ON l.doc_id = m.doc_id "
                + "WHERE m.component_id = ? ORDER BY s.content_hash, l.digest")) {
            for (Map.Entry<Long, ComponentRow> e : found.entrySet()) {
                q.setLong(1, e.getKey());
                List<String> sboms = new ArrayList<>();
                List<String> digests = new ArrayList<>();
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        if (!sboms.contains(rs.getString(1))) {
                            sboms.add(rs.getString(1));
                        }
                        String d = rs.getString(2);
                        if (d != null && !digests.contains(d)) {
                            digests.add(d);
                        }
                    }
                }
                out.add(new ComponentHit(e.getValue(), digests, sboms));
            }
        }
        return out;
    }

    private static List<ComponentRow> components(PreparedStatement p) throws SQLException {
        List<ComponentRow> out = new ArrayList<>();
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.add(row(rs, 1));
            }
        }
        return out;
    }

    private static ComponentRow row(ResultSet rs, int at) throws SQLException {
        String licenses = rs.getString(at + 4);
        String hashes = rs.getString(at + 5);
        return new ComponentRow(rs.getString(at), rs.getString(at + 1), rs.getString(at + 2), rs.getString(at + 3),
                licenses == null ? List.of() : parse(licenses, STRINGS), hashes == null ? Map.of() : parse(hashes, HASHES),
                rs.getString(at + 6));
    }

    private static <T> T parse(String json, TypeReference<T> type) {
        try {
            return Chain.JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new StoreException("stored JSON is corrupt: " + e.getOriginalMessage(), e);
        }
    }

    private static JsonNode tree(String json) {
        try {
            return Chain.JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new StoreException("stored JSON is corrupt: " + e.getOriginalMessage(), e);
        }
    }

    /** Everything about a digest, or null when the store has never heard of it. */
    public Artifact artifact(String digest, int decisionLimit) {
        return store.read(c -> {
            String repository = null;
            String mediaType = null;
            String platform = null;
            String parent = null;
            Long first = null;
            Long last = null;
            try (PreparedStatement p = c.prepareStatement("SELECT repository, media_type, platform, parent_digest, first_seen, last_seen "
                    + "FROM artifact WHERE digest = ?")) {
                p.setString(1, digest);
                try (ResultSet rs = p.executeQuery()) {
                    if (rs.next()) {
                        repository = rs.getString(1);
                        mediaType = rs.getString(2);
                        platform = rs.getString(3);
                        parent = rs.getString(4);
                        first = rs.getLong(5);
                        last = rs.getLong(6);
                    }
                }
            }
            List<Tag> tags = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT repository, tag, first_seen, last_seen FROM artifact_tag WHERE digest = ? "
                    + "ORDER BY last_seen DESC")) {
                p.setString(1, digest);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        tags.add(new Tag(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)));
                    }
                }
            }
            List<Verification> verifications = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT id, kind, predicate_type, signer_identity, signer_issuer, trust_root, "
                    + "signed_at, verified_at FROM verification WHERE digest = ? ORDER BY verified_at DESC")) {
                p.setString(1, digest);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        long signed = rs.getLong(7);
                        Long signedAt = rs.wasNull() ? null : signed;
                        verifications.add(new Verification(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), signedAt, rs.getLong(8)));
                    }
                }
            }
            List<Provenance> provenance = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT builder_id, build_type, source_repository, source_ref, source_commit "
                    + "FROM provenance WHERE digest = ? ORDER BY recorded_at DESC")) {
                p.setString(1, digest);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        provenance.add(new Provenance(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                    }
                }
            }
            List<SbomSummary> sboms = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT s.content_hash, s.format, s.spec_version, s.name, s.component_count, "
                    + "s.dependency_count, s.quality_score, s.quality, s.size_bytes, s.ingested_at, s.source FROM sbom_link l "
                    + "JOIN sbom_document s ON s.doc_id = l.doc_id WHERE l.digest = ? ORDER BY l.linked_at DESC")) {
                p.setString(1, digest);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        sboms.add(new SbomSummary(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                                rs.getInt(6), rs.getDouble(7), tree(rs.getString(8)), rs.getLong(9), rs.getLong(10), rs.getString(11)));
                    }
                }
            }
            List<Decision> decisions = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT d.seq, d.hash, d.body FROM decision d WHERE d.seq IN "
                    + "(SELECT i.seq FROM decision_image i WHERE i.digest = ?) ORDER BY d.seq DESC LIMIT ?")) {
                p.setString(1, digest);
                p.setInt(2, decisionLimit);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        decisions.add(new Decision(rs.getLong(1), rs.getString(2), tree(rs.getString(3))));
                    }
                }
            }
            if (first == null && tags.isEmpty() && verifications.isEmpty() && sboms.isEmpty() && decisions.isEmpty()) {
                return null;
            }
            return new Artifact(digest, repository, mediaType, platform, parent, first, last, tags, verifications, provenance, sboms, decisions);
        });
    }

    /** Decisions matching a query, newest first. */
    /** How many decisions the log holds, how many of them admission made, and when the newest was recorded (null: none). */
    public record DecisionCounts(long admission, long total, Long lastAt) {}

    public DecisionCounts decisionCounts() {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*), COALESCE(SUM(CASE WHEN source = 'admission' THEN 1 ELSE 0 END), 0), "
                    + "MAX(recorded_at) FROM decision"); ResultSet rs = p.executeQuery()) {
                rs.next();
                long last = rs.getLong(3);
                return new DecisionCounts(rs.getLong(2), rs.getLong(1), rs.wasNull() ? null : last);
            }
        });
    }

    public List<Decision> decisions(DecisionQuery q) {
        List<Object> args = new ArrayList<>();
        String sql = decisionSql("SELECT d.seq, d.hash, d.body", q, args);
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                bind(p, args);
                List<Decision> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Decision(rs.getLong(1), rs.getString(2), tree(rs.getString(3))));
                    }
                }
                return out;
            }
        });
    }

    /** The decisions {@link #decisions} finds, newest first, as the chain holds them (so each can be checked). */
    public List<Chained> decisionsChained(DecisionQuery q) {
        List<Object> args = new ArrayList<>();
        String sql = decisionSql("SELECT d.seq, d.recorded_at, d.prev_hash, d.hash, d.body", q, args);
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                bind(p, args);
                java.util.Map<Long, Chained> out = new java.util.LinkedHashMap<>();
                chainedRows(p, out);
                return List.copyOf(out.values());
            }
        });
    }

    /** Digests an image reference {@code repository:tag} was seen to resolve to, newest first (none for a reference without a tag). */
    public List<String> taggedAs(String reference) {
        int colon = reference.lastIndexOf(':');
        if (colon <= reference.lastIndexOf('/') || colon == reference.length() - 1) {
            return List.of();
        }
        String repository = reference.substring(0, colon);
        String tag = reference.substring(colon + 1);
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT digest FROM artifact_tag WHERE repository = ? AND tag = ? ORDER BY last_seen DESC LIMIT 100")) {
                p.setString(1, repository);
                p.setString(2, tag);
                List<String> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }
        });
    }

    /** A digest and the provenance it was built with. */
    public record BuiltFrom(String digest, Provenance provenance) {}

    /** Digests whose stored provenance names a source commit that starts with {@code prefix}. */
    public List<BuiltFrom> builtFromCommit(String prefix, int limit) {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT DISTINCT digest, builder_id, build_type, source_repository, source_ref, source_commit "
                    + "FROM provenance WHERE source_commit LIKE ? ESCAPE '\\' ORDER BY digest LIMIT " + limit)) {
                p.setString(1, like(prefix.toLowerCase(java.util.Locale.ROOT)) + "%");
                List<BuiltFrom> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new BuiltFrom(rs.getString(1), new Provenance(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                rs.getString(6))));
                    }
                }
                return out;
            }
        });
    }

    private static String decisionSql(String select, DecisionQuery q, List<Object> args) {
        StringBuilder sql = new StringBuilder(select).append(" FROM decision d WHERE 1 = 1");
        if (q.since() != null) {
            sql.append(" AND d.recorded_at >= ?");
            args.add(q.since());
        }
        if (q.until() != null) {
            sql.append(" AND d.recorded_at < ?");
            args.add(q.until());
        }
        if (q.namespace() != null) {
            sql.append(" AND d.namespace = ?");
            args.add(q.namespace());
        }
        if (q.verdict() != null) {
            sql.append(" AND d.verdict = ?");
            args.add(q.verdict());
        }
        if (q.rule() != null) {
            sql.append(" AND EXISTS (SELECT 1 FROM decision_rule r WHERE r.seq = d.seq AND (r.rule = ? OR r.rule LIKE ? ESCAPE '\\'))");
            args.add(q.rule());
            args.add("%/" + like(q.rule()));
        }
        sql.append(" ORDER BY d.seq DESC LIMIT ?");
        args.add(q.limit());
        return sql.toString();
    }

    /** A decision as the chain holds it: the exact body its hash covers, with the previous record's hash. */
    public record Chained(long seq, long recordedAt, String prevHash, String hash, String body) {

        /** Whether the record's hash is SHA-256 over its previous hash and its body, as the chain computes it. */
        public boolean intact() {
            return Chain.hash(prevHash, body).equals(hash);
        }
    }

    /**
     * Decisions for an evidence export, oldest first: those naming any of {@code digests}, and (when {@code since} is
     * given) those recorded in {@code [since, until)}, of one namespace when {@code namespace} is given. At most
     * {@code limit}.
     */
    public List<Chained> chained(java.util.Collection<String> digests, Long since, Long until, String namespace, int limit) {
        java.util.TreeMap<Long, Chained> out = new java.util.TreeMap<>();
        List<String> ds = List.copyOf(digests);
        store.read(c -> {
            for (int from = 0; from < ds.size(); from += 500) {
                List<String> chunk = ds.subList(from, Math.min(ds.size(), from + 500));
                try (PreparedStatement p = c.prepareStatement("SELECT d.seq, d.recorded_at, d.prev_hash, d.hash, d.body FROM decision d WHERE d.seq IN "
                        + "(SELECT i.seq FROM decision_image i WHERE i.digest IN (" + String.join(",", java.util.Collections.nCopies(chunk.size(), "?"))
                        + ")) ORDER BY d.seq LIMIT " + limit)) {
                    for (int k = 0; k < chunk.size(); k++) {
                        p.setString(k + 1, chunk.get(k));
                    }
                    chainedRows(p, out);
                }
            }
            if (since != null) {
                StringBuilder sql = new StringBuilder("SELECT d.seq, d.recorded_at, d.prev_hash, d.hash, d.body FROM decision d WHERE d.recorded_at >= ?");
                if (until != null) {
                    sql.append(" AND d.recorded_at < ?");
                }
                if (namespace != null) {
                    sql.append(" AND d.namespace = ?");
                }
                sql.append(" ORDER BY d.seq LIMIT ").append(limit);
                try (PreparedStatement p = c.prepareStatement(sql.toString())) {
                    int k = 1;
                    p.setLong(k++, since);
                    if (until != null) {
                        p.setLong(k++, until);
                    }
                    if (namespace != null) {
                        p.setString(k, namespace);
                    }
                    chainedRows(p, out);
                }
            }
            return null;
        });
        return List.copyOf(out.values()).subList(0, Math.min(limit, out.size()));
    }

    private static void chainedRows(PreparedStatement p, java.util.Map<Long, Chained> out) throws SQLException {
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getLong(1), new Chained(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5)));
            }
        }
    }

    /** The digests of the images these decisions named. */
    public java.util.Set<String> digestsOf(java.util.Collection<Long> seqs) {
        List<Long> ss = List.copyOf(seqs);
        java.util.Set<String> out = new java.util.TreeSet<>();
        store.read(c -> {
            for (int from = 0; from < ss.size(); from += 500) {
                List<Long> chunk = ss.subList(from, Math.min(ss.size(), from + 500));
                try (PreparedStatement p = c.prepareStatement("SELECT DISTINCT digest FROM decision_image WHERE digest IS NOT NULL AND seq IN ("
                        + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ")")) {
                    for (int k = 0; k < chunk.size(); k++) {
                        p.setLong(k + 1, chunk.get(k));
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

    /**
     * Images admitted (allowed or warned, in admission) in a window without a piece of evidence: "signature" (the
     * decision used no verified signature of the digest; a tag-only image never has one) or "sbom" (the store links
     * no SBOM to the digest).
     */
    public List<Unevidenced> admittedWithout(String evidence, long since, long until) {
        String missing = switch (evidence) {
            case "signature" -> "i.signed = 0";
            case "sbom" -> "(i.digest IS NULL OR NOT EXISTS (SELECT 1 FROM sbom_link l WHERE l.digest = i.digest))";
            default -> throw new IllegalArgumentException("evidence must be signature or sbom, not " + evidence);
        };
        String sql = "SELECT i.image, i.digest, COUNT(*), MIN(d.recorded_at), MAX(d.recorded_at) FROM decision d "
                + "JOIN decision_image i ON i.seq = d.seq WHERE d.source = 'admission' AND d.verdict IN ('allowed', 'warned') "
                + "AND d.recorded_at >= ? AND d.recorded_at < ? AND " + missing
                + " GROUP BY i.image, i.digest ORDER BY COUNT(*) DESC, i.image LIMIT 10000";
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                p.setLong(1, since);
                p.setLong(2, until);
                List<Unevidenced> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Unevidenced(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
                    }
                }
                return out;
            }
        });
    }

    private static void bind(PreparedStatement p, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            Object a = args.get(i);
            if (a instanceof Long l) {
                p.setLong(i + 1, l);
            } else if (a instanceof Integer n) {
                p.setInt(i + 1, n);
            } else {
                p.setString(i + 1, (String) a);
            }
        }
    }
}
