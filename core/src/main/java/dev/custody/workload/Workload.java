package dev.custody.workload;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.manifest.Document;
import dev.custody.manifest.FieldPath;
import java.util.List;
import java.util.Map;

/**
 * A pod-bearing object found in the input, with every container of its pod template.
 *
 * @param document    the document it came from
 * @param objectPath  path of the object inside the document (non-root for List items)
 * @param kind        its kind
 * @param apiVersion  as written
 * @param name        metadata.name (or generateName with a trailing '*'); "" when absent
 * @param namespace   metadata.namespace, or null when the manifest does not say
 * @param object      the object itself
 * @param podSpec     the pod spec (an empty object when the manifest has none)
 * @param podLabels   labels of the pod template
 * @param containers  containers, initContainers and ephemeralContainers, in that order
 */
public record Workload(Document document, FieldPath objectPath, WorkloadKind kind, String apiVersion, String name,
                       String namespace, JsonNode object, JsonNode podSpec, Map<String, String> podLabels,
                       List<Container> containers) {

    /** Path of the pod spec inside the document. */
    public FieldPath podSpecPath() {
        return prefix(kind.podSpecPath());
    }

    /** Resolves a path relative to the object into a path inside the document. */
    public FieldPath prefix(FieldPath relative) {
        return objectPath.resolve(relative);
    }

    /** {@code Kind/namespace/name}, for people. */
    public String displayName() {
        return kind.kind() + "/" + (namespace == null ? "" : namespace + "/") + name;
    }
}
