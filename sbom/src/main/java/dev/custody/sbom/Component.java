package dev.custody.sbom;

import java.util.List;
import java.util.Map;

/**
 * One component (CycloneDX) or package (SPDX), normalized.
 *
 * @param ref      the document-local identifier: the CycloneDX bom-ref or the SPDX SPDXID; never null (the parser
 *                 makes one up from the position when the document has none)
 * @param purl     the package URL in the specification's canonical form ({@link PackageUrl}), or null when the document has none or it
 *                 does not parse
 * @param type     the component type as the document says it ("library", "operating-system", ...), lower case;
 *                 for SPDX the primaryPackagePurpose, or "library" when absent
 * @param name     never null or blank
 * @param version  null when absent or SPDX NOASSERTION
 * @param licenses SPDX license ids or expressions, or license names when only a name is given; empty when none
 *                 or NOASSERTION/NONE
 * @param hashes   algorithm (upper case, as in "SHA-256", "SHA-1", "MD5") to lower-case hex
 * @param supplier supplier or publisher name, null when absent or NOASSERTION
 */
public record Component(
        String ref,
        String purl,
        String type,
        String name,
        String version,
        List<String> licenses,
        Map<String, String> hashes,
        String supplier) {

    public Component {
        licenses = List.copyOf(licenses);
        hashes = Map.copyOf(hashes);
    }

    /** The key the store files this component under: the purl when there is one. */
    public String key() {
        if (purl != null) {
            return purl;
        }
        return "nopurl:" + type + "/" + name + (version == null ? "" : "@" + version);
    }
}
