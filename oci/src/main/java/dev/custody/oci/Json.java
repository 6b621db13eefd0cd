package dev.custody.oci;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * The JSON reader for everything a registry sends. Bounded before any mapping: nesting depth, string and number
 * lengths. Duplicate keys are refused, because two readers that keep different duplicates would see different
 * layers in the same signed bytes; trailing content is refused for the same reason.
 */
final class Json {

    /** Manifests nest four levels; error bodies and token answers less. */
    static final int MAX_DEPTH = 32;

    static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .maxNumberLength(32)
                            .maxStringLength(4 * 1024 * 1024)
                            .build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {}

    static JsonNode read(byte[] bytes) throws IOException {
        if (bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF) {
            // Jackson skips a byte order mark; Go's encoding/json (containerd, cosign) refuses it. Refuse it too.
            throw new IOException("the document starts with a byte order mark");
        }
        JsonNode node = MAPPER.readTree(bytes);
        if (node == null || node.isMissingNode()) {
            throw new IOException("empty document");
        }
        return node;
    }
}
