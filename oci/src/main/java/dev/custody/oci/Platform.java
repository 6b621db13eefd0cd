package dev.custody.oci;

import java.util.List;
import java.util.Objects;

/** The platform an index entry is built for; {@code variant} and {@code osVersion} are null when absent. */
public record Platform(String os, String architecture, String variant, String osVersion, List<String> osFeatures) {

    public Platform {
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(architecture, "architecture");
        osFeatures = osFeatures == null ? List.of() : List.copyOf(osFeatures);
    }

    /** {@code os/architecture[/variant]}, as {@code --platform} flags write it. */
    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
}
