package dev.custody.vulns;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.sbom.PackageUrl;
import dev.custody.store.Store;
import dev.custody.store.VexStore;
import dev.custody.vuln.vex.VexDocuments;
import dev.custody.vuln.vex.VexStatement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * VEX in and out. In: OpenVEX and CycloneDX VEX documents are stored as statements about image digests. Applied:
 * the newest statement for a finding's vulnerability (by id or alias) about the digest, and about the finding's
 * package when the statement narrows to subcomponents, sets the finding's status. Out: an OpenVEX document for a
 * digest with a statement for every finding, in the status the statements (or the match) give it.
 */
public final class Vex {

    public static final long MAX_BYTES = 64L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(1 << 20).build());
        JSON.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    private Vex() {}

    /** What an import did. */
    public record Imported(int statements, boolean newDocument) {}

    /** A VEX statement's effect on a finding. */
    public record Note(String status, String justification, String impact, String action, String statedAt, String source) {}

    public static Imported importFile(Store store, Path file, String digest) throws IOException, VexDocuments.InvalidVexException {
        if (Files.size(file) > MAX_BYTES) {
            throw new VexDocuments.InvalidVexException("larger than " + (MAX_BYTES >> 20) + " MiB");
        }
        byte[] raw = Files.readAllBytes(file);
        JsonNode doc;
        try {
            doc = JSON.readTree(raw);
        } catch (IOException e) {
            throw new VexDocuments.InvalidVexException("not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        List<VexStatement> statements = VexDocuments.parse(doc, digest);
        long now = System.currentTimeMillis();
        List<VexStore.Row> rows = new ArrayList<>();
        for (VexStatement s : statements) {
            Long at = s.timestamp() == null ? null : s.timestamp().toEpochMilli();
            List<String> subs = s.subcomponents().isEmpty() ? java.util.Collections.singletonList(null) : s.subcomponents();
            for (String sub : subs) {
                rows.add(new VexStore.Row(s.vulnerability(), s.aliases(), s.productDigest(), s.productPurl(), sub, s.status().label(), s.justification(),
                        s.impact(), s.action(), at, now, file.getFileName().toString()));
            }
        }
        boolean added = new VexStore(store).add(sha256(raw), rows);
        return new Imported(statements.size(), added);
    }

    /** Applies the digest's VEX statements to its findings. */
    public static List<VulnMatcher.Finding> apply(Store store, String digest, List<VulnMatcher.Finding> findings) {
        List<VexStore.Row> rows = new VexStore(store).forDigest(digest);
        if (rows.isEmpty()) {
            return findings;
        }
        List<VulnMatcher.Finding> out = new ArrayList<>(findings.size());
        for (VulnMatcher.Finding f : findings) {
            Set<String> names = new LinkedHashSet<>(f.aliases());
            names.add(f.id());
            VexStore.Row decided = null;
            for (VexStore.Row r : rows) { // oldest first: the last that applies is the newest
                boolean sameVuln = names.contains(r.vulnerability()) || r.aliases().stream().anyMatch(names::contains);
                if (sameVuln && (r.subcomponent() == null || samePackage(r.subcomponent(), f.purl()))) {
                    decided = r;
                }
            }
            if (decided == null) {
                out.add(f);
                continue;
            }
            Note note = new Note(decided.status(), decided.justification(), decided.impact(), decided.action(),
                    decided.statedAt() == null ? null : Instant.ofEpochMilli(decided.statedAt()).toString(), "vex:" + decided.source());
            List<String> sources = new ArrayList<>(f.sources());
            sources.add(note.source());
            out.add(new VulnMatcher.Finding(f.purl(), f.id(), f.aliases(), f.severity(), f.score(), f.fixed(), List.copyOf(sources), decided.status(),
                    f.exception(), f.knownExploited(), f.epss(), f.epssPercentile(), note, f.summary()));
        }
        return out;
    }

    /** A package named in a statement against a finding's: type, namespace, name, and the version when the statement gives one. */
    static boolean samePackage(String stated, String found) {
        PackageUrl a = PackageUrl.parseOrNull(stated);
        PackageUrl b = PackageUrl.parseOrNull(found);
        if (a == null || b == null) {
            return stated.equals(found);
        }
        return a.type().equalsIgnoreCase(b.type()) && a.namespace().equalsIgnoreCase(b.namespace()) && a.name().equals(b.name())
                && (a.version() == null || a.version().equals(b.version()));
    }

    /** An OpenVEX document for a digest: one statement per finding, in the status VEX or the match gives it. */
    public static String export(String digest, String repository, List<VulnMatcher.Finding> findings, String author, Instant now) {
        ObjectNode doc = PRETTY.createObjectNode();
        doc.put("@context", "https://openvex.dev/ns/v0.2.0");
        String product = repository == null ? digest : "pkg:oci/" + repository.substring(repository.lastIndexOf('/') + 1) + "@"
                + digest.replace(":", "%3A") + "?repository_url=" + repository.substring(0, repository.lastIndexOf('/') + 1 > 0
                ? repository.lastIndexOf('/') : 0);
        StringBuilder key = new StringBuilder(digest);
        findings.forEach(f -> key.append('\n').append(f.purl()).append(' ').append(f.id()).append(' ').append(f.status()));
        doc.put("@id", "urn:custody:vex:" + sha256(key.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        doc.put("author", author);
        doc.put("timestamp", now.toString());
        doc.put("version", 1);
        doc.put("tooling", "custody");
        ArrayNode statements = doc.putArray("statements");
        for (VulnMatcher.Finding f : findings) {
            ObjectNode s = statements.addObject();
            ObjectNode v = s.putObject("vulnerability");
            v.put("name", f.id());
            if (!f.aliases().isEmpty()) {
                ArrayNode al = v.putArray("aliases");
                f.aliases().forEach(al::add);
            }
            ObjectNode p = s.putArray("products").addObject();
            p.put("@id", product);
            p.putObject("hashes").put("sha-256", digest.substring("sha256:".length()));
            p.putArray("subcomponents").addObject().put("@id", f.purl());
            s.put("status", f.status());
            if (f.vex() != null) {
                if (f.vex().justification() != null) {
                    s.put("justification", f.vex().justification());
                }
                if (f.vex().impact() != null) {
                    s.put("impact_statement", f.vex().impact());
                }
                if (f.vex().action() != null) {
                    s.put("action_statement", f.vex().action());
                }
                if (f.vex().statedAt() != null) {
                    s.put("timestamp", f.vex().statedAt());
                }
            } else if (f.status().equals("affected")) {
                String fix = f.fixed().isEmpty() ? "No fixed version is known; see " + f.id()
                        : "Update " + f.purl() + " to a fixed version: " + String.join(", ", f.fixed());
                s.put("action_statement", f.exception() == null ? fix
                        : "Risk accepted for a limited time under exception " + f.exception() + " (custody exception show " + f.exception() + "). " + fix);
            }
        }
        try {
            return PRETTY.writeValueAsString(doc) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
