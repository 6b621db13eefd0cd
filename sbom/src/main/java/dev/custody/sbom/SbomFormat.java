package dev.custody.sbom;

/** The document formats Custody reads. */
public enum SbomFormat {
    CYCLONEDX_JSON("cyclonedx", "json"),
    CYCLONEDX_XML("cyclonedx", "xml"),
    SPDX_JSON("spdx", "json"),
    SPDX_TAG_VALUE("spdx", "tag-value");

    private final String family;
    private final String encoding;

    SbomFormat(String family, String encoding) {
        this.family = family;
        this.encoding = encoding;
    }

    /** "cyclonedx" or "spdx". */
    public String family() {
        return family;
    }

    /** "json", "xml" or "tag-value". */
    public String encoding() {
        return encoding;
    }
}
