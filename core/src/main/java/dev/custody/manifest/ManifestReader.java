package dev.custody.manifest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads multi-document YAML (and JSON, which is YAML) into {@link Document}s, remembering where every node
 * starts. The tree is built iteratively, so a hostile 10,000-level document costs no stack: it is refused at
 * {@link InputLimits#maxDepth()} with the line where it went too deep. Duplicate keys are errors, as they are
 * for the API server; aliases are expanded within a node budget so an alias bomb is refused, not expanded.
 */
public final class ManifestReader {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final InputLimits limits;
    private final YAMLFactory yaml;
    private final JsonFactory json;

    public ManifestReader(InputLimits limits) {
        this.limits = limits;
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxNestingDepth(limits.maxDepth() + 16)
                .maxStringLength((int) Math.min(Integer.MAX_VALUE, limits.maxBytes()))
                .maxDocumentLength(limits.maxBytes() + 1)
                .build();
        LoaderOptions loader = new LoaderOptions();
        loader.setCodePointLimit((int) Math.min(Integer.MAX_VALUE - 1, limits.maxBytes() + 1));
        loader.setNestingDepthLimit(limits.maxDepth() + 16);
        loader.setAllowDuplicateKeys(false);
        this.yaml = YAMLFactory.builder().loaderOptions(loader).streamReadConstraints(constraints).build();
        this.json = JsonFactory.builder().streamReadConstraints(constraints).build();
    }

    public ManifestReader() {
        this(InputLimits.DEFAULT);
    }

    public InputLimits limits() {
        return limits;
    }

    /** Reads every document of {@code text}; {@code source} names the input in positions and errors. */
    public List<Document> read(String source, String text) {
        if (text.length() > limits.maxBytes()) {
            throw new ManifestException(new Position(source, 0, 0),
                    "input is larger than the limit of " + limits.maxBytes() + " bytes");
        }
        boolean isJson = looksLikeJson(text);
        try (JsonParser p = isJson ? json.createParser(text) : yaml.createParser(text)) {
            List<Document> docs = new ArrayList<>();
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (docs.size() >= limits.maxDocuments()) {
                    throw new ManifestException(position(source, p.currentTokenLocation()),
                            "more than " + limits.maxDocuments() + " documents in one input");
                }
                IdentityHashMap<JsonNode, Long> positions = new IdentityHashMap<>();
                JsonNode root = new TreeBuilder(source, p, positions).build(t);
                if (root.isTextual() && root.asText().isEmpty()) {
                    root = NODES.nullNode(); // an empty document between two '---' markers
                }
                docs.add(new Document(source, docs.size(), root, positions));
            }
            return docs;
        } catch (JacksonException e) {
            JsonLocation loc = e.getLocation();
            String msg = e.getOriginalMessage();
            if (msg == null) {
                msg = e.getMessage();
            }
            throw new ManifestException(position(source, loc), "malformed " + (isJson ? "JSON" : "YAML") + ": " + firstLine(msg));
        } catch (IOException e) {
            throw new ManifestException(new Position(source, 0, 0), "cannot read input: " + e.getMessage());
        }
    }

    private static boolean looksLikeJson(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\uFEFF' || Character.isWhitespace(c)) {
                continue;
            }
            return c == '{' || c == '[';
        }
        return false;
    }

    private static String firstLine(String msg) {
        int nl = msg.indexOf('\n');
        return (nl < 0 ? msg : msg.substring(0, nl)).strip();
    }

    private static Position position(String source, JsonLocation loc) {
        if (loc == null || loc.getLineNr() <= 0) {
            return new Position(source, 0, 0);
        }
        return new Position(source, loc.getLineNr(), Math.max(0, loc.getColumnNr()));
    }

    /** Builds one document's tree from the token stream with an explicit stack. */
    private final class TreeBuilder {
        private final String source;
        private final JsonParser p;
        private final IdentityHashMap<JsonNode, Long> positions;
        private final ArrayDeque<JsonNode> stack = new ArrayDeque<>();
        private final Map<String, JsonNode> anchors = new HashMap<>();
        private long aliasBudget = 1_000_000;

        TreeBuilder(String source, JsonParser p, IdentityHashMap<JsonNode, Long> positions) {
            this.source = source;
            this.p = p;
            this.positions = positions;
        }

        JsonNode build(JsonToken first) throws IOException {
            JsonToken t = first;
            String fieldName = null;
            while (true) {
                JsonNode value = null;
                boolean alias = false;
                switch (t) {
                    case START_OBJECT, START_ARRAY -> {
                        if (stack.size() >= limits.maxDepth()) {
                            throw new ManifestException(position(source, p.currentTokenLocation()),
                                    "nesting deeper than " + limits.maxDepth() + " levels");
                        }
                        JsonNode container = t == JsonToken.START_OBJECT ? NODES.objectNode() : NODES.arrayNode();
                        record(container);
                        anchor(container);
                        attach(container, fieldName);
                        stack.push(container);
                        fieldName = null;
                    }
                    case END_OBJECT, END_ARRAY -> {
                        JsonNode done = stack.pop();
                        if (stack.isEmpty()) {
                            return done;
                        }
                    }
                    case FIELD_NAME -> {
                        fieldName = p.currentName();
                        ObjectNode obj = (ObjectNode) stack.peek();
                        if (obj.has(fieldName)) {
                            throw new ManifestException(position(source, p.currentTokenLocation()),
                                    "duplicate key \"" + fieldName + "\"");
                        }
                    }
                    case VALUE_STRING -> {
                        alias = p instanceof YAMLParser y && y.isCurrentAlias();
                        if (alias) {
                            value = resolveAlias(p.getText());
                        } else {
                            value = NODES.textNode(p.getText());
                        }
                    }
                    case VALUE_NUMBER_INT -> value = switch (p.getNumberType()) {
                        case INT -> NODES.numberNode(p.getIntValue());
                        case LONG -> NODES.numberNode(p.getLongValue());
                        default -> NODES.numberNode(p.getBigIntegerValue());
                    };
                    case VALUE_NUMBER_FLOAT -> value = NODES.numberNode(p.getDoubleValue());
                    case VALUE_TRUE -> value = NODES.booleanNode(true);
                    case VALUE_FALSE -> value = NODES.booleanNode(false);
                    case VALUE_NULL -> value = NODES.nullNode();
                    case VALUE_EMBEDDED_OBJECT -> value = NODES.textNode(String.valueOf(p.getEmbeddedObject()));
                    default -> throw new ManifestException(position(source, p.currentTokenLocation()),
                            "unexpected token " + t);
                }
                if (value != null) {
                    if (!alias) {
                        // small numbers, booleans and null are shared instances: keep their first position
                        if (!value.isNull() && !value.isBoolean() && !positions.containsKey(value)) {
                            record(value);
                        }
                        anchor(value);
                    }
                    if (stack.isEmpty()) {
                        return value;
                    }
                    attach(value, fieldName);
                    fieldName = null;
                }
                t = p.nextToken();
                if (t == null) {
                    throw new ManifestException(position(source, p.currentLocation()), "unexpected end of input");
                }
            }
        }

        private void attach(JsonNode value, String fieldName) {
            JsonNode parent = stack.peek();
            if (parent == null) {
                return;
            }
            if (parent instanceof ObjectNode obj) {
                obj.set(fieldName, value);
            } else {
                ((ArrayNode) parent).add(value);
            }
        }

        private void record(JsonNode node) {
            JsonLocation loc = p.currentTokenLocation();
            if (loc != null && loc.getLineNr() > 0) {
                positions.put(node, ((long) loc.getLineNr() << 32) | (Math.max(0, loc.getColumnNr()) & 0xffffffffL));
            }
        }

        private void anchor(JsonNode node) throws IOException {
            if (p instanceof YAMLParser) {
                Object id = p.getObjectId();
                if (id != null) {
                    anchors.put(id.toString(), node);
                }
            }
        }

        private JsonNode resolveAlias(String name) {
            JsonNode target = anchors.get(name);
            if (target == null) {
                throw new ManifestException(position(source, p.currentTokenLocation()), "alias *" + name + " refers to no anchor");
            }
            aliasBudget -= size(target, aliasBudget);
            if (aliasBudget < 0) {
                throw new ManifestException(position(source, p.currentTokenLocation()),
                        "YAML aliases expand to more than 1,000,000 nodes; refusing the document");
            }
            return target;
        }

        private long size(JsonNode n, long cap) {
            long total = 1;
            ArrayDeque<JsonNode> todo = new ArrayDeque<>();
            todo.push(n);
            while (!todo.isEmpty() && total <= cap) {
                JsonNode x = todo.pop();
                for (JsonNode c : x) {
                    total++;
                    if (c.isContainerNode()) {
                        todo.push(c);
                    }
                }
            }
            return total;
        }
    }
}
