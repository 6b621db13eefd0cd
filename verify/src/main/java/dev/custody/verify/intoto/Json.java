package dev.custody.verify.intoto;

import static dev.custody.verify.intoto.InvalidStatementException.Kind.MALFORMED;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Map;

/**
 * Reading attestation JSON with bounds, and typed access to its fields that names the field when its JSON type is
 * wrong. Duplicate keys are refused: Go's protojson refuses them too, and a reader that kept the first
 * {@code subject} where another kept the last would be verifying a different statement.
 */
final class Json {

    /** Statements carry SBOMs as predicates, so the bound is generous; provenance is a few kilobytes. */
    static final int MAX_BYTES = 32 * 1024 * 1024;

    /** Deep enough for nested SBOM components, far short of what could exhaust the stack. */
    static final int MAX_DEPTH = 100;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH)
                .maxDocumentLength(MAX_BYTES)
                .maxStringLength(MAX_BYTES)
                .maxNumberLength(100)
                .build());
    }

    private Json() {}

    /** The document's root, which must be an object. */
    static JsonNode readObject(byte[] json, String what) throws InvalidStatementException {
        if (json == null || json.length == 0) {
            throw new InvalidStatementException(MALFORMED, "", what + " is empty");
        }
        if (json.length > MAX_BYTES) {
            throw new InvalidStatementException(MALFORMED, "", what + " is " + json.length + " bytes, more than " + MAX_BYTES);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (StreamConstraintsException e) {
            throw new InvalidStatementException(MALFORMED, "", what + " exceeds a parsing limit: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new InvalidStatementException(MALFORMED, "", what + " is not JSON: " + e.getOriginalMessage());
        } catch (IOException | RuntimeException e) {
            // Jackson reports some malformed input (bad UTF-8 surrogates, for one) as runtime exceptions.
            throw new InvalidStatementException(MALFORMED, "", what + " cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidStatementException(MALFORMED, "", what + " must be a JSON object");
        }
        return root;
    }

    static String at(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** The member, or null when absent or JSON null (protobuf's JSON mapping treats both as unset). */
    static JsonNode member(JsonNode parent, String name) {
        JsonNode n = parent.get(name);
        return n == null || n.isNull() ? null : n;
    }

    static String text(JsonNode parent, String name, String path) throws InvalidStatementException {
        JsonNode n = member(parent, name);
        if (n == null) {
            return null;
        }
        if (!n.isTextual()) {
            throw new InvalidStatementException(MALFORMED, at(path, name), "must be a string, found " + type(n));
        }
        return n.textValue();
    }

    /** The string, or null when absent, null or empty: protobuf's JSON mapping cannot tell these apart. */
    static String nonEmptyText(JsonNode parent, String name, String path) throws InvalidStatementException {
        String s = text(parent, name, path);
        return s == null || s.isEmpty() ? null : s;
    }

    static JsonNode object(JsonNode parent, String name, String path) throws InvalidStatementException {
        JsonNode n = member(parent, name);
        if (n != null && !n.isObject()) {
            throw new InvalidStatementException(MALFORMED, at(path, name), "must be an object, found " + type(n));
        }
        return n;
    }

    static JsonNode array(JsonNode parent, String name, String path) throws InvalidStatementException {
        JsonNode n = member(parent, name);
        if (n != null && !n.isArray()) {
            throw new InvalidStatementException(MALFORMED, at(path, name), "must be an array, found " + type(n));
        }
        return n;
    }

    /**
     * Whether an object is absent in the sense of the Go library's {@code proto.Equal(m, &Message{})}: missing,
     * null, or with every member at its default (null, "", false, 0, [] or {}). {@code "buildDefinition": {}} is
     * thus as missing as no buildDefinition at all.
     */
    static boolean absent(JsonNode n) {
        if (n == null || n.isNull()) {
            return true;
        }
        if (!n.isObject()) {
            return false;
        }
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (!isDefault(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDefault(JsonNode v) {
        return v.isNull() || (v.isTextual() && v.textValue().isEmpty()) || (v.isBoolean() && !v.booleanValue())
                || (v.isNumber() && v.asDouble() == 0) || (v.isContainerNode() && v.isEmpty());
    }

    static String type(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING, BINARY -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL, MISSING -> "null";
        };
    }
}
