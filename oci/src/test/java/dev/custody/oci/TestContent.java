package dev.custody.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.imageref.Digest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Images, indexes, artifacts and cosign-style signatures built here and pushed with the client under test. */
final class TestContent {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";

    /** Something pushed: its digest, bytes and media type. */
    record Pushed(Digest digest, byte[] bytes, String mediaType) {
        Descriptor descriptor() {
            return Descriptor.of(mediaType, digest, bytes.length);
        }
    }

    private TestContent() {}

    static Digest sha256(byte[] bytes) {
        try {
            return new Digest("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] random(Random random, int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }

    static ObjectNode descriptor(Descriptor d) {
        ObjectNode n = JSON.createObjectNode();
        n.put("mediaType", d.mediaType());
        n.put("digest", d.digest().toString());
        n.put("size", d.size());
        if (d.artifactType() != null) {
            n.put("artifactType", d.artifactType());
        }
        if (!d.annotations().isEmpty()) {
            ObjectNode a = n.putObject("annotations");
            d.annotations().forEach(a::put);
        }
        if (d.platform() != null) {
            ObjectNode p = n.putObject("platform");
            p.put("architecture", d.platform().architecture());
            p.put("os", d.platform().os());
            if (d.platform().variant() != null) {
                p.put("variant", d.platform().variant());
            }
        }
        return n;
    }

    static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    static ObjectNode manifestJson(String mediaType, Descriptor config, List<Descriptor> layers, Descriptor subject,
            String artifactType, Map<String, String> annotations) {
        ObjectNode m = JSON.createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", mediaType);
        if (artifactType != null) {
            m.put("artifactType", artifactType);
        }
        m.set("config", descriptor(config));
        ArrayNode ls = m.putArray("layers");
        layers.forEach(l -> ls.add(descriptor(l)));
        if (subject != null) {
            m.set("subject", descriptor(subject));
        }
        if (annotations != null && !annotations.isEmpty()) {
            ObjectNode a = m.putObject("annotations");
            annotations.forEach(a::put);
        }
        return m;
    }

    static ObjectNode indexJson(String mediaType, List<Descriptor> manifests) {
        ObjectNode m = JSON.createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", mediaType);
        ArrayNode ms = m.putArray("manifests");
        manifests.forEach(d -> ms.add(descriptor(d)));
        return m;
    }

    /** A small image (config plus one random layer) under {@code tag}, OCI or Docker media types. */
    static Pushed image(RegistryClient client, Repository repo, String tag, boolean docker, Random random, Call call) {
        String configType = docker ? "application/vnd.docker.container.image.v1+json" : MediaTypes.OCI_CONFIG;
        String layerType = docker ? "application/vnd.docker.image.rootfs.diff.tar.gzip" : "application/vnd.oci.image.layer.v1.tar+gzip";
        String manifestType = docker ? MediaTypes.DOCKER_MANIFEST : MediaTypes.OCI_MANIFEST;
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"n\":"
                + random.nextLong() + "}").getBytes(StandardCharsets.UTF_8);
        Descriptor c = client.pushBlob(repo, config, configType, call);
        Descriptor l = client.pushBlob(repo, random(random, 1024 + random.nextInt(4096)), layerType, call);
        byte[] manifest = bytes(manifestJson(manifestType, c, List.of(l), null, null, Map.of("org.opencontainers.image.title", tag)));
        Digest d = client.pushManifest(repo, tag, manifestType, manifest, call);
        return new Pushed(d, manifest, manifestType);
    }

    /** An index of {@code manifests} under {@code tag}. */
    static Pushed index(RegistryClient client, Repository repo, String tag, List<Descriptor> manifests, Call call) {
        byte[] index = bytes(indexJson(MediaTypes.OCI_INDEX, manifests));
        Digest d = client.pushManifest(repo, tag, MediaTypes.OCI_INDEX, index, call);
        return new Pushed(d, index, MediaTypes.OCI_INDEX);
    }

    /**
     * An artifact referring to {@code subject}, typed the way go-containerregistry's referrers API reports types:
     * by the config's media type (pushed by digest, untagged).
     */
    static Pushed artifact(RegistryClient client, Repository repo, String artifactType, Descriptor subject, byte[] payload,
            String payloadType, Map<String, String> annotations, Call call) {
        Descriptor config = client.pushBlob(repo, "{}".getBytes(StandardCharsets.UTF_8), artifactType, call);
        Descriptor layer = client.pushBlob(repo, payload, payloadType, call);
        byte[] manifest = bytes(manifestJson(MediaTypes.OCI_MANIFEST, config, List.of(layer), subject, null, annotations));
        Digest d = client.pushManifest(repo, null, MediaTypes.OCI_MANIFEST, manifest, call);
        return new Pushed(d, manifest, MediaTypes.OCI_MANIFEST);
    }

    /** A signature manifest as cosign writes it, under {@code sha256-<hex>.sig}. */
    static Pushed cosignSignature(RegistryClient client, Repository repo, Digest subject, String signature, Call call) {
        String payload = "{\"critical\":{\"identity\":{\"docker-reference\":\"" + repo + "\"},\"image\":{\"docker-manifest-digest\":\""
                + subject + "\"},\"type\":\"cosign container image signature\"},\"optional\":null}";
        Descriptor config = client.pushBlob(repo, "{\"architecture\":\"\",\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_CONFIG, call);
        Descriptor layer = client.pushBlob(repo, payload.getBytes(StandardCharsets.UTF_8), MediaTypes.COSIGN_SIMPLE_SIGNING, call);
        Descriptor annotated = new Descriptor(layer.mediaType(), layer.digest(), layer.size(), null,
                Map.of(SIGNATURE_ANNOTATION, signature), null, null);
        byte[] manifest = bytes(manifestJson(MediaTypes.OCI_MANIFEST, config, List.of(annotated), null, null, null));
        Digest d = client.pushManifest(repo, CosignTag.SIGNATURE.tagFor(subject), MediaTypes.OCI_MANIFEST, manifest, call);
        return new Pushed(d, manifest, MediaTypes.OCI_MANIFEST);
    }
}
