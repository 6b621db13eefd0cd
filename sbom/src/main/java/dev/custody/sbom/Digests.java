package dev.custody.sbom;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Collects the image digests a document says its subject has, and normalizes hash algorithm names. Only
 * {@code sha256:<64 lower-case hex>} is a digest here: that is what Kubernetes reports in imageID and what the
 * store joins on.
 */
final class Digests {

    private static final String PREFIX = "sha256:";

    private final Set<String> found = new LinkedHashSet<>();

    /** Adds {@code candidate} when it is a well-formed sha256 digest. */
    void add(String candidate) {
        if (isSha256(candidate)) {
            found.add(candidate);
        }
    }

    /** Adds a bare SHA-256 hash value as a digest. */
    void addHex(String hex) {
        if (hex != null) {
            add(PREFIX + hex);
        }
    }

    /** Adds the digest of a purl, if it names one. */
    void addPurl(String purl) {
        add(Purls.digest(purl));
    }

    /** Adds the digest in a name such as {@code docker.io/library/alpine@sha256:<hex>}. */
    void addName(String name) {
        if (name == null) {
            return;
        }
        int at = name.indexOf("@" + PREFIX);
        if (at >= 0 && name.length() - at - 1 >= PREFIX.length() + 64) {
            String candidate = name.substring(at + 1, at + 1 + PREFIX.length() + 64);
            int end = at + 1 + candidate.length();
            if (end == name.length() || !isHex(name.charAt(end))) {
                add(candidate);
            }
        }
    }

    List<String> list() {
        return List.copyOf(found);
    }

    static boolean isSha256(String s) {
        if (s == null || s.length() != PREFIX.length() + 64 || !s.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < s.length(); i++) {
            if (!isHex(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    }

    /**
     * A hash algorithm name as Component documents it: upper case, with SPDX's {@code SHA256} and {@code SHA1}
     * written as CycloneDX writes them ({@code SHA-256}, {@code SHA-1}); {@code SHA3-256}, {@code MD5} and
     * {@code BLAKE2B-256} stay as they are.
     */
    static String algorithm(String name) {
        String a = name.strip().toUpperCase(Locale.ROOT);
        if (a.length() > 3 && a.startsWith("SHA") && allDigits(a, 3)) {
            return "SHA-" + a.substring(3);
        }
        return a;
    }

    private static boolean allDigits(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
