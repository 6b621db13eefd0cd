package dev.custody.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.regex.Pattern;

/**
 * The payload cosign signs for a container image: "simple signing" JSON whose
 * {@code critical.image.docker-manifest-digest} names the image digest. A signature is only as good as this
 * field's match with the digest being admitted.
 *
 * @param dockerReference {@code critical.identity.docker-reference} (informational: the repository signed)
 * @param manifestDigest  {@code critical.image.docker-manifest-digest}
 * @param type            {@code critical.type}
 */
public record SimpleSigning(String dockerReference, String manifestDigest, String type) {

    /** Payloads are a few hundred bytes; anything near this is not one. */
    public static final int MAX_BYTES = 64 * 1024;

    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build());
    }

    /** Reads a payload; the message of the exception names the field that is wrong. */
    static SimpleSigning parse(byte[] payload) throws Rejected {
        if (payload.length > MAX_BYTES) {
            throw new Rejected(Failure.MALFORMED_BUNDLE, "the signed payload is " + payload.length + " bytes, more than " + MAX_BYTES);
        }
        JsonNode root;
        try {
            root = JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new Rejected(Failure.MALFORMED_BUNDLE, "the signed payload is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Rejected(Failure.MALFORMED_BUNDLE, "the signed payload cannot be read: " + e.getMessage());
        }
        JsonNode critical = root == null ? null : root.get("critical");
        if (critical == null || !critical.isObject()) {
            throw new Rejected(Failure.MALFORMED_BUNDLE, "the signed payload has no critical object");
        }
        JsonNode digest = critical.path("image").get("docker-manifest-digest");
        if (digest == null || !digest.isTextual() || !DIGEST.matcher(digest.asText()).matches()) {
            throw new Rejected(Failure.MALFORMED_BUNDLE, "critical.image.docker-manifest-digest: expected sha256:<64 hex>, found "
                    + (digest == null ? "nothing" : digest.toString()));
        }
        JsonNode ref = critical.path("identity").get("docker-reference");
        JsonNode type = critical.get("type");
        return new SimpleSigning(ref != null && ref.isTextual() ? ref.asText() : null, digest.asText(),
                type != null && type.isTextual() ? type.asText() : null);
    }
}
