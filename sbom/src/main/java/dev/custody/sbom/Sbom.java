package dev.custody.sbom;

import java.util.List;

/**
 * A parsed SBOM document in Custody's normalized model.
 *
 * @param format         what was read
 * @param specVersion    "1.5", "2.3", ...
 * @param serialNumber   CycloneDX serialNumber or SPDX documentNamespace; null when absent
 * @param name           the document's subject name (CycloneDX metadata.component name, SPDX document name); may be null
 * @param subjectDigests image digests ("sha256:&lt;64 hex&gt;") the document itself says it describes, found in the
 *                       subject's purl (oci purl "?digest=" / "@sha256:"), version, hashes or name; empty when none
 * @param components     every component, nested ones flattened in document order; the subject component
 *                       (CycloneDX metadata.component, SPDX documentDescribes) is not in this list
 * @param dependencies   dependency edges between refs (CycloneDX dependencies, SPDX DEPENDS_ON / DEPENDENCY_OF /
 *                       CONTAINS relationships normalized to from-depends-on-to); empty when the document has none
 * @param contentHash    "sha256:&lt;hex&gt;" of the exact bytes read
 * @param quality        the quality score
 */
public record Sbom(
        SbomFormat format,
        String specVersion,
        String serialNumber,
        String name,
        List<String> subjectDigests,
        List<Component> components,
        List<Dependency> dependencies,
        String contentHash,
        Quality quality) {

    public Sbom {
        subjectDigests = List.copyOf(subjectDigests);
        components = List.copyOf(components);
        dependencies = List.copyOf(dependencies);
    }
}
