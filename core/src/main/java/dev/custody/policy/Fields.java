package dev.custody.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.manifest.Document;
import dev.custody.manifest.FieldPath;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A strict reader over one mapping of a policy document. Unknown keys and wrong types become
 * {@link PolicyError}s that name the file, line and field (with a suggestion for near misses); reading
 * goes on so that one run reports every problem.
 */
public final class Fields {

    private final Document doc;
    private final List<PolicyError> errors;
    private final JsonNode node;
    private final FieldPath path;

    private Fields(Document doc, List<PolicyError> errors, JsonNode node, FieldPath path) {
        this.doc = doc;
        this.errors = errors;
        this.node = node;
        this.path = path;
    }

    /** Reads {@code node} at {@code path}, reporting keys not in {@code known}. Null when node is not a mapping. */
    public static Fields of(Document doc, List<PolicyError> errors, JsonNode node, FieldPath path, Set<String> known) {
        if (node == null || !node.isObject()) {
            errors.add(new PolicyError(doc.locate(path), path.toString(), "must be a mapping, found " + kind(node)));
            return null;
        }
        Fields f = new Fields(doc, errors, node, path);
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                String hint = suggest(name, known);
                f.error(path.child(name), "unknown field \"" + name + "\"" + (hint != null ? " (did you mean \"" + hint + "\"?)"
                        : "; known fields: " + String.join(", ", known.stream().sorted().toList())));
            }
        }
        return f;
    }

    public Document document() {
        return doc;
    }

    public List<PolicyError> errors() {
        return errors;
    }

    public FieldPath path() {
        return path;
    }

    public JsonNode node() {
        return node;
    }

    public boolean has(String key) {
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    public JsonNode raw(String key) {
        return node.get(key);
    }

    public void error(FieldPath at, String message) {
        errors.add(new PolicyError(doc.locate(at), at.toString(), message));
    }

    public String string(String key, boolean required) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                error(path.child(key), "required field is missing");
            }
            return null;
        }
        if (!v.isTextual()) {
            error(path.child(key), "must be a string, found " + kind(v));
            return null;
        }
        return v.asText();
    }

    /** One of {@code allowed}; reports anything else with the list of allowed values. */
    public String choice(String key, List<String> allowed, String fallback) {
        String v = string(key, false);
        if (v == null) {
            return fallback;
        }
        if (!allowed.contains(v)) {
            error(path.child(key), "must be one of " + String.join(", ", allowed) + ", found \"" + v + "\"");
            return fallback;
        }
        return v;
    }

    public Boolean bool(String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            error(path.child(key), "must be true or false, found " + kind(v));
            return null;
        }
        return v.asBoolean();
    }

    public Long integer(String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber()) {
            error(path.child(key), "must be an integer, found " + kind(v));
            return null;
        }
        return v.asLong();
    }

    public List<String> strings(String key) {
        return stringsAt(node.get(key), path.child(key));
    }

    public List<String> stringsAt(JsonNode v, FieldPath at) {
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            error(at, "must be a list of strings, found " + kind(v));
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isTextual() || e.asText().isEmpty()) {
                error(at.index(i), "must be a non-empty string, found " + kind(e));
            } else {
                out.add(e.asText());
            }
        }
        return out;
    }

    public Map<String, String> stringMap(String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return Map.of();
        }
        if (!v.isObject()) {
            error(path.child(key), "must be a mapping of strings, found " + kind(v));
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        v.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                error(path.child(key).child(e.getKey()), "must be a string, found " + kind(e.getValue()));
            } else {
                out.put(e.getKey(), e.getValue().asText());
            }
        });
        return out;
    }

    /** The nested mapping under {@code key}, or an empty one when absent, so defaults flow through one code path. */
    public Fields objectOrEmpty(String key, Set<String> known) {
        if (has(key)) {
            Fields f = object(key, known);
            if (f != null) {
                return f;
            }
        }
        return new Fields(doc, errors, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), path.child(key));
    }

    /** The nested mapping under {@code key}, or null when absent (an error when present but not a mapping). */
    public Fields object(String key, Set<String> known) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        return of(doc, errors, v, path.child(key), known);
    }

    public static String kind(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return "nothing";
        }
        if (n.isObject()) {
            return "a mapping";
        }
        if (n.isArray()) {
            return "a list";
        }
        if (n.isTextual()) {
            return "the string \"" + (n.asText().length() > 40 ? n.asText().substring(0, 37) + "..." : n.asText()) + "\"";
        }
        if (n.isBoolean()) {
            return "the boolean " + n.asText();
        }
        if (n.isNumber()) {
            return "the number " + n.asText();
        }
        return n.getNodeType().name().toLowerCase();
    }

    static String suggest(String name, Set<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = distance(name.toLowerCase(), k.toLowerCase());
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
