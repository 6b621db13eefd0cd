package dev.custody.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.ArrayList;
import java.util.List;

/**
 * The owners a collector can look up: ReplicaSets (owned by Deployments) and Jobs (owned by CronJobs). Other owners
 * (StatefulSet, DaemonSet, ReplicationController, custom controllers) own their pods directly and end the chain.
 */
public interface Owners {

    /** One entry of {@code metadata.ownerReferences}: what the chain needs of it. */
    record Ref(String kind, String name, boolean controller) {}

    /** The owner references of a ReplicaSet or Job, or null when the collector does not know the object. */
    List<Ref> ownersOf(String kind, String namespace, String name);

    /** Knows no owner: every chain ends at the pod's direct owner. */
    Owners NONE = (kind, namespace, name) -> null;

    /** The references of a typed object, as an informer holds it. */
    static List<Ref> of(List<OwnerReference> refs) {
        if (refs == null) {
            return List.of();
        }
        List<Ref> out = new ArrayList<>(refs.size());
        for (OwnerReference r : refs) {
            out.add(new Ref(r.getKind(), r.getName(), Boolean.TRUE.equals(r.getController())));
        }
        return out;
    }

    /** The references in a {@code metadata.ownerReferences} array as the API server sends it (empty when absent). */
    static List<Ref> of(JsonNode refs) {
        if (refs == null || !refs.isArray()) {
            return List.of();
        }
        List<Ref> out = new ArrayList<>(refs.size());
        for (JsonNode r : refs) {
            out.add(new Ref(r.path("kind").asText(""), r.path("name").asText(""), r.path("controller").asBoolean(false)));
        }
        return out;
    }
}
