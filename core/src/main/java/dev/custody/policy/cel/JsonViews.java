package dev.custody.policy.cel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.values.NullValue;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Read-only views of a JSON tree as the maps, lists and scalars CEL evaluates. Children are converted when an
 * expression touches them, so a rule that reads two fields of a large object does not pay for copying it.
 */
final class JsonViews {

    private JsonViews() {}

    static Object of(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return NullValue.NULL_VALUE;
        }
        if (n.isObject()) {
            return new ObjectView(n);
        }
        if (n.isArray()) {
            return new ArrayView(n);
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isIntegralNumber()) {
            if (n.canConvertToLong()) {
                return Long.valueOf(n.asLong()); // not a ternary: it would widen every int to double
            }
            return Double.valueOf(n.asDouble());
        }
        if (n.isNumber()) {
            return n.asDouble();
        }
        return n.asText();
    }

    /** Children are converted once and kept: many rules of one evaluation read the same fields. */
    static final class ObjectView extends AbstractMap<String, Object> {
        private final JsonNode node;
        private java.util.HashMap<String, Object> converted;

        ObjectView(JsonNode node) {
            this.node = node;
        }

        @Override
        public Object get(Object key) {
            if (!(key instanceof String k)) {
                return null;
            }
            if (converted == null) {
                converted = new java.util.HashMap<>();
            } else {
                Object hit = converted.get(k);
                if (hit != null) {
                    return hit;
                }
            }
            JsonNode v = node.get(k);
            if (v == null) {
                return null;
            }
            Object value = of(v);
            converted.put(k, value);
            return value;
        }

        @Override
        public boolean containsKey(Object key) {
            return key instanceof String k && node.has(k);
        }

        @Override
        public int size() {
            return node.size();
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, Object>> iterator() {
                    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
                    return new Iterator<>() {
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        public Entry<String, Object> next() {
                            Map.Entry<String, JsonNode> e = it.next();
                            return new SimpleImmutableEntry<>(e.getKey(), get(e.getKey()));
                        }
                    };
                }

                @Override
                public int size() {
                    return node.size();
                }
            };
        }
    }

    static final class ArrayView extends AbstractList<Object> {
        private final JsonNode node;
        private Object[] converted;

        ArrayView(JsonNode node) {
            this.node = node;
        }

        @Override
        public Object get(int index) {
            if (converted == null) {
                converted = new Object[node.size()];
            }
            Object v = converted[index];
            if (v == null) {
                v = of(node.get(index));
                converted[index] = v;
            }
            return v;
        }

        @Override
        public int size() {
            return node.size();
        }
    }
}
