package dev.custody.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * The evidence API's bearer tokens. The file keeps only each token's SHA-256, never the token:
 * <pre>
 * tokens:
 *   - name: ci-pipeline
 *     role: operator        # viewer | operator | admin
 *     sha256: 3b1f...       # printed by `custody api token`
 * </pre>
 */
public final class ApiTokens {

    /** What a token may do; each role includes the ones before it. */
    public enum Role {
        /** Read evidence and decisions. */
        VIEWER,
        /** Also ingest SBOMs. */
        OPERATOR,
        /** Also verify and prune the decision log. */
        ADMIN;

        public boolean allows(Role needed) {
            return compareTo(needed) >= 0;
        }
    }

    /** An authenticated caller. */
    public record Caller(String name, Role role) {}

    static final int MAX_FILE_BYTES = 1 << 20;

    private final Map<String, Caller> bySha256;

    private ApiTokens(Map<String, Caller> bySha256) {
        this.bySha256 = Map.copyOf(bySha256);
    }

    public static ApiTokens load(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IllegalArgumentException(file + ": larger than " + MAX_FILE_BYTES + " bytes");
        }
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        JsonNode list = root == null ? null : root.get("tokens");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new IllegalArgumentException(file + ": tokens: expected a non-empty list of {name, role, sha256}");
        }
        Map<String, Caller> out = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode t = list.get(i);
            String at = file + ": tokens[" + i + "]";
            String name = t.path("name").asText("");
            String role = t.path("role").asText("");
            String sha = t.path("sha256").asText("");
            if (name.isBlank()) {
                throw new IllegalArgumentException(at + ".name: required");
            }
            Role r;
            try {
                r = Role.valueOf(role.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + ".role: expected viewer, operator or admin, found \"" + role + "\"");
            }
            if (!sha.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException(at + ".sha256: expected 64 lower-case hex digits (the SHA-256 of the token)");
            }
            if (out.put(sha, new Caller(name, r)) != null) {
                throw new IllegalArgumentException(at + ".sha256: the same token appears twice");
            }
        }
        return new ApiTokens(out);
    }

    /** The caller of an Authorization header value, if it carries a known bearer token. */
    public Optional<Caller> authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return Optional.ofNullable(bySha256.get(sha256(authorization.substring(7).strip())));
    }

    public static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A new random token (256 bits, URL-safe). */
    public static String generate() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return "cust_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
