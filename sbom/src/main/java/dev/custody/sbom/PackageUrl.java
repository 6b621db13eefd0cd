package dev.custody.sbom;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A package URL as its parts, so that two spellings of one package compare equal: every lookup by purl (components,
 * denylist, vulnerability matching, inventory) parses the text and compares these parts, never the string.
 *
 * <p>Parsing (and each type's own normalization, such as PyPI's lower-case names) is packageurl-java's. Printing
 * is this class's: {@link #canonical()} follows the purl specification, which never percent-encodes {@code :}
 * (packageurl-java 1.5 does, so its text is not used as a key). For example
 * {@code pkg:deb/ubuntu/tar@1.30+dfsg-7ubuntu0.20.04.2?distro=ubuntu-20.04&arch=amd64} (as syft and trivy print it)
 * and {@code pkg:deb/ubuntu/tar@1.30%2Bdfsg-7ubuntu0.20.04.2?arch=amd64&distro=ubuntu-20.04} are the same purl,
 * printed {@code pkg:deb/ubuntu/tar@1.30%2Bdfsg-7ubuntu0.20.04.2?arch=amd64&distro=ubuntu-20.04}.
 *
 * @param type       lower case, never null
 * @param namespace  decoded, segments joined by {@code /}; empty when the purl has none (never null)
 * @param name       decoded, never null or empty
 * @param version    decoded, null when absent
 * @param qualifiers decoded values by lower-case key, sorted; empty when none
 * @param subpath    decoded, null when absent
 */
