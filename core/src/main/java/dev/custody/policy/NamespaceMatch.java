package dev.custody.policy;

import java.util.List;
import java.util.Map;

/**
 * Which namespaces a policy governs: included names or globs (none means all), excluded names or globs,
 * and a label selector on the namespace's labels. All three must agree.
 */
public record NamespaceMatch(List<Glob> include, List<Glob> exclude, LabelSelector selector) {

    public static final NamespaceMatch ALL = new NamespaceMatch(List.of(), List.of(), LabelSelector.EVERYTHING);

    public boolean matches(String namespace, Map<String, String> labels) {
        if (!include.isEmpty() && include.stream().noneMatch(g -> g.matches(namespace))) {
            return false;
        }
        if (exclude.stream().anyMatch(g -> g.matches(namespace))) {
            return false;
        }
        return selector.matches(labels);
    }
}
