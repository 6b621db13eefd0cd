package dev.custody.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.evidence.IncidentTracker;
import dev.custody.evidence.InventoryViews;
import dev.custody.store.Audit;
import dev.custody.store.Denylist;
import dev.custody.store.Evidence;
import dev.custody.store.Incidents;
import dev.custody.store.RuntimeInventory;
import dev.custody.store.SbomStore;
import dev.custody.store.Store;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The audit evidence of a digest, an incident, or a window of decisions, as one archive that can be checked offline.
 * The archive (zip) holds the artifacts' stored evidence (tags, verified signatures and attestations with their
 * signers, provenance facts, the SBOM documents' exact bytes), the runtime history of every pod that ran them, every
 * admission decision involved with its exact hashed body and previous hash (each record's hash can be recomputed),
 * the chain's state at export, the denylist entries and their history, and the incidents, plus {@code manifest.json}
 * naming every other file with its SHA-256 and size. Signed, the signature covers the archive's bytes: {@code
 * FILE.sig} (base64 ECDSA-SHA256, as {@code cosign sign-blob} writes it, so {@code cosign verify-blob} checks it) and
 * {@code FILE.sigstore.json} (a Sigstore bundle, v0.3, message signature with the key's hint).
 */
public final class EvidenceBundle {

    public static final String FORMAT = "custody.dev/evidence-bundle/v1";
    public static final String MANIFEST = "manifest.json";
    /** Bounds on what verify reads: an archive is untrusted input. */
    public static final long MAX_ARCHIVE_BYTES = 2L << 30;
    public static final long MAX_ENTRY_BYTES = 512L << 20;
    public static final int MAX_ENTRIES = 200_000;
    static final int MAX_DECISIONS = 100_000;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private EvidenceBundle() {}

    /** What to export: digests, an incident (its digests too), and/or a window of decisions of one namespace. */
    public record Request(List<String> digests, String incident, Long since, Long until, String namespace) {}

    /** What export wrote. */
    public record Written(Path archive, Path signature, Path sigstoreBundle, int files, long bytes, Set<String> digests, int decisions) {}

    public static Written export(Store store, Request request, Path out, PrivateKey key, String actor, long now) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        Evidence evidence = new Evidence(store);
        Set<String> digests = new TreeSet<>(request.digests());
        List<Map<String, Object>> incidents = new ArrayList<>();
        Set<String> incidentIds = new TreeSet<>();
        try (IncidentTracker tracker = new IncidentTracker(store)) {
            if (request.incident() != null) {
                Incidents.Incident i = tracker.incidents().get(request.incident());
                if (i == null) {
                    throw new IllegalArgumentException("no incident " + request.incident());
                }
                digests.addAll(tracker.digests(i));
                incidentIds.add(i.id());
            }
            List<Evidence.Chained> decisions = evidence.chained(digests, request.since(), request.until(), request.namespace(), MAX_DECISIONS);
            if (request.since() != null) { // a window: the images its decisions named are in scope too
                digests.addAll(evidence.digestsOf(decisions.stream().map(Evidence.Chained::seq).toList()));
                decisions = evidence.chained(digests, request.since(), request.until(), request.namespace(), MAX_DECISIONS);
            }
            // incidents about any digest in scope
            for (Incidents.Incident i : tracker.incidents().list(null)) {
                if (incidentIds.contains(i.id()) || !java.util.Collections.disjoint(tracker.digests(i), digests)) {
                    incidentIds.add(i.id());
                    incidents.add(tracker.view(i));
                }
            }
            SbomStore sboms = new SbomStore(store);
            RuntimeInventory inventory = new RuntimeInventory(store);
            for (String d : digests) {
                String dir = "artifacts/" + d.replace(':', '-') + "/";
                Evidence.Artifact a = evidence.artifact(d, 0);
                files.put(dir + "artifact.json", json(a != null ? a : Map.of("digest", d, "note", "the store holds no evidence of this digest")));
                for (Evidence.SbomSummary s : a == null ? List.<Evidence.SbomSummary>of() : a.sboms()) {
                    byte[] doc = sboms.document(s.contentHash());
                    if (doc != null) {
                        files.put(dir + "sboms/" + s.contentHash().replace(':', '-') + extension(s.format()), doc);
                    }
                }
                files.put(dir + "runtime.json", json(Map.of("digest", d, "pods", InventoryViews.rows(inventory.byDigest(d, true)))));
            }
            StringBuilder records = new StringBuilder();
            for (Evidence.Chained c : decisions) {
                ObjectNode o = JSON.createObjectNode();
                o.put("seq", c.seq()).put("recordedAt", Instant.ofEpochMilli(c.recordedAt()).toString()).put("prevHash", c.prevHash())
                        .put("hash", c.hash()).put("body", c.body());
                records.append(o.toString()).append('\n');
            }
            files.put("decisions/records.jsonl", records.toString().getBytes(StandardCharsets.UTF_8));
            Audit.Verification chain = new Audit(store).verify(null);
            Map<String, Object> chainState = new LinkedHashMap<>();
            chainState.put("checkedAt", Instant.ofEpochMilli(now).toString());
            chainState.put("intact", chain.ok());
            chainState.put("records", chain.records());
            chainState.put("firstSeq", chain.firstSeq());
            chainState.put("lastSeq", chain.lastSeq());
            chainState.put("head", chain.head());
            chainState.put("problems", chain.problems());
            chainState.put("note", "each record's hash is SHA-256 over its prevHash, a newline and its body; head is the newest record's hash "
                    + "at export, for `custody audit verify --expect-head`");
            files.put("decisions/chain.json", json(chainState));
            Denylist deny = new Denylist(store);
            List<Denylist.Entry> entries = deny.active(now).stream()
                    .filter(e -> digests.contains(e.value()) || (e.incident() != null && incidentIds.contains(e.incident()))).toList();
            Set<String> entryIds = new TreeSet<>();
            entries.forEach(e -> entryIds.add(e.id()));
            List<Denylist.Event> history = deny.history(0).stream()
                    .filter(e -> entryIds.contains(e.entryId()) || digests.contains(e.value())).toList();
            files.put("denylist.json", json(Map.of("entries", entries, "history", history)));
            for (Map<String, Object> v : incidents) {
                files.put("incidents/" + v.get("id") + ".json", json(v));
            }
            ObjectNode manifest = JSON.createObjectNode();
            manifest.put("format", FORMAT);
            ObjectNode subject = manifest.putObject("subject");
            ArrayNode ds = subject.putArray("digests");
            request.digests().forEach(ds::add);
            subject.put("incident", request.incident());
            subject.put("since", request.since() == null ? null : Instant.ofEpochMilli(request.since()).toString());
            subject.put("until", request.until() == null ? null : Instant.ofEpochMilli(request.until()).toString());
            subject.put("namespace", request.namespace());
            manifest.put("createdAt", Instant.ofEpochMilli(now).toString());
            manifest.put("createdBy", actor);
            ArrayNode inScope = manifest.putArray("digests");
            digests.forEach(inScope::add);
            manifest.put("decisions", decisions.size());
            ArrayNode listed = manifest.putArray("files");
            for (var e : files.entrySet()) {
                listed.addObject().put("path", e.getKey()).put("sha256", sha256(e.getValue())).put("size", e.getValue().length);
            }
            manifest.putArray("notIncluded").add("vulnerability exceptions: this version of Custody keeps none")
                    .add("signature and attestation envelopes: the store keeps the verified facts and signers, not the envelopes");
            if (key != null) {
                try {
                    manifest.put("signingKeyHint", SigningKeys.hint(SigningKeys.publicOf(key)));
                } catch (SigningKeys.KeyException e) {
                    throw new IllegalArgumentException(e.getMessage());
                }
            }
            byte[] archive = zip(manifest, files, now);
            Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
            Files.write(tmp, archive);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Path sig = null;
            Path bundle = null;
            if (key != null) {
                byte[] signature = SigningKeys.sign(key, archive);
                sig = out.resolveSibling(out.getFileName() + ".sig");
                Files.writeString(sig, Base64.getEncoder().encodeToString(signature));
                bundle = out.resolveSibling(out.getFileName() + ".sigstore.json");
                Files.writeString(bundle, sigstoreBundle(archive, signature, manifest.path("signingKeyHint").asText()));
            }
            return new Written(out, sig, bundle, files.size() + 1, archive.length, digests, decisions.size());
        }
    }

    static String sigstoreBundle(byte[] archive, byte[] signature, String hint) {
        ObjectNode b = JSON.createObjectNode();
        b.put("mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json");
        b.putObject("verificationMaterial").putObject("publicKey").put("hint", hint);
        ObjectNode ms = b.putObject("messageSignature");
        ms.putObject("messageDigest").put("algorithm", "SHA2_256").put("digest", Base64.getEncoder().encodeToString(sha256Bytes(archive)));
        ms.put("signature", Base64.getEncoder().encodeToString(signature));
        return b.toString();
    }

    private static byte[] zip(ObjectNode manifest, Map<String, byte[]> files, long now) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            put(z, MANIFEST, JSON.writeValueAsBytes(manifest), now);
            for (var e : files.entrySet()) {
                put(z, e.getKey(), e.getValue(), now);
            }
        }
        return bytes.toByteArray();
    }

    private static void put(ZipOutputStream z, String name, byte[] data, long now) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTime(now);
        z.putNextEntry(e);
        z.write(data);
        z.closeEntry();
    }

    private static String extension(String format) {
        String f = format == null ? "" : format.toLowerCase(java.util.Locale.ROOT);
        return f.contains("xml") ? ".xml" : f.contains("tag") ? ".spdx" : ".json";
    }

    private static byte[] json(Object o) throws IOException {
        return JSON.writeValueAsBytes(o);
    }

    // ---------------------------------------------------------------- verify

    /** One thing wrong with a bundle, naming the file inside it (or the archive, or its signature). */
    public record Problem(String file, String problem) {}

    /**
     * What verify found.
     *
     * @param signature "verified", "not checked" (no key given) or "failed"
     */
    public record Report(Path archive, String format, JsonNode subject, int files, String signature, List<Problem> problems) {
        public boolean intact() {
            return problems.isEmpty();
        }
    }

    /**
     * Checks an archive offline: every file the manifest names is present with its SHA-256 and size, no other file is
     * there, every decision record's hash is recomputed, and with a key the signature beside it covers the archive.
     */
    public static Report verify(Path archive, PublicKey key) throws IOException {
        List<Problem> problems = new ArrayList<>();
        if (Files.size(archive) > MAX_ARCHIVE_BYTES) {
            throw new IOException(archive + ": larger than " + (MAX_ARCHIVE_BYTES >> 30) + " GiB");
        }
        byte[] bytes = Files.readAllBytes(archive);
        String signature = "not checked";
        if (key != null) {
            byte[] sig = signatureBeside(archive, problems);
            if (sig != null) {
                boolean ok = SigningKeys.verify(key, bytes, sig);
                signature = ok ? "verified" : "failed";
                if (!ok) {
                    problems.add(new Problem(archive.getFileName().toString(), "the signature does not verify with the key: the archive's bytes changed "
                            + "or another key signed it"));
                }
            } else {
                signature = "failed";
            }
        }
        Map<String, String> hashes = new LinkedHashMap<>();
        Map<String, Long> sizes = new LinkedHashMap<>();
        byte[] manifestBytes = null;
        byte[] records = null;
        try (ZipInputStream z = new ZipInputStream(new java.io.ByteArrayInputStream(bytes))) {
            ZipEntry e;
            int n = 0;
            while (true) {
                try {
                    e = z.getNextEntry();
                } catch (ZipException ex) {
                    problems.add(new Problem(archive.getFileName().toString(), "not a readable archive after entry " + n + ": " + ex.getMessage()));
                    break;
                }
                if (e == null) {
                    break;
                }
                if (++n > MAX_ENTRIES) {
                    problems.add(new Problem(archive.getFileName().toString(), "more than " + MAX_ENTRIES + " entries"));
                    break;
                }
                String name = e.getName();
                if (name.startsWith("/") || name.contains("..") || name.contains("\\") || name.isEmpty()) {
                    problems.add(new Problem(name, "a path that leaves the archive"));
                    continue;
                }
                if (hashes.containsKey(name)) {
                    problems.add(new Problem(name, "present twice"));
                    continue;
                }
                byte[] data;
                try {
                    data = readBounded(z, MAX_ENTRY_BYTES);
                } catch (ZipException ex) {
                    problems.add(new Problem(name, "unreadable: " + ex.getMessage()));
                    continue;
                } catch (IOException ex) {
                    problems.add(new Problem(name, ex.getMessage()));
                    continue;
                }
                if (name.equals(MANIFEST)) {
                    manifestBytes = data;
                    continue;
                }
                if (name.equals("decisions/records.jsonl")) {
                    records = data;
                }
                hashes.put(name, sha256(data));
                sizes.put(name, (long) data.length);
            }
        }
        if (manifestBytes == null) {
            problems.add(new Problem(MANIFEST, "missing: nothing says what the archive holds"));
            return new Report(archive, null, null, hashes.size(), signature, problems);
        }
        JsonNode manifest;
        try {
            manifest = JSON.readTree(manifestBytes);
        } catch (IOException ex) {
            problems.add(new Problem(MANIFEST, "not JSON: " + ex.getMessage()));
            return new Report(archive, null, null, hashes.size(), signature, problems);
        }
        if (!FORMAT.equals(manifest.path("format").asText())) {
            problems.add(new Problem(MANIFEST, "format is \"" + manifest.path("format").asText() + "\", expected " + FORMAT));
        }
        Set<String> named = new TreeSet<>();
        for (JsonNode f : manifest.path("files")) {
            String path = f.path("path").asText();
            named.add(path);
            String actual = hashes.get(path);
            if (actual == null) {
                problems.add(new Problem(path, "missing: the manifest names it, the archive does not hold it"));
            } else if (!actual.equals(f.path("sha256").asText()) || sizes.get(path) != f.path("size").asLong()) {
                problems.add(new Problem(path, "changed: SHA-256 " + actual + ", the manifest says " + f.path("sha256").asText()));
            }
        }
        for (String path : hashes.keySet()) {
            if (!named.contains(path)) {
                problems.add(new Problem(path, "added: the manifest does not name it"));
            }
        }
        if (records != null) {
            int line = 0;
            for (String l : new String(records, StandardCharsets.UTF_8).split("\n")) {
                line++;
                if (l.isBlank()) {
                    continue;
                }
                try {
                    JsonNode r = JSON.readTree(l);
                    Evidence.Chained c = new Evidence.Chained(r.path("seq").asLong(), 0, r.path("prevHash").asText(), r.path("hash").asText(),
                            r.path("body").asText());
                    if (!c.intact()) {
                        problems.add(new Problem("decisions/records.jsonl", "line " + line + " (decision " + c.seq()
                                + "): its hash is not SHA-256 over its prevHash and body"));
                    }
                } catch (IOException ex) {
                    problems.add(new Problem("decisions/records.jsonl", "line " + line + ": not JSON"));
                }
            }
        }
        return new Report(archive, manifest.path("format").asText(), manifest.path("subject"), named.size(), signature, problems);
    }

    private static byte[] signatureBeside(Path archive, List<Problem> problems) throws IOException {
        Path sig = archive.resolveSibling(archive.getFileName() + ".sig");
        Path bundle = archive.resolveSibling(archive.getFileName() + ".sigstore.json");
        try {
            if (Files.exists(sig)) {
                return Base64.getDecoder().decode(Files.readString(sig).strip());
            }
            if (Files.exists(bundle)) {
                JsonNode b = new ObjectMapper().readTree(bundle.toFile());
                return Base64.getDecoder().decode(b.path("messageSignature").path("signature").asText());
            }
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(sig.getFileName().toString(), "not base64"));
            return null;
        }
        problems.add(new Problem(sig.getFileName().toString(), "missing: no signature beside the archive (" + sig.getFileName() + " or "
                + bundle.getFileName() + ")"));
        return null;
    }

    private static byte[] readBounded(InputStream in, long max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > max) {
                throw new IOException("larger than " + (max >> 20) + " MiB uncompressed");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    static String sha256(byte[] data) {
        return HexFormat.of().formatHex(sha256Bytes(data));
    }

    private static byte[] sha256Bytes(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
