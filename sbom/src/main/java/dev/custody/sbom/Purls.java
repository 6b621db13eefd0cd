package dev.custody.sbom;

/** Package URLs as the store keys components: canonical form, or nothing when the text is not a purl. */
final class Purls {

    private Purls() {}

    /** The specification's canonical form of {@code text} ({@link PackageUrl}), or null when it is blank or does not parse. */
    static String canonical(String text) {
        PackageUrl purl = PackageUrl.parseOrNull(text);
        return purl == null ? null : purl.canonical();
    }

    /**
     * The image digest a purl names: its version when that is {@code sha256:<hex>} (pkg:oci/name@sha256%3A...,
     * pkg:docker/name@sha256:...) or its {@code digest} qualifier; null when it names none.
     */
    static String digest(String text) {
        PackageUrl purl = PackageUrl.parseOrNull(text);
        if (purl == null) {
            return null;
        }
        if (Digests.isSha256(purl.version())) {
            return purl.version();
        }
        String digest = purl.qualifiers().get("digest");
        return Digests.isSha256(digest) ? digest : null;
    }
}
