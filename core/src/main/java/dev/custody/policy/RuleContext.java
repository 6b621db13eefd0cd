package dev.custody.policy;

import java.util.Map;

/**
 * What a rule may know beyond the workload: the namespace it is evaluated in and that namespace's labels
 * (from the API server's namespace cache in admission, from Namespace objects or flags in the CLI).
 */
public record RuleContext(String namespace, Map<String, String> namespaceLabels) {}
