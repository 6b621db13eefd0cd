package dev.custody.sbom;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import java.util.Map;

/** Package URLs as the store keys components: canonical form, or nothing when the text is not a purl. */
final class Purls {

    private Purls() {}

    /** The canonical form of {@code text} (packageurl-java), or null when it is blank or does not parse. */
    static String canonical(String text) {
        PackageURL purl = parse(text);
        return purl == null ? null : purl.canonicalize();
    }

    /**
     * The image digest a purl names: its version when that is {@code sha256:<hex>} (pkg:oci/name@sha256%3A...,
     * pkg:docker/name@sha256:...) or its {@code digest} qualifier; null when it names none.
     */
    static String digest(String text) {
        PackageURL purl = parse(text);
        if (purl == null) {
            return null;
        }
        if (Digests.isSha256(purl.getVersion())) {
            return purl.getVersion();
        }
        Map<String, String> qualifiers = purl.getQualifiers();
        String digest = qualifiers == null ? null : qualifiers.get("digest");
        return Digests.isSha256(digest) ? digest : null;
    }

    private static PackageURL parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return new PackageURL(text.strip());
        } catch (MalformedPackageURLException | RuntimeException e) {
            // packageurl-java throws unchecked exceptions for some malformed percent-encodings
            return null;
        }
    }
}
