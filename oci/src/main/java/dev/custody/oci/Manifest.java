package dev.custody.oci;

import java.util.Map;

/** A parsed image manifest or image index (OCI or Docker schema 2). */
public sealed interface Manifest permits ImageManifest, ImageIndex {

    /** The document's media type: from its {@code mediaType} field, else the response's Content-Type. */
    String mediaType();

    /** The {@code artifactType} field, null when absent. */
    String artifactType();

    /** The manifest this one refers to (signatures, attestations, SBOMs), null when absent. */
    Descriptor subject();

    Map<String, String> annotations();
}
