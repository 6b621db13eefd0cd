package dev.custody.inventory;

import dev.custody.imageref.ImageReference;
import dev.custody.store.RuntimeInventory.ContainerObservation;
import dev.custody.store.RuntimeInventory.PodObservation;
import dev.custody.store.RuntimeInventory.WorkloadRef;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Maps a pod as the API server holds it to the inventory's observation: owner chain, containers, running digests. */
public final class Pods {

    /** Owner kinds whose own owners the collector looks up. */
    static final Set<String> LOOKED_UP = Set.of("ReplicaSet", "Job");
    private static final int MAX_CHAIN = 8;

    private Pods() {}

    public static PodObservation observe(String cluster, Pod pod, Owners owners) {
        var meta = pod.getMetadata();
        String ns = meta.getNamespace();
        List<String> chain = new ArrayList<>();
        chain.add("Pod/" + meta.getName());
        WorkloadRef top = new WorkloadRef("Pod", meta.getName());
        OwnerReference owner = controller(meta.getOwnerReferences());
        // walks up: Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob; bounded against a cycle in hostile data
        while (owner != null && chain.size() < MAX_CHAIN) {
            top = new WorkloadRef(owner.getKind(), owner.getName());
            chain.addFirst(owner.getKind() + "/" + owner.getName());
            owner = LOOKED_UP.contains(owner.getKind()) ? controller(owners.ownersOf(owner.getKind(), ns, owner.getName())) : null;
        }
        var spec = pod.getSpec();
        PodStatus status = pod.getStatus();
        String phase = status == null ? null : status.getPhase();
        boolean terminal = "Succeeded".equals(phase) || "Failed".equals(phase);
        List<ContainerObservation> containers = new ArrayList<>();
        if (spec != null) {
            Map<String, ContainerStatus> byName = new HashMap<>();
            if (status != null) {
                for (List<ContainerStatus> l : List.of(nn(status.getContainerStatuses()), nn(status.getInitContainerStatuses()),
                        nn(status.getEphemeralContainerStatuses()))) {
                    l.forEach(s -> byName.put(s.getName(), s));
                }
            }
            nn(spec.getInitContainers()).forEach(c -> containers.add(container(c.getName(), "initContainers", c.getImage(), byName, terminal)));
            nn(spec.getContainers()).forEach(c -> containers.add(container(c.getName(), "containers", c.getImage(), byName, terminal)));
            nn(spec.getEphemeralContainers()).forEach(c -> containers.add(
                    container(c.getName(), "ephemeralContainers", c.getImage(), byName, terminal)));
        }
        return new PodObservation(cluster, meta.getUid(), ns, meta.getName(), top, String.join(" > ", chain),
                spec == null ? null : spec.getNodeName(), spec == null ? null : serviceAccount(spec.getServiceAccountName()), phase,
                time(meta.getCreationTimestamp()), object(pod), containers);
    }

    private static String serviceAccount(String name) {
        return name == null || name.isEmpty() ? "default" : name;
    }

    private static ContainerObservation container(String name, String list, String image, Map<String, ContainerStatus> statuses,
                                                  boolean terminal) {
        ContainerStatus s = statuses.get(name);
        String declared = null;
        if (image != null && ImageReference.tryParse(image) instanceof ImageReference.ParseResult.Parsed p && p.reference().digest() != null) {
            declared = p.reference().digest().toString();
        }
        String imageId = s == null || s.getImageID() == null || s.getImageID().isEmpty() ? null : s.getImageID();
        boolean running = false;
        Long started = null;
        Long stopped = null;
        ContainerState state = s == null ? null : s.getState();
        if (state != null && state.getRunning() != null) {
            running = !terminal;
            started = time(state.getRunning().getStartedAt());
        } else if (state != null && state.getTerminated() != null) {
            started = time(state.getTerminated().getStartedAt());
            stopped = time(state.getTerminated().getFinishedAt());
        }
        return new ContainerObservation(name, list, image == null ? "" : image, declared, imageId, ImageIds.digest(imageId), running,
                s == null || s.getRestartCount() == null ? 0 : s.getRestartCount(), started, stopped);
    }

    /** The pod as a manifest the engine reads: identity, labels, annotations, owners and spec; no status, no managedFields. */
    static String object(Pod pod) {
        var m = pod.getMetadata();
        // plain setters, sharing the spec: a builder would deep-copy every pod of a large listing first
        io.fabric8.kubernetes.api.model.ObjectMeta meta = new io.fabric8.kubernetes.api.model.ObjectMeta();
        meta.setName(m.getName());
        meta.setNamespace(m.getNamespace());
        meta.setUid(m.getUid());
        meta.setLabels(m.getLabels());
        meta.setAnnotations(m.getAnnotations());
        meta.setOwnerReferences(m.getOwnerReferences());
        Pod trimmed = new Pod();
        trimmed.setApiVersion("v1");
        trimmed.setKind("Pod");
        trimmed.setMetadata(meta);
        trimmed.setSpec(pod.getSpec());
        return Serialization.asJson(trimmed);
    }

    static OwnerReference controller(List<OwnerReference> refs) {
        if (refs == null || refs.isEmpty()) {
            return null;
        }
        for (OwnerReference r : refs) {
            if (Boolean.TRUE.equals(r.getController())) {
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

    private static <T> List<T> nn(List<T> l) {
        return l == null ? List.of() : l;
    }
}
