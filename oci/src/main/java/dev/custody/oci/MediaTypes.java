package dev.custody.oci;

import java.util.List;
import java.util.Locale;

/** The media types this client asks for and reads, and the ones that mark signatures and attestations. */
public final class MediaTypes {

    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

    /** Schema 1 (signed with JWS, hashed without its signature) is refused: no registry in use still needs it. */
    public static final String DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json";
    public static final String DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";

    /** The empty config of artifacts (OCI image spec 1.1). */
    public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCTET_STREAM = "application/octet-stream";

    /** The payload cosign signs, in the layers of a {@code sha256-<hex>.sig} manifest. */
    public static final String COSIGN_SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
    /** The DSSE envelopes in the layers of a {@code sha256-<hex>.att} manifest. */
    public static final String DSSE_ENVELOPE = "application/vnd.dsse.envelope.v1+json";
    /** A Sigstore bundle stored as an OCI 1.1 referrer. */
    public static final String SIGSTORE_BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json";

    /** The Accept header for manifest requests: every manifest and index type this client parses. */
    static final String ACCEPT_MANIFESTS = String.join(", ", OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST);

    static final List<String> MANIFESTS = List.of(OCI_MANIFEST, DOCKER_MANIFEST);
    static final List<String> INDEXES = List.of(OCI_INDEX, DOCKER_MANIFEST_LIST);

    private MediaTypes() {}

    static boolean isManifest(String mediaType) {
        return MANIFESTS.contains(mediaType);
    }

    static boolean isIndex(String mediaType) {
        return INDEXES.contains(mediaType);
    }

    /** A Content-Type header without parameters, lower-cased; null for null. */
    static String bare(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semi = contentType.indexOf(';');
        String t = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return t.isEmpty() ? null : t;
    }
}
