package dev.custody.sbom;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads JSON documents into Jackson trees within {@link SbomLimits}, and the small accessors the readers share.
 * Jackson builds trees without recursion, so nesting is bounded only by {@link SbomLimits#maxNestingDepth()}.
 * Duplicate keys are errors: two {@code components} keys would mean different things to different tools. A large
 * top-level array can be streamed element by element ({@link Streaming}), which keeps a 50,000-component
 * CycloneDX document from ever being one tree.
 */
final class JsonInput {

    private static final ObjectMapper DEFAULT = build(SbomLimits.DEFAULT);

    private JsonInput() {}

    /** A mapper whose parsers enforce {@code limits}; the default one is shared (mappers are thread-safe). */
    static ObjectMapper mapper(SbomLimits limits) {
        return limits.equals(SbomLimits.DEFAULT) ? DEFAULT : build(limits);
    }

    private static ObjectMapper build(SbomLimits limits) {
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxNestingDepth(limits.maxNestingDepth())
                .maxDocumentLength(limits.maxBytes())
                .maxStringLength((int) Math.min(Integer.MAX_VALUE, limits.maxBytes()))
                .build();
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(constraints)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        return new ObjectMapper(factory);
    }

    /** Receives the elements of an array one at a time, so that they need not all be in memory at once. */
    interface ElementSink {
        void accept(JsonNode element, int index) throws SbomException;
    }

    /** Chooses, for a top-level field about to be read, a sink for its array elements; null keeps it in the tree. */
    interface Streaming {
        ElementSink open(String field, ObjectNode rootSoFar) throws SbomException;
    }

    /**
     * Parses {@code bytes}, which must hold one JSON object, into a tree; the elements of top-level arrays that
     * {@code streaming} claims go to their sink instead, each as its own small tree. Syntax errors and exceeded
     * limits name the line and column.
     */
    static ObjectNode readObject(byte[] bytes, String source, SbomLimits limits, Streaming streaming)
            throws SbomException {
        ObjectMapper mapper = mapper(limits);
        JsonParser p = null;
        try {
            p = mapper.createParser(bytes);
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new SbomException(source + ": expected a JSON object");
            }
            ObjectNode root = mapper.createObjectNode();
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                ElementSink sink = value == JsonToken.START_ARRAY ? streaming.open(field, root) : null;
                if (sink == null) {
                    JsonNode node = mapper.readTree(p);
                    root.set(field, node == null ? NullNode.getInstance() : node);
                    continue;
                }
                int index = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    JsonNode element = mapper.readTree(p);
                    sink.accept(element == null ? NullNode.getInstance() : element, index++);
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new SbomException(source + at(p.currentLocation()) + ": malformed JSON: unexpected " + t);
            }
            if (p.nextToken() != null) {
                throw new SbomException(source + at(p.currentLocation()) + ": malformed JSON: content after the document");
            }
            return root;
        } catch (StreamConstraintsException e) {
            // constraint violations carry no location of their own
            String where = at(e.getLocation() != null ? e.getLocation() : p == null ? null : p.currentLocation());
            String msg = e.getOriginalMessage();
            if (msg != null && msg.contains("nesting depth")) {
                throw new SbomException(source + where + ": JSON nested deeper than " + limits.maxNestingDepth()
                        + " levels (limit maxNestingDepth)", e);
            }
            throw new SbomException(source + where + ": JSON exceeds a size limit: " + firstLine(msg), e);
        } catch (JacksonException e) {
            throw new SbomException(source + at(e.getLocation()) + ": malformed JSON: " + firstLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new SbomException(source + ": cannot read JSON: " + e.getMessage(), e);
        } finally {
            if (p != null) {
                try {
                    p.close();
                } catch (IOException ignored) {
                    // nothing is held open on a byte array
                }
            }
        }
    }

    /** The text of {@code node.field}, or null when absent, null, not a string or blank. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            return null;
        }
        String s = value.textValue().strip();
        return s.isEmpty() ? null : s;
    }

    /** The elements of {@code node.field} when it is an array, else nothing. */
    static Iterable<JsonNode> array(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray()) {
            return List.of();
        }
        return value;
    }

    /** The first few top-level keys of an object, to say what a document that is not an SBOM looks like. */
    static String keys(JsonNode node) {
        StringBuilder sb = new StringBuilder();
        Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator();
        int n = 0;
        while (it.hasNext() && n < 6) {
            sb.append(n++ == 0 ? "" : ", ").append('"').append(it.next().getKey()).append('"');
        }
        if (it.hasNext()) {
            sb.append(", ...");
        }
        return n == 0 ? "no keys" : sb.toString();
    }

    private static String at(JsonLocation loc) {
        if (loc == null || loc.getLineNr() <= 0) {
            return "";
        }
        return ":" + loc.getLineNr() + ":" + loc.getColumnNr();
    }

    static String firstLine(String msg) {
        if (msg == null) {
            return "";
        }
        int nl = msg.indexOf('\n');
        return (nl < 0 ? msg : msg.substring(0, nl)).strip();
    }

    /** A string shortened for an error message. */
    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        return "\"" + (s.length() > 60 ? s.substring(0, 57) + "..." : s) + "\"";
    }

    /** A JSON value shortened for an error message. */
    static String describe(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "nothing";
        }
        if (value.isTextual()) {
            return quote(value.textValue());
        }
        if (value.isContainerNode()) {
            return value.isArray() ? "an array" : "an object";
        }
        return value.getNodeType().name().toLowerCase(Locale.ROOT) + " " + value;
    }
}
