package dev.custody.verify;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a bundle is verified against: the artifact's digests, hashed from a file or given directly. For a DSSE
 * bundle they are matched against the subjects of the in-toto statement (npm provenance names its subjects by
 * SHA-512 only); a message signature needs the SHA-256 digest.
 *
 * @param sha256 64 lower-case hex characters, or null when only the SHA-512 digest was given
 * @param sha512 128 lower-case hex characters, or null when only the SHA-256 digest was given
 */
public record Artifact(String sha256, String sha512) {

    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-fA-F]{64}|sha512:[0-9a-fA-F]{128}");

    public Artifact {
        if (sha256 == null && sha512 == null) {
            throw new IllegalArgumentException("an artifact needs a SHA-256 or a SHA-512 digest");
        }
        if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a SHA-256 digest is 64 lower-case hex characters");
        }
        if (sha512 != null && !sha512.matches("[0-9a-f]{128}")) {
            throw new IllegalArgumentException("a SHA-512 digest is 128 lower-case hex characters");
        }
    }

    /** {@code sha256:<64 hex>} or {@code sha512:<128 hex>}, upper or lower case. */
    public static Artifact ofDigest(String digest) {
        if (!DIGEST.matcher(digest).matches()) {
            throw new IllegalArgumentException("\"" + digest + "\" is not a digest of the form sha256:<64 hex>");
        }
        String hex = digest.substring("sha256:".length()).toLowerCase(Locale.ROOT);
        return digest.startsWith("sha256:") ? new Artifact(hex, null) : new Artifact(null, hex);
    }

    /** Hashes the file as it streams; the content is never held in memory. */
    public static Artifact ofFile(Path file) throws IOException {
        MessageDigest sha256 = newSha256();
        MessageDigest sha512 = digest("SHA-512");
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, n);
                sha512.update(buffer, 0, n);
            }
        }
        return new Artifact(HexFormat.of().formatHex(sha256.digest()), HexFormat.of().formatHex(sha512.digest()));
    }

    /**
     * The sigstore-conformance rule for a command-line argument: {@code sha256:<64 hex>} (or {@code sha512:<128 hex>})
     * that is not an existing path is a digest; anything else is a file to hash.
     */
    public static Artifact fromArgument(String fileOrDigest) throws IOException {
        if (DIGEST.matcher(fileOrDigest).matches() && !isPath(fileOrDigest)) {
            return ofDigest(fileOrDigest);
        }
        return ofFile(Path.of(fileOrDigest));
    }

    private static boolean isPath(String text) {
        try {
            return Files.exists(Path.of(text));
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /** The digest as {@code sha256:<hex>}, or {@code sha512:<hex>} when that is all there is. */
    public String digest() {
        return sha256 != null ? "sha256:" + sha256 : "sha512:" + sha512;
    }

    static MessageDigest newSha256() {
        return digest("SHA-256");
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has " + algorithm, e);
        }
    }

    @Override
    public String toString() {
        return digest();
    }
}
