package dev.custody.inventory;

import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.List;

/**
 * The owners a collector can look up: ReplicaSets (owned by Deployments) and Jobs (owned by CronJobs). Other owners
 * (StatefulSet, DaemonSet, ReplicationController, custom controllers) own their pods directly and end the chain.
 */
public interface Owners {

    /** The owner references of a ReplicaSet or Job, or null when the collector does not know the object. */
    List<OwnerReference> ownersOf(String kind, String namespace, String name);

    /** Knows no owner: every chain ends at the pod's direct owner. */
    Owners NONE = (kind, namespace, name) -> null;
}
