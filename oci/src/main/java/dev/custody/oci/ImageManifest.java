package dev.custody.oci;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** An image manifest (OCI image manifest v1 or Docker manifest v2 schema 2): a config and layers. */
public record ImageManifest(String mediaType, String artifactType, Descriptor config, List<Descriptor> layers,
        Descriptor subject, Map<String, String> annotations) implements Manifest {

    public ImageManifest {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(config, "config");
        layers = List.copyOf(layers);
        annotations = annotations == null || annotations.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
    }

    /**
     * The artifact type as the referrers API reports it: the {@code artifactType} field, else the config's media
     * type (how artifacts were typed before OCI 1.1, and how cosign and crane still type them).
     */
    public String effectiveArtifactType() {
        return artifactType != null ? artifactType : config.mediaType();
    }
}
