package dev.custody.oci;

import dev.custody.imageref.Digest;
import java.util.List;
import java.util.Objects;

/** What {@link RegistryClient#discover} found for a subject, by every path; empty when nothing refers to it. */
public record Discovery(Digest subject, List<Referrer> referrers) {

    public Discovery {
        Objects.requireNonNull(subject, "subject");
        referrers = List.copyOf(referrers);
    }

    public List<Referrer> from(Referrer.Source source) {
        return referrers.stream().filter(r -> r.source() == source).toList();
    }

    /** Referrers of one artifact type, whichever path found them. */
    public List<Referrer> ofArtifactType(String artifactType) {
        return referrers.stream().filter(r -> artifactType.equals(r.artifactType())).toList();
    }

    public boolean isEmpty() {
        return referrers.isEmpty();
    }
}