public record PackageUrl(String type, String namespace, String name, String version, SortedMap<String, String> qualifiers,
                         String subpath) {

    /** Longer text than this is refused before parsing: no real purl comes near it. */
    public static final int MAX_LENGTH = 4096;

    public PackageUrl {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        namespace = namespace == null ? "" : namespace;
        qualifiers = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(qualifiers == null ? Map.of() : qualifiers));
    }

    /** Thrown for text that is not a purl; the message says why, and names the text. */
    public static final class MalformedException extends IllegalArgumentException {
        MalformedException(String message) {
            super(message);
        }
    }

    /** Parses {@code text}; throws {@link MalformedException} naming the text and the reason when it is not a purl. */
    public static PackageUrl parse(String text) {
        if (text == null || text.isBlank()) {
            throw new MalformedException("not a purl: the text is empty");
        }
        String t = text.strip();
        if (t.length() > MAX_LENGTH) {
            throw new MalformedException("not a purl: " + t.length() + " characters, more than " + MAX_LENGTH);
        }
        if (!t.regionMatches(true, 0, "pkg:", 0, 4)) {
            throw new MalformedException("not a purl: \"" + abbreviate(t) + "\" does not start with pkg:");
        }
        PackageURL p;
        try {
            // the scheme is case-insensitive as in any URL, and slashes after it are not significant (pkg://npm/x)
            p = new PackageURL(nonAscii(scopes("pkg:" + t.substring(4).replaceFirst("^/+", ""))));
        } catch (MalformedPackageURLException e) {
            throw new MalformedException("not a purl: \"" + abbreviate(t) + "\": " + e.getMessage());
        } catch (RuntimeException e) {
            // packageurl-java throws unchecked exceptions for some malformed percent-encodings
            throw new MalformedException("not a purl: \"" + abbreviate(t) + "\": " + e);
        }
        Map<String, String> q = p.getQualifiers();
        TreeMap<String, String> qualifiers = new TreeMap<>();
        if (q != null) {
            q.forEach((k, v) -> {
                if (v != null && !v.isEmpty()) { // the specification: an empty value is the same as no qualifier
                    qualifiers.put(k.toLowerCase(java.util.Locale.ROOT), v);
                }
            });
        }
        String version = p.getVersion();
        String subpath = p.getSubpath();
        return new PackageUrl(p.getType().toLowerCase(java.util.Locale.ROOT), p.getNamespace(), p.getName(),
                version == null || version.isEmpty() ? null : version, qualifiers, subpath == null || subpath.isEmpty() ? null : subpath);
    }

    /** Parses {@code text}, or returns null when it is blank or not a purl. */
    public static PackageUrl parseOrNull(String text) {
        try {
            return parse(text);
        } catch (MalformedException e) {
            return null;
        }
    }

    /** The same package without version, qualifiers and subpath: what "every version of it" means. */
    public PackageUrl unversioned() {
        return new PackageUrl(type, namespace, name, null, null, null);
    }

    /**
     * Whether {@code candidate} (a stored component) is what this purl, taken as a query, asks for: type, namespace
     * and name equal; the version equal when this one has a version; the subpath equal when this one has one; and
     * each qualifier this one gives not contradicted (a candidate that lacks the key matches: an SBOM that does not
     * say the distro still holds the package, and a responder must not be told it does not).
     */
    public boolean matches(PackageUrl candidate) {
        if (!type.equals(candidate.type) || !namespace.equals(candidate.namespace) || !name.equals(candidate.name)) {
            return false;
        }
        if (version != null && !version.equals(candidate.version)) {
            return false;
        }
        if (subpath != null && !subpath.equals(candidate.subpath)) {
            return false;
        }
        for (Map.Entry<String, String> e : qualifiers.entrySet()) {
            String other = candidate.qualifiers.get(e.getKey());
            if (other != null && !other.equals(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** The specification's canonical text: lower-case type, sorted qualifiers, and {@code :} never encoded. */
    public String canonical() {
        StringBuilder b = new StringBuilder(64).append("pkg:").append(type).append('/');
        if (!namespace.isEmpty()) {
            segments(b, namespace);
            b.append('/');
        }
        encode(b, name);
        if (version != null) {
            encode(b.append('@'), version);
        }
        if (!qualifiers.isEmpty()) {
            char sep = '?';
            for (Map.Entry<String, String> e : qualifiers.entrySet()) {
                b.append(sep).append(e.getKey()).append('=');
                encode(b, e.getValue());
                sep = '&';
            }
        }
        if (subpath != null) {
            segments(b.append('#'), subpath);
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return canonical();
    }

    private static void segments(StringBuilder b, String path) {
        boolean first = true;
        for (String seg : path.split("/")) {
            if (seg.isEmpty()) {
                continue;
            }
            if (!first) {
                b.append('/');
            }
            encode(b, seg);
            first = false;
        }
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** Percent-encodes all but letters, digits, {@code .-_~} and {@code :}, as UTF-8. */
    private static void encode(StringBuilder b, String s) {
        for (byte raw : s.getBytes(StandardCharsets.UTF_8)) {
            int c = raw & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == '~'
                    || c == ':') {
                b.append((char) c);
            } else {
                b.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
    }

    /**
     * Encodes an {@code @} that opens a path segment ({@code pkg:npm/@angular/core}, as npm users write it): a version
     * separator never follows a slash, since a name is never empty, so this {@code @} can only be part of a namespace.
     */
    private static String scopes(String t) {
        int end = t.length();
        for (int i = 0; i < t.length(); i++) {
            char ch = t.charAt(i);
            if (ch == '?' || ch == '#') {
                end = i;
                break;
            }
        }
        String path = t.substring(0, end);
        return path.contains("/@") ? path.replace("/@", "/%40") + t.substring(end) : t;
    }

    /**
     * Decodes runs of percent-encoded bytes at or above 0x80 that form UTF-8 ({@code %C3%A9} to {@code é}):
     * packageurl-java 1.5 decodes each byte as a character of its own, so {@code %C3%A9} would come back as
     * {@code Ã©}, while it reads a literal {@code é} right. ASCII escapes ({@code %2F}, {@code %40}) are left as
     * they are, since they may stand for separators.
     */
    static String nonAscii(String t) {
        if (t.indexOf('%') < 0) {
            return t;
        }
        StringBuilder out = new StringBuilder(t.length());
        int i = 0;
        while (i < t.length()) {
            int j = i;
            java.io.ByteArrayOutputStream run = new java.io.ByteArrayOutputStream();
            while (j + 2 < t.length() && t.charAt(j) == '%' && hex(t.charAt(j + 1)) >= 8 && hex(t.charAt(j + 2)) >= 0) {
                run.write(hex(t.charAt(j + 1)) * 16 + hex(t.charAt(j + 2)));
                j += 3;
            }
            if (j == i) {
                out.append(t.charAt(i++));
                continue;
            }
            java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT).onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
            try {
                out.append(utf8.decode(java.nio.ByteBuffer.wrap(run.toByteArray())));
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new MalformedException("not a purl: \"" + abbreviate(t) + "\": a percent-encoded sequence at " + i + " is not UTF-8");
            }
            i = j;
        }
        return out.toString();
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
