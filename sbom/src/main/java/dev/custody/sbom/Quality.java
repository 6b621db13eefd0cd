package dev.custody.sbom;

import java.util.List;

/**
 * How useful an SBOM is for finding what runs: the share of components that carry each field, whether the
 * document names its supplier (or the supplier of its subject), and where it departs from its schema.
 *
 * @param components     the component count
 * @param withPurl       share in [0,1] of components with a purl
 * @param withVersion    share with a version
 * @param withLicense    share with at least one license
 * @param withHash       share with at least one hash
 * @param supplier       whether the document (metadata supplier/manufacturer/authors, or SPDX creators with an
 *                       Organization) names who supplied it
 * @param deviationCount how many tolerated schema deviations the document has
 * @param deviations     the first of them (at most 100), in the order validation found them
 * @param score          0..100: the mean of the four shares times 80, plus 20 when a supplier is present, minus
 *                       {@value #DEVIATION_PENALTY} when the document deviates from its schema at all
 */
public record Quality(
        int components,
        double withPurl,
        double withVersion,
        double withLicense,
        double withHash,
        boolean supplier,
        int deviationCount,
        List<Deviation> deviations,
        double score) {

    /**
     * What a document that deviates from its schema loses, however often: it still says what runs, but other
     * consumers (Dependency-Track, cyclonedx-cli validate) refuse it, and its generator did not check its output.
     */
    public static final double DEVIATION_PENALTY = 10;

    public Quality {
        deviations = List.copyOf(deviations);
    }

    /** Scores a document that conforms to its schema. */
    public static Quality of(List<Component> components, boolean supplier) {
        return of(components, supplier, 0, List.of());
    }

    /**
     * Scores {@code components}. With no components every share is 0, so such a document scores at most 20: an
     * empty SBOM tells nothing about what runs.
     */
    public static Quality of(List<Component> components, boolean supplier, int deviationCount, List<Deviation> deviations) {
        int n = components.size();
        int purl = 0;
        int version = 0;
        int license = 0;
        int hash = 0;
        for (Component c : components) {
            purl += c.purl() != null ? 1 : 0;
            version += c.version() != null ? 1 : 0;
            license += c.licenses().isEmpty() ? 0 : 1;
            hash += c.hashes().isEmpty() ? 0 : 1;
        }
        double withPurl = share(purl, n);
        double withVersion = share(version, n);
        double withLicense = share(license, n);
        double withHash = share(hash, n);
        double score = (withPurl + withVersion + withLicense + withHash) / 4 * 80 + (supplier ? 20 : 0);
        if (deviationCount > 0) {
            score = Math.max(0, score - DEVIATION_PENALTY);
        }
        return new Quality(n, withPurl, withVersion, withLicense, withHash, supplier, deviationCount, deviations, score);
    }

    private static double share(int count, int of) {
        return of == 0 ? 0 : (double) count / of;
    }
}
