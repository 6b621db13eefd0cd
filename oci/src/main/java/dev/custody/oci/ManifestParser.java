package dev.custody.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.imageref.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads manifest and index bytes into {@link Manifest} records, field by field so that a misfit is named by its
 * path ({@code layers[2].digest}). Unknown fields are ignored, as the specifications require; known fields of
 * the wrong type are refused. A document with both {@code manifests} and {@code config}/{@code layers} is refused
 * whatever its media type says (CVE-2021-41190: two clients must not read one digest as different content).
 */
final class ManifestParser {

    private final String registry;
    private final String what;

    private ManifestParser(String registry, String what) {
        this.registry = registry;
        this.what = what;
    }

    /**
     * Parses {@code bytes}; {@code contentType} (may be null) is used when the document has no {@code mediaType}.
     * Throws {@link InvalidResponseException} naming {@code what} for anything it cannot read.
     */
    static Manifest parse(byte[] bytes, String contentType, String registry, String what) {
        return new ManifestParser(registry, what).parse(bytes, contentType);
    }

    private Manifest parse(byte[] bytes, String contentType) {
        JsonNode root;
        try {
            root = Json.read(bytes);
        } catch (JsonProcessingException e) {
            throw malformed("is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException | RuntimeException e) {
            throw malformed("is not valid JSON: " + e.getMessage());
        }
        if (!root.isObject()) {
            throw malformed("is not a JSON object");
        }
        JsonNode version = root.get("schemaVersion");
        if (version == null || !version.isIntegralNumber()) {
            throw malformed("has no integer schemaVersion");
        }
        String declared = optString(root, "mediaType", "mediaType");
        if (version.asLong() == 1 || MediaTypes.DOCKER_SCHEMA1.equals(declared) || MediaTypes.DOCKER_SCHEMA1_SIGNED.equals(declared)) {
            throw new InvalidResponseException(registry, InvalidResponseException.Reason.UNSUPPORTED_MEDIA_TYPE,
                    what + " is a Docker schema 1 manifest, which is not supported");
        }
        if (version.asLong() != 2) {
            throw malformed("has schemaVersion " + version.asLong() + ", expected 2");
        }
        boolean hasManifests = root.has("manifests");
        boolean hasImageParts = root.has("config") || root.has("layers");
        if (hasManifests && hasImageParts) {
            throw malformed("has both manifests and config/layers, so it is ambiguous");
        }
        String header = MediaTypes.bare(contentType);
        String type;
        if (declared != null) {
            type = declared;
        } else if (header != null && (MediaTypes.isManifest(header) || MediaTypes.isIndex(header))) {
            type = header;
        } else {
            type = hasManifests ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
        }
        if (MediaTypes.isIndex(type)) {
            return index(root, type);
        }
        if (MediaTypes.isManifest(type)) {
            return manifest(root, type);
        }
        throw new InvalidResponseException(registry, InvalidResponseException.Reason.UNSUPPORTED_MEDIA_TYPE,
                what + " has media type " + Messages.clip(type) + ", which is not an image manifest or index");
    }

    private ImageIndex index(JsonNode root, String type) {
        JsonNode manifests = root.get("manifests");
        if (manifests == null || !manifests.isArray()) {
            throw malformed("is an index (" + type + ") without a manifests array");
        }
        List<Descriptor> entries = new ArrayList<>(manifests.size());
        for (int i = 0; i < manifests.size(); i++) {
            entries.add(descriptor(manifests.get(i), "manifests[" + i + "]"));
        }
        return new ImageIndex(type, optString(root, "artifactType", "artifactType"), entries,
                optDescriptor(root, "subject"), annotations(root, "annotations"));
    }

    private ImageManifest manifest(JsonNode root, String type) {
        JsonNode config = root.get("config");
        if (config == null) {
            throw malformed("is an image manifest (" + type + ") without config");
        }
        JsonNode layers = root.get("layers");
        if (layers == null || !layers.isArray()) {
            throw malformed("is an image manifest (" + type + ") without a layers array");
        }
        List<Descriptor> parsed = new ArrayList<>(layers.size());
        for (int i = 0; i < layers.size(); i++) {
            parsed.add(descriptor(layers.get(i), "layers[" + i + "]"));
        }
        return new ImageManifest(type, optString(root, "artifactType", "artifactType"), descriptor(config, "config"),
                parsed, optDescriptor(root, "subject"), annotations(root, "annotations"));
    }

    private Descriptor optDescriptor(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        return n == null || n.isNull() ? null : descriptor(n, field);
    }

    private Descriptor descriptor(JsonNode n, String path) {
        if (n == null || !n.isObject()) {
            throw malformed(path + " is not an object");
        }
        String mediaType = optString(n, "mediaType", path + ".mediaType");
        if (mediaType == null || mediaType.isEmpty()) {
            throw malformed(path + ".mediaType is missing");
        }
        String digestText = optString(n, "digest", path + ".digest");
        if (digestText == null) {
            throw malformed(path + ".digest is missing");
        }
        Digest digest;
        try {
            digest = Digest.parse(digestText);
        } catch (IllegalArgumentException e) {
            throw malformed(path + ".digest is not a usable digest: " + e.getMessage());
        }
        JsonNode size = n.get("size");
        if (size == null || !size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() < 0) {
            throw malformed(path + ".size is missing or not a non-negative integer");
        }
        return new Descriptor(mediaType, digest, size.asLong(), optString(n, "artifactType", path + ".artifactType"),
                annotations(n, path + ".annotations"), platform(n.get("platform"), path + ".platform"), urls(n.get("urls"), path + ".urls"));
    }

    private Platform platform(JsonNode n, String path) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw malformed(path + " is not an object");
        }
        String os = optString(n, "os", path + ".os");
        String arch = optString(n, "architecture", path + ".architecture");
        if (os == null || arch == null) {
            throw malformed(path + " lacks os or architecture");
        }
        return new Platform(os, arch, optString(n, "variant", path + ".variant"), optString(n, "os.version", path + ".os.version"),
                strings(n.get("os.features"), path + ".os.features"));
    }

    private List<String> urls(JsonNode n, String path) {
        return strings(n, path);
    }

    private List<String> strings(JsonNode n, String path) {
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw malformed(path + " is not an array");
        }
        List<String> out = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            if (!n.get(i).isTextual()) {
                throw malformed(path + "[" + i + "] is not a string");
            }
            out.add(n.get(i).textValue());
        }
        return out;
    }

    private Map<String, String> annotations(JsonNode parent, String path) {
        JsonNode n = parent.get("annotations");
        if (n == null || n.isNull()) {
            return Map.of();
        }
        if (!n.isObject()) {
            throw malformed(path + " is not an object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (!e.getValue().isTextual()) {
                throw malformed(path + "." + Messages.clip(e.getKey()) + " is not a string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    private String optString(JsonNode parent, String field, String path) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw malformed(path + " is not a string");
        }
        return n.textValue();
    }

    private InvalidResponseException malformed(String detail) {
        return new InvalidResponseException(registry, InvalidResponseException.Reason.MALFORMED, what + ": " + detail);
    }
}
