package dev.custody.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.sbom.Component;
import dev.custody.sbom.Dependency;
import dev.custody.sbom.PackageUrl;
import dev.custody.sbom.Quality;
import dev.custody.sbom.Sbom;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Files SBOMs: the document once per content hash, its components once per purl, its dependency edges, and links
 * from image digests to it. Everything for one document happens in one transaction, in batches.
 */
public final class SbomStore {

    /** What an ingest did (also the JSON answer of the CLI and the API). */
    public record IngestResult(String contentHash, String format, String encoding, String specVersion, boolean newDocument, int components,
                               int dependencies, List<String> digests, Quality quality) {}

    public static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final int BATCH = 2000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Store store;

    public SbomStore(Store store) {
        this.store = store;
    }

    /**
     * Stores a parsed SBOM and links it to the digests it names as its subject plus those given.
     *
     * @param raw     the exact bytes the SBOM was read from (kept, compressed, for export)
     * @param digests digests to link explicitly ("sha256:&lt;64 hex&gt;"), may be empty
     * @param source  where it came from: "cli", "api:&lt;token name&gt;", "attestation"
     */
    public IngestResult ingest(Sbom sbom, byte[] raw, List<String> digests, String source) {
        Set<String> link = new LinkedHashSet<>();
        for (String d : digests) {
            if (!DIGEST.matcher(d).matches()) {
                throw new IllegalArgumentException("digest " + d + " is not sha256:<64 lower-case hex>");
            }
            link.add(d);
        }
        link.addAll(sbom.subjectDigests());
        long now = System.currentTimeMillis();
        long doc = id(sbom.contentHash());
        return store.write(c -> {
            if (store.dialect() == Dialect.POSTGRESQL) { // two ingests of one new document must not both see it absent
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                    lock.setLong(1, doc);
                    lock.execute();
                }
            }
            boolean fresh = !exists(c, doc);
            if (fresh) {
                // compress the document on another core while the components go in
                java.util.concurrent.CompletableFuture<byte[]> packed = java.util.concurrent.CompletableFuture.supplyAsync(() -> deflate(raw));
                insertComponents(c, doc, sbom);
                insertDependencies(c, doc, sbom);
                insertDocument(c, doc, sbom, raw.length, packed.join(), now, source);
            }
            for (String d : link) {
                Artifacts.touch(c, d, null, now);
                try (PreparedStatement p = c.prepareStatement("INSERT INTO sbom_link (digest, doc_id, linked_at, source) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT (digest, doc_id) DO NOTHING")) {
                    p.setString(1, d);
                    p.setLong(2, doc);
                    p.setLong(3, now);
                    p.setString(4, source);
                    p.executeUpdate();
                }
            }
            return new IngestResult(sbom.contentHash(), sbom.format().family(), sbom.format().encoding(), sbom.specVersion(), fresh,
                    sbom.components().size(), sbom.dependencies().size(), List.copyOf(link), sbom.quality());
        });
    }

    private static boolean exists(Connection c, long doc) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM sbom_document WHERE doc_id = ?")) {
            p.setLong(1, doc);
            try (var rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void insertDocument(Connection c, long doc, Sbom s, long size, byte[] packed, long now, String source)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO sbom_document (doc_id, content_hash, format, spec_version, serial_number, "
                + "name, component_count, dependency_count, quality_score, quality, size_bytes, document, ingested_at, source) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            p.setLong(1, doc);
            p.setString(2, s.contentHash());
            p.setString(3, s.format().name().toLowerCase().replace('_', '-'));
            p.setString(4, s.specVersion());
            p.setString(5, s.serialNumber());
            p.setString(6, s.name());
            p.setInt(7, s.components().size());
            p.setInt(8, s.dependencies().size());
            p.setDouble(9, s.quality().score());
            p.setString(10, json(s.quality()));
            p.setLong(11, size);
            p.setBytes(12, packed);
            p.setLong(13, now);
            p.setString(14, source);
            p.executeUpdate();
        }
    }

    private static void insertComponents(Connection c, long doc, Sbom s) throws SQLException {
        try (PreparedStatement comp = c.prepareStatement("INSERT INTO component (component_id, component_key, purl, purl_type, name, version, "
                + "type, licenses, hashes, supplier, purl_namespace, purl_name, purl_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (component_id) DO NOTHING");
             PreparedStatement member = c.prepareStatement("INSERT INTO sbom_component (doc_id, ordinal, ref, component_id) "
                     + "VALUES (?, ?, ?, ?)")) {
            int n = 0;
            Set<Long> seen = new java.util.HashSet<>();
            for (Component k : s.components()) {
                String key = k.key();
                long id = id(key);
                if (seen.add(id)) {
                    comp.setLong(1, id);
                    comp.setString(2, key);
                    comp.setString(3, k.purl());
                    comp.setString(4, purlType(k.purl())); // the canonical text's type is already lower case
                    comp.setString(5, k.name());
                    comp.setString(6, k.version());
                    comp.setString(7, k.type());
                    comp.setString(8, k.licenses().isEmpty() ? null : json(k.licenses()));
                    comp.setString(9, k.hashes().isEmpty() ? null : json(k.hashes()));
                    comp.setString(10, k.supplier());
                    PurlParts.bind(comp, 11, PackageUrl.parseOrNull(k.purl()));
                    comp.addBatch();
                }
                member.setLong(1, doc);
                member.setInt(2, n);
                member.setString(3, k.ref());
                member.setLong(4, id);
                member.addBatch();
                if (++n % BATCH == 0) {
                    comp.executeBatch();
                    member.executeBatch();
                }
            }
            comp.executeBatch();
            member.executeBatch();
        }
    }

    private static void insertDependencies(Connection c, long doc, Sbom s) throws SQLException {
        if (s.dependencies().isEmpty()) {
            return;
        }
        Set<Dependency> unique = new LinkedHashSet<>(s.dependencies());
        try (PreparedStatement p = c.prepareStatement("INSERT INTO sbom_dependency (doc_id, from_ref, to_ref) VALUES (?, ?, ?)")) {
            int n = 0;
            for (Dependency d : unique) {
                p.setLong(1, doc);
                p.setString(2, d.from());
                p.setString(3, d.to());
                p.addBatch();
                if (++n % BATCH == 0) {
                    p.executeBatch();
                }
            }
            p.executeBatch();
        }
    }

    /** A 63-bit id from the SHA-256 of a key: document ids from content hashes, component ids from component keys. */
    static long id(String key) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (h[i] & 0xff);
            }
            return v & Long.MAX_VALUE;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String purlType(String purl) {
        if (purl == null || !purl.startsWith("pkg:")) {
            return null;
        }
        int slash = purl.indexOf('/', 4);
        return slash < 0 ? null : purl.substring(4, slash);
    }

    /** Whether any SBOM is linked to the digest. */
    public boolean linked(String digest) {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM sbom_link WHERE digest = ?")) {
                p.setString(1, digest);
                try (var rs = p.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** The stored document's exact bytes, or null when the store has no document with that hash. */
    public byte[] document(String contentHash) {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT document FROM sbom_document WHERE content_hash = ?")) {
                p.setString(1, contentHash);
                try (var rs = p.executeQuery()) {
                    return rs.next() ? inflate(rs.getBytes(1)) : null;
                }
            }
        });
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] deflate(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, raw.length / 6));
        Deflater d = new Deflater(Deflater.BEST_SPEED);
        try (DeflaterOutputStream z = new DeflaterOutputStream(out, d, 65536)) {
            z.write(raw);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } finally {
            d.end();
        }
        return out.toByteArray();
    }

    static byte[] inflate(byte[] packed) {
        try (var in = new java.util.zip.InflaterInputStream(new java.io.ByteArrayInputStream(packed))) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new StoreException("stored SBOM document is corrupt: " + e.getMessage(), e);
        }
    }

}
