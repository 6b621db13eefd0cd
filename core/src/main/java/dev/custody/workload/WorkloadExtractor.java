package dev.custody.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.custody.imageref.ImageReference;
import dev.custody.imageref.InvalidImageReferenceException;
import dev.custody.manifest.Document;
import dev.custody.manifest.FieldPath;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds every pod-bearing object in documents (List kinds included) and every container of its pod
 * template with the field path it came from. Objects of other kinds are reported as skipped.
 */
public final class WorkloadExtractor {

    private WorkloadExtractor() {}

    public static Extraction extract(List<Document> documents) {
        Collector c = new Collector();
        for (Document d : documents) {
            c.visit(d, FieldPath.root(), d.root(), 0);
        }
        return new Extraction(c.workloads, c.skipped, c.namespaces, c.problems);
    }

    /** Extracts the workload of one object, as admission sees it; empty when the kind holds no pods. */
    public static java.util.Optional<Workload> extractObject(Document document, WorkloadKind kind, JsonNode object) {
        Collector c = new Collector();
        Workload w = c.workload(document, FieldPath.root(), kind, object);
        return java.util.Optional.ofNullable(w);
    }

    private static final class Collector {
        final List<Workload> workloads = new ArrayList<>();
        final List<Skipped> skipped = new ArrayList<>();
        final List<Extraction.NamespaceObject> namespaces = new ArrayList<>();
        final List<Extraction.Problem> problems = new ArrayList<>();

        void visit(Document d, FieldPath path, JsonNode node, int listDepth) {
            if (node == null || node.isNull()) {
                return;
            }
            if (!node.isObject()) {
                problem(d, path, "expected a Kubernetes object (a mapping with apiVersion and kind), found " + describe(node));
                return;
            }
            String kind = text(node.get("kind"));
            String apiVersion = text(node.get("apiVersion"));
            if (kind == null || kind.isEmpty()) {
                problem(d, path, "object has no kind");
                return;
            }
            if (apiVersion == null || apiVersion.isEmpty()) {
                problem(d, path.child("apiVersion"), kind + " has no apiVersion");
                return;
            }
            JsonNode items = node.get("items");
            if (kind.endsWith("List") && items != null) {
                if (!items.isArray()) {
                    problem(d, path.child("items"), kind + ".items must be a list");
                    return;
                }
                if (listDepth > 4) {
                    problem(d, path, "Lists nested more than 4 deep");
                    return;
                }
                for (int i = 0; i < items.size(); i++) {
                    visit(d, path.child("items").index(i), items.get(i), listDepth + 1);
                }
                return;
            }
            JsonNode metadata = node.path("metadata");
            String name = name(metadata);
            String namespace = text(metadata.get("namespace"));
            if (kind.equals("Namespace")) {
                namespaces.add(new Extraction.NamespaceObject(name, labels(metadata)));
                skipped.add(new Skipped(d, path, apiVersion, kind, name, null, "Namespace: its labels select policies; it holds no pods"));
                return;
            }
            var wk = WorkloadKind.of(kind);
            if (wk.isEmpty()) {
                skipped.add(new Skipped(d, path, apiVersion, kind, name, namespace, "kind " + kind + " holds no pod template"));
                return;
            }
            Workload w = workload(d, path, wk.get(), node);
            if (w != null) {
                workloads.add(w);
            }
        }

        Workload workload(Document d, FieldPath path, WorkloadKind kind, JsonNode node) {
            JsonNode metadata = node.path("metadata");
            JsonNode podSpec = kind.podSpecPath().in(node);
            FieldPath specPath = path.resolve(kind.podSpecPath());
            if (podSpec == null || podSpec.isNull() || podSpec.isMissingNode()) {
                podSpec = JsonNodeFactory.instance.objectNode();
            } else if (!podSpec.isObject()) {
                problem(d, specPath, kind.kind() + " pod spec must be a mapping, found " + describe(podSpec));
                return null;
            }
            JsonNode podMeta = kind.podMetadataPath().in(node);
            List<Container> containers = new ArrayList<>();
            for (ContainerList list : ContainerList.values()) {
                JsonNode arr = podSpec.get(list.field());
                if (arr == null || arr.isNull()) {
                    continue;
                }
                FieldPath listPath = specPath.child(list.field());
                if (!arr.isArray()) {
                    problem(d, listPath, list.field() + " must be a list, found " + describe(arr));
                    return null;
                }
                for (int i = 0; i < arr.size(); i++) {
                    JsonNode c = arr.get(i);
                    FieldPath cPath = listPath.index(i);
                    if (!c.isObject()) {
                        problem(d, cPath, "container must be a mapping, found " + describe(c));
                        return null;
                    }
                    containers.add(container(list, i, c, cPath));
                }
            }
            return new Workload(d, path, kind, text(node.get("apiVersion")), name(metadata),
                    text(metadata.get("namespace")), node, podSpec,
                    podMeta == null ? Map.of() : labels(podMeta), Collections.unmodifiableList(containers));
        }

        private static Container container(ContainerList list, int index, JsonNode c, FieldPath path) {
            String name = text(c.get("name"));
            if (name == null) {
                name = "#" + index;
            }
            JsonNode imageNode = c.get("image");
            String image = null;
            ImageReference.ParseResult ref = null;
            if (imageNode != null && !imageNode.isNull()) {
                if (imageNode.isTextual()) {
                    image = imageNode.asText();
                    ref = ImageReference.tryParse(image);
                } else {
                    image = imageNode.toString();
                    ref = new ImageReference.ParseResult.Invalid(image, InvalidImageReferenceException.Reason.INVALID_FORMAT,
                            "image must be a string, found " + describe(imageNode));
                }
            }
            return new Container(list, index, name, c, path, image, ref);
        }

        private void problem(Document d, FieldPath path, String message) {
            problems.add(new Extraction.Problem(d.locate(path), message));
        }
    }

    private static String name(JsonNode metadata) {
        String n = text(metadata.get("name"));
        if (n != null) {
            return n;
        }
        String g = text(metadata.get("generateName"));
        return g != null ? g + "*" : "";
    }

    /** Labels as strings; non-string values are kept in their printed form. */
    public static Map<String, String> labels(JsonNode metadata) {
        JsonNode labels = metadata.get("labels");
        if (labels == null || !labels.isObject() || labels.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        labels.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
        return Collections.unmodifiableMap(out);
    }

    private static String text(JsonNode n) {
        return n != null && n.isTextual() ? n.asText() : null;
    }

    private static String describe(JsonNode n) {
        if (n.isObject()) {
            return "a mapping";
        }
        if (n.isArray()) {
            return "a list";
        }
        if (n.isTextual()) {
            return "the string \"" + abbreviate(n.asText()) + "\"";
        }
        return n.getNodeType().name().toLowerCase() + " " + abbreviate(n.toString());
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
