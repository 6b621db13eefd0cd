package dev.custody.oci;

import dev.custody.imageref.Digest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Content digests: computing them over bytes received, and checking them against the digest asked for. */
final class Digests {

    private Digests() {}

    static Digest sha256(byte[] bytes) {
        return compute("sha256", bytes);
    }

    /** The digest of {@code bytes} with {@code algorithm} ({@code sha256} or {@code sha512}, the ones {@link Digest} admits). */
    static Digest compute(String algorithm, byte[] bytes) {
        MessageDigest md = messageDigest(algorithm);
        return new Digest(algorithm, HexFormat.of().formatHex(md.digest(bytes)));
    }

    static MessageDigest messageDigest(String algorithm) {
        String jca = switch (algorithm) {
            case "sha256" -> "SHA-256";
            case "sha512" -> "SHA-512";
            default -> throw new IllegalArgumentException("unsupported digest algorithm " + algorithm);
        };
        try {
            return MessageDigest.getInstance(jca);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jca + " is missing from this JDK", e);
        }
    }

    /** Parses a digest a registry sent (header or JSON); null when it is not a digest this client can check. */
    static Digest parseOrNull(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Digest.parse(text.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
