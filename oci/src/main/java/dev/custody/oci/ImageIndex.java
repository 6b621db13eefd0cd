package dev.custody.oci;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** An image index (OCI image index v1 or Docker manifest list): manifests, each with its platform when given. */
public record ImageIndex(String mediaType, String artifactType, List<Descriptor> manifests, Descriptor subject,
        Map<String, String> annotations) implements Manifest {

    public ImageIndex {
        Objects.requireNonNull(mediaType, "mediaType");
        manifests = List.copyOf(manifests);
        annotations = annotations == null || annotations.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
    }
}
