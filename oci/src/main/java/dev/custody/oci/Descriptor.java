package dev.custody.oci;

import dev.custody.imageref.Digest;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A reference to content by digest, as manifests, indexes and the referrers API write it. {@code artifactType} and
 * {@code platform} are null when absent; {@code annotations} keep the order the document gives.
 */
public record Descriptor(String mediaType, Digest digest, long size, String artifactType, Map<String, String> annotations,
        Platform platform, List<String> urls) {

    public Descriptor {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        if (size < 0) {
            throw new IllegalArgumentException("descriptor size must not be negative, was " + size);
        }
        annotations = annotations == null || annotations.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
        urls = urls == null ? List.of() : List.copyOf(urls);
    }

    public static Descriptor of(String mediaType, Digest digest, long size) {
        return new Descriptor(mediaType, digest, size, null, Map.of(), null, List.of());
    }

    public String annotation(String key) {
        return annotations.get(key);
    }
}
