package dev.custody.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One YAML or JSON document of an input file: its tree, where it came from, and where each node starts,
 * so that a finding on {@code spec.containers[1].image} can name the line a person has to edit.
 */
public final class Document {

    private final String source;
    private final int index;
    private final JsonNode root;
    private final Map<JsonNode, Long> positions;

    Document(String source, int index, JsonNode root, IdentityHashMap<JsonNode, Long> positions) {
        this.source = source;
        this.index = index;
        this.root = root;
        this.positions = positions;
    }

    /** A document built in memory (an AdmissionReview object, a test); positions are unknown. */
    public static Document of(String source, JsonNode root) {
        return new Document(source, 0, root, new IdentityHashMap<>());
    }

    public String source() {
        return source;
    }

    /** 0-based index of this document among the documents of its source. */
    public int index() {
        return index;
    }

    public JsonNode root() {
        return root;
    }

    /** The position of the deepest existing node on {@code path}, or of the document when none is known. */
    public Position locate(FieldPath path) {
        JsonNode node = root;
        Long best = positions.get(root);
        for (Object seg : path.segments()) {
            JsonNode next = seg instanceof Integer i ? node.get(i) : node.get((String) seg);
            if (next == null) {
                break;
            }
            node = next;
            Long p = positions.get(node);
            if (p != null) {
                best = p;
            }
        }
        if (best == null) {
            return new Position(source, 0, 0);
        }
        return new Position(source, (int) (best >>> 32), (int) (long) best);
    }

    /** The position where this document starts. */
    public Position start() {
        return locate(FieldPath.root());
    }
}
