package dev.custody.manifest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A path to a field inside a Kubernetes object, printed the way kubectl prints field paths:
 * {@code spec.template.spec.containers[0].image}. Keys that contain dots or slashes are bracketed:
 * {@code metadata.labels['app.kubernetes.io/name']}.
 */
public final class FieldPath {

    private static final FieldPath ROOT = new FieldPath(null, null, -1);

    private final FieldPath parent;
    private final String key;
    private final int index;
    private String text;

    private FieldPath(FieldPath parent, String key, int index) {
        this.parent = parent;
        this.key = key;
        this.index = index;
    }

    public static FieldPath root() {
        return ROOT;
    }

    /** Parses the printed form back into a path ({@code a.b[0].c}, {@code a['x.y']}). */
    public static FieldPath parse(String text) {
        FieldPath p = ROOT;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '.') {
                i++;
            } else if (c == '[') {
                if (i + 1 < n && text.charAt(i + 1) == '\'') {
                    int end = text.indexOf("']", i + 2);
                    if (end < 0) {
                        throw new IllegalArgumentException("unclosed [' in field path " + text);
                    }
                    p = p.child(text.substring(i + 2, end));
                    i = end + 2;
                } else {
                    int end = text.indexOf(']', i);
                    if (end < 0) {
                        throw new IllegalArgumentException("unclosed [ in field path " + text);
                    }
                    p = p.index(Integer.parseInt(text.substring(i + 1, end)));
                    i = end + 1;
                }
            } else {
                int end = i;
                while (end < n && text.charAt(end) != '.' && text.charAt(end) != '[') {
                    end++;
                }
                p = p.child(text.substring(i, end));
                i = end;
            }
        }
        return p;
    }

    public FieldPath child(String name) {
        return new FieldPath(this, name, -1);
    }

    public FieldPath index(int i) {
        return new FieldPath(this, null, i);
    }

    /** This path followed by {@code relative} (a path inside the node this one leads to). */
    public FieldPath resolve(FieldPath relative) {
        FieldPath p = this;
        for (Object seg : relative.segments()) {
            p = seg instanceof Integer i ? p.index(i) : p.child((String) seg);
        }
        return p;
    }

    /** The node this path leads to inside {@code node}, or null when some step is missing. */
    public com.fasterxml.jackson.databind.JsonNode in(com.fasterxml.jackson.databind.JsonNode node) {
        com.fasterxml.jackson.databind.JsonNode n = node;
        for (Object seg : segments()) {
            if (n == null) {
                return null;
            }
            n = seg instanceof Integer i ? n.get(i) : n.get((String) seg);
        }
        return n;
    }

    public boolean isRoot() {
        return parent == null;
    }

    /** The segments from the root: each a {@code String} key or an {@code Integer} index. */
    public List<Object> segments() {
        List<Object> out = new ArrayList<>();
        for (FieldPath p = this; p.parent != null; p = p.parent) {
            out.add(p.key != null ? p.key : (Object) p.index);
        }
        Collections.reverse(out);
        return out;
    }

    @Override
    public String toString() {
        String t = text;
        if (t == null) {
            StringBuilder sb = new StringBuilder();
            for (Object seg : segments()) {
                if (seg instanceof Integer idx) {
                    sb.append('[').append(idx).append(']');
                } else {
                    String k = (String) seg;
                    if (needsBrackets(k)) {
                        sb.append("['").append(k).append("']");
                    } else {
                        if (!sb.isEmpty()) {
                            sb.append('.');
                        }
                        sb.append(k);
                    }
                }
            }
            t = sb.toString();
            text = t;
        }
        return t;
    }

    private static boolean needsBrackets(String k) {
        for (int i = 0; i < k.length(); i++) {
            char c = k.charAt(i);
            if (c == '.' || c == '/' || c == '[' || c == ']' || c == ' ') {
                return true;
            }
        }
        return k.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FieldPath other) || index != other.index || !java.util.Objects.equals(key, other.key)) {
            return false;
        }
        return parent == other.parent || (parent != null && parent.equals(other.parent));
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = (parent == null ? 1 : parent.hashCode()) * 31 + (key != null ? key.hashCode() : index);
            hash = h == 0 ? 1 : h;
        }
        return h;
    }

    private int hash;
}
