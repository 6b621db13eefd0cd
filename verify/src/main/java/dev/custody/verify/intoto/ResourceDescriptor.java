package dev.custody.verify.intoto;

import static dev.custody.verify.intoto.InvalidStatementException.Kind.INCORRECT_DIGEST_LENGTH;
import static dev.custody.verify.intoto.InvalidStatementException.Kind.INVALID_DIGEST_ENCODING;
import static dev.custody.verify.intoto.InvalidStatementException.Kind.MALFORMED;
import static dev.custody.verify.intoto.InvalidStatementException.Kind.RD_REQUIRED_FIELD;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An in-toto ResourceDescriptor: a subject of a statement, a material or a resolved dependency of a build. Only
 * what verification and policy use is kept; {@code content} and {@code annotations} are checked for shape and
 * dropped.
 *
 * @param name             may be null
 * @param uri              may be null
 * @param digest           algorithm to value, in document order; empty when there is none
 * @param downloadLocation may be null
 * @param mediaType        may be null
 */
public record ResourceDescriptor(String name, String uri, Map<String, String> digest, String downloadLocation, String mediaType) {

    /**
     * Digest sizes in bytes for the algorithms the in-toto DigestSet spec names; values of these must be hex of
     * exactly this size. Other algorithm names are allowed with any value, as upstream allows them.
     */
    private static final Map<String, Integer> SIZES = Map.ofEntries(
            Map.entry("md5", 16), Map.entry("sha1", 20),
            Map.entry("sha224", 28), Map.entry("sha512_224", 28), Map.entry("sha3_224", 28),
            Map.entry("sha256", 32), Map.entry("sha512_256", 32), Map.entry("sha3_256", 32), Map.entry("dirHash", 32),
            Map.entry("sha384", 48), Map.entry("sha3_384", 48),
            Map.entry("sha512", 64), Map.entry("sha3_512", 64));

    /** Git object names: SHA-1 (20 bytes) or, in SHA-256 repositories, 32 bytes. */
    private static final Set<String> GIT = Set.of("gitBlob", "gitCommit", "gitTag", "gitTree");

    public ResourceDescriptor {
        digest = Collections.unmodifiableMap(new LinkedHashMap<>(digest));
    }

    /** The digest value for an algorithm, or null. */
    public String digest(String algorithm) {
        return digest.get(algorithm);
    }

    /**
     * Reads and validates a descriptor as the in-toto Go library does: one of name, uri or digest is required, and
     * digests of known algorithms must be hex of the algorithm's size.
     *
     * @param path where the descriptor is, for error messages, e.g. {@code subject[0]}
     */
    public static ResourceDescriptor fromJson(JsonNode json, String path) throws InvalidStatementException {
        if (json == null || !json.isObject()) {
            throw new InvalidStatementException(MALFORMED, path, "must be an object, found " + (json == null ? "nothing" : Json.type(json)));
        }
        String name = Json.nonEmptyText(json, "name", path);
        String uri = Json.nonEmptyText(json, "uri", path);
        Map<String, String> digest = digestSet(json, path);
        String content = Json.text(json, "content", path);
        if (content != null && !base64(content)) {
            throw new InvalidStatementException(MALFORMED, Json.at(path, "content"), "must be base64");
        }
        String downloadLocation = Json.nonEmptyText(json, "downloadLocation", path);
        String mediaType = Json.nonEmptyText(json, "mediaType", path);
        Json.object(json, "annotations", path);
        if (name == null && uri == null && digest.isEmpty()) {
            throw new InvalidStatementException(RD_REQUIRED_FIELD, path, "at least one of name, uri or digest is required");
        }
        return new ResourceDescriptor(name, uri, digest, downloadLocation, mediaType);
    }

    private static Map<String, String> digestSet(JsonNode json, String path) throws InvalidStatementException {
        JsonNode set = Json.object(json, "digest", path);
        Map<String, String> digest = new LinkedHashMap<>();
        if (set == null) {
            return digest;
        }
        String at = Json.at(path, "digest");
        for (Map.Entry<String, JsonNode> e : set.properties()) {
            String field = at + "." + e.getKey();
            if (!e.getValue().isTextual()) {
                throw new InvalidStatementException(MALFORMED, field, "must be a string, found " + Json.type(e.getValue()));
            }
            String value = e.getValue().textValue();
            Integer size = SIZES.get(e.getKey());
            boolean git = GIT.contains(e.getKey());
            if (size != null || git) {
                if (!hex(value)) {
                    throw new InvalidStatementException(INVALID_DIGEST_ENCODING, field, "must be hex-encoded, found \"" + clip(value) + "\"");
                }
                int bytes = value.length() / 2;
                if (git ? bytes != 20 && bytes != 32 : bytes != size) {
                    throw new InvalidStatementException(INCORRECT_DIGEST_LENGTH, field, "has " + bytes + " bytes, want "
                            + (git ? "20 or 32" : size));
                }
            }
            digest.put(e.getKey(), value);
        }
        return digest;
    }

    /** Hex as Go's {@code hex.DecodeString} accepts it: pairs of digits, either case. */
    static boolean hex(String s) {
        if (s.length() % 2 != 0) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return false;
            }
        }
        return true;
    }

    /** Whether a value of a known algorithm has its size in bytes; false for algorithms without a known size. */
    static boolean knownSize(String algorithm, int bytes) {
        Integer size = SIZES.get(algorithm);
        return size != null ? size == bytes : GIT.contains(algorithm) && (bytes == 20 || bytes == 32);
    }

    /** protojson accepts standard and URL-safe base64, padded or not. */
    private static boolean base64(String s) {
        String padded = s.replace('-', '+').replace('_', '/');
        try {
            Base64.getDecoder().decode(padded.length() % 4 == 0 ? padded : padded + "=".repeat(4 - padded.length() % 4));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }
}
