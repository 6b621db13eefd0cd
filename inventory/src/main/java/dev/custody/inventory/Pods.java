package dev.custody.inventory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.imageref.ImageReference;
import dev.custody.store.RuntimeInventory.ContainerObservation;
import dev.custody.store.RuntimeInventory.PodObservation;
import dev.custody.store.RuntimeInventory.WorkloadRef;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps a pod as the API server holds it to the inventory's observation: owner chain, containers, running digests.
 * It reads the pod's JSON as the API server sends it, so a listing of 10,000 pods is turned into observations straight
 * from the wire without building the typed model first; a typed pod (an informer's) is read through the same path.
 */
public final class Pods {

    /** Owner kinds whose own owners the collector looks up. */
    static final Set<String> LOOKED_UP = Set.of("ReplicaSet", "Job");
    private static final int MAX_CHAIN = 8;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] LISTS = {"initContainers", "containers", "ephemeralContainers"};
    private static final String[] STATUSES = {"containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"};

    private Pods() {}

    /** A typed pod, as an informer holds it. */
    public static PodObservation observe(String cluster, Pod pod, Owners owners) {
        return observe(cluster, (JsonNode) JSON.valueToTree(pod), owners);
    }

    /** A pod as the API server sends it ({@code v1} Pod JSON). */
    public static PodObservation observe(String cluster, JsonNode pod, Owners owners) {
        JsonNode meta = pod.path("metadata");
        String ns = text(meta, "namespace");
        String name = text(meta, "name");
        List<String> chain = new ArrayList<>();
        chain.add("Pod/" + name);
        WorkloadRef top = new WorkloadRef("Pod", name);
        Owners.Ref owner = controller(Owners.of(meta.get("ownerReferences")));
        // walks up: Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob; bounded against a cycle in hostile data
        while (owner != null && chain.size() < MAX_CHAIN) {
            top = new WorkloadRef(owner.kind(), owner.name());
            chain.addFirst(owner.kind() + "/" + owner.name());
            owner = LOOKED_UP.contains(owner.kind()) ? controller(owners.ownersOf(owner.kind(), ns, owner.name())) : null;
        }
        JsonNode spec = pod.get("spec");
        JsonNode status = pod.path("status");
        String phase = text(status, "phase");
        boolean terminal = "Succeeded".equals(phase) || "Failed".equals(phase);
        List<ContainerObservation> containers = new ArrayList<>();
        if (spec != null && spec.isObject()) {
            Map<String, JsonNode> byName = new HashMap<>();
            for (String list : STATUSES) {
                for (JsonNode s : status.path(list)) {
                    byName.put(text(s, "name"), s);
                }
            }
            for (String list : LISTS) {
                for (JsonNode c : spec.path(list)) {
                    containers.add(container(text(c, "name"), list, text(c, "image"), byName, terminal));
                }
            }
        }
        return new PodObservation(cluster, text(meta, "uid"), ns, name, top, String.join(" > ", chain),
                spec == null ? null : text(spec, "nodeName"), spec == null ? null : serviceAccount(text(spec, "serviceAccountName")), phase,
                time(text(meta, "creationTimestamp")), object(pod), containers);
    }

    private static String serviceAccount(String name) {
        return name == null || name.isEmpty() ? "default" : name;
    }

    private static ContainerObservation container(String name, String list, String image, Map<String, JsonNode> statuses, boolean terminal) {
        JsonNode s = name == null ? null : statuses.get(name);
        String declared = null;
        if (image != null && ImageReference.tryParse(image) instanceof ImageReference.ParseResult.Parsed p && p.reference().digest() != null) {
            declared = p.reference().digest().toString();
        }
        String imageId = s == null ? null : text(s, "imageID");
        if (imageId != null && imageId.isEmpty()) {
            imageId = null;
        }
        boolean running = false;
        Long started = null;
        Long stopped = null;
        JsonNode state = s == null ? null : s.get("state");
        if (state != null && state.get("running") instanceof JsonNode r && r.isObject()) {
            running = !terminal;
            started = time(text(r, "startedAt"));
        } else if (state != null && state.get("terminated") instanceof JsonNode t && t.isObject()) {
            started = time(text(t, "startedAt"));
            stopped = time(text(t, "finishedAt"));
        }
        int restarts = s == null ? 0 : s.path("restartCount").asInt(0);
        return new ContainerObservation(name, list, image == null ? "" : image, declared, imageId, ImageIds.digest(imageId), running, restarts,
                started, stopped);
    }

    /** The pod as a manifest the engine reads: identity, labels, annotations, owners and spec; no status, no managedFields. */
    static String object(JsonNode pod) {
        JsonNode m = pod.path("metadata");
        ObjectNode out = JSON.createObjectNode();
        out.put("apiVersion", "v1");
        out.put("kind", "Pod");
        ObjectNode meta = out.putObject("metadata");
        for (String field : new String[] {"name", "namespace", "uid", "labels", "annotations", "ownerReferences"}) {
            JsonNode v = m.get(field);
            if (v != null && !v.isNull()) {
                meta.set(field, v); // shared, not copied: the tree is written out at once and let go
            }
        }
        JsonNode spec = pod.get("spec");
        if (spec != null && !spec.isNull()) {
            out.set("spec", spec);
        }
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a pod read as JSON could not be written as JSON", e);
        }
    }

    static Owners.Ref controller(List<Owners.Ref> refs) {
        if (refs == null || refs.isEmpty()) {
            return null;
        }
        for (Owners.Ref r : refs) {
            if (r.controller()) {
                return r;
            }
        }
        return refs.getFirst();
    }

    static Long time(String rfc3339) {
        if (rfc3339 == null || rfc3339.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(rfc3339).toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** A string field, or null when it is absent, null or not a scalar. */
    static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || !v.isValueNode() || v.isNull() ? null : v.asText();
    }
}
