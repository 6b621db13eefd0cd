package dev.custody.policy.cel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.types.CelType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.CelValue;
import dev.cel.common.values.NullValue;
import dev.cel.common.values.SelectableValue;
import java.util.AbstractList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Read-only views of a JSON tree as the maps, lists and scalars CEL evaluates. Children are converted when an
 * expression touches them, so a rule that reads two fields of a large object does not pay for copying it. Maps are
 * CEL values themselves ({@link CelValue}, {@link SelectableValue}): the runtime reads them in place instead of
 * copying each map it selects from into its own representation on every access.
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

    /** A fixed map of already converted values (the parsed images, the containers with their list names). */
    static ReadOnlyMap map(Map<String, Object> values) {
        return new FixedMap(values);
    }

    /** A read-only string-keyed map that is also a CEL map value. */
    abstract static class ReadOnlyMap extends CelValue implements SelectableValue<Object>, Map<Object, Object> {

        private static final CelType TYPE = MapType.create(SimpleType.STRING, SimpleType.DYN);

        abstract Object lookup(String key);

        abstract Set<String> keys();

        @Override
        public Object get(Object key) {
            return key instanceof String k ? lookup(k) : null;
        }

        @Override
        public boolean containsKey(Object key) {
            return key instanceof String k && keys().contains(k);
        }

        @Override
        public Object select(Object field) {
            Object v = get(field);
            if (v == null) {
                throw dev.cel.common.exceptions.CelAttributeNotFoundException.forMissingMapKey(String.valueOf(field));
            }
            return v;
        }

        @Override
        public Optional<?> find(Object field) {
            return Optional.ofNullable(get(field));
        }

        @Override
        public int size() {
            return keys().size();
        }

        @Override
        public boolean isEmpty() {
            return keys().isEmpty();
        }

        @Override
        public boolean containsValue(Object value) {
            return values().contains(value);
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Set<Object> keySet() {
            return (Set) Collections.unmodifiableSet(keys());
        }

        @Override
        public Collection<Object> values() {
            return materialized().values();
        }

        @Override
        public Set<Entry<Object, Object>> entrySet() {
            return materialized().entrySet();
        }

        private Map<Object, Object> materialized() {
            Map<Object, Object> m = new LinkedHashMap<>();
            for (String k : keys()) {
                m.put(k, lookup(k));
            }
            return Collections.unmodifiableMap(m);
        }

        @Override
        public Object put(Object key, Object value) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public Object remove(Object key) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public void putAll(Map<?, ?> m) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public void clear() {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public Object value() {
            return this;
        }

        @Override
        public boolean isZeroValue() {
            return isEmpty();
        }

        @Override
        public CelType celType() {
            return TYPE;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Map<?, ?> m && materialized().equals(m);
        }

        @Override
        public int hashCode() {
            return materialized().hashCode();
        }

        @Override
        public String toString() {
            return materialized().toString();
        }
    }

    /** Children are converted once and kept: many rules of one evaluation read the same fields. */
    static final class ObjectView extends ReadOnlyMap {
        private final JsonNode node;
        private HashMap<String, Object> converted;
        private Set<String> keys;

        ObjectView(JsonNode node) {
            this.node = node;
        }

        @Override
        Object lookup(String k) {
            if (converted == null) {
                converted = new HashMap<>();
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
        Set<String> keys() {
            if (keys == null) {
                Set<String> s = new LinkedHashSet<>();
                Iterator<String> it = node.fieldNames();
                while (it.hasNext()) {
                    s.add(it.next());
                }
                keys = s;
            }
            return keys;
        }

        @Override
        public int size() {
            return node.size();
        }
    }

    /** A map of values converted up front. */
    static final class FixedMap extends ReadOnlyMap {
        private final Map<String, Object> values;

        FixedMap(Map<String, Object> values) {
            this.values = values;
        }

        @Override
        Object lookup(String key) {
            return values.get(key);
        }

        @Override
        Set<String> keys() {
            return values.keySet();
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
