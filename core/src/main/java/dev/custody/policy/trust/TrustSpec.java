package dev.custody.policy.trust;

import dev.custody.policy.Glob;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One trust rule of a policy: which images it covers and which authorities must have signed them.
 *
 * @param source      the policy file that declares it
 * @param name        the rule's name (its rule id is {@code trust.<name>})
 * @param images      globs over the image's registry/repository (Docker Hub names normalized)
 * @param authorities who may sign
 * @param threshold   how many distinct authorities must have signed
 * @param required    authorities that must be among them
 * @param eachPlatform for a multi-arch index: true when every platform manifest must be signed, false when the
 *                    index's own digest must be (what the workload references)
 * @param provenance  what SLSA provenance must show, or null when the rule requires none
 * @param sbom        whether an attested SBOM is required
 * @param scan        what an attested vulnerability scan must show, or null when the rule requires none
 * @param id          a digest of everything above but the source and name: verification results are cached per
 *                    (image digest, id), so an edit to the rule invalidates them and an identical rule in
 *                    another policy shares them
 */
public record TrustSpec(String source, String name, List<Glob> images, List<Authority> authorities, int threshold,
                        List<String> required, boolean eachPlatform, ProvenanceRequirement provenance, boolean sbom, ScanRequirement scan,
                        String id) {

    public TrustSpec {
        images = List.copyOf(images);
        authorities = List.copyOf(authorities);
        required = List.copyOf(required);
    }

    static TrustSpec of(String source, String name, List<Glob> images, List<Authority> authorities, int threshold, List<String> required,
                        boolean eachPlatform, ProvenanceRequirement provenance, boolean sbom, ScanRequirement scan) {
        StringBuilder canonical = new StringBuilder();
        images.forEach(g -> canonical.append("image\0").append(g.pattern()).append('\0'));
        for (Authority a : authorities) {
            canonical.append("authority\0").append(a).append('\0');
        }
        canonical.append("threshold\0").append(threshold).append('\0').append("required\0").append(required);
        canonical.append("\0eachPlatform\0").append(eachPlatform).append("\0").append(provenance);
        canonical.append("\0sbom\0").append(sbom).append("\0").append(scan);
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return new TrustSpec(source, name, images, authorities, threshold, required, eachPlatform, provenance, sbom, scan, HexFormat.of().formatHex(h, 0, 12));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The kinds of attestation the rule requires, in a fixed order; empty when it requires signatures only. */
    public java.util.Set<AttestationKind> attestations() {
        java.util.EnumSet<AttestationKind> kinds = java.util.EnumSet.noneOf(AttestationKind.class);
        if (provenance != null) {
            kinds.add(AttestationKind.PROVENANCE);
        }
        if (sbom) {
            kinds.add(AttestationKind.SBOM);
        }
        if (scan != null) {
            kinds.add(AttestationKind.SCAN);
        }
        return kinds;
    }

    /** Whether the rule covers an image, by its normalized registry/repository name. */
    public boolean covers(String name) {
        for (Glob g : images) {
            if (g.matches(name)) {
                return true;
            }
        }
        return false;
    }
}
