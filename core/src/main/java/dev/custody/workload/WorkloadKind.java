package dev.custody.workload;

import dev.custody.manifest.FieldPath;
import java.util.Optional;

/** The pod-bearing kinds and where each keeps its pod template. */
public enum WorkloadKind {
    POD("Pod", FieldPath.root().child("spec"), FieldPath.root().child("metadata")),
    DEPLOYMENT("Deployment", template("spec", "template"), templateMeta("spec", "template")),
    REPLICA_SET("ReplicaSet", template("spec", "template"), templateMeta("spec", "template")),
    STATEFUL_SET("StatefulSet", template("spec", "template"), templateMeta("spec", "template")),
    DAEMON_SET("DaemonSet", template("spec", "template"), templateMeta("spec", "template")),
    JOB("Job", template("spec", "template"), templateMeta("spec", "template")),
    CRON_JOB("CronJob", template("spec", "jobTemplate", "spec", "template"), templateMeta("spec", "jobTemplate", "spec", "template")),
    REPLICATION_CONTROLLER("ReplicationController", template("spec", "template"), templateMeta("spec", "template")),
    POD_TEMPLATE("PodTemplate", template("template"), templateMeta("template"));

    private final String kind;
    private final FieldPath podSpec;
    private final FieldPath podMetadata;

    WorkloadKind(String kind, FieldPath podSpec, FieldPath podMetadata) {
        this.kind = kind;
        this.podSpec = podSpec;
        this.podMetadata = podMetadata;
    }

    public String kind() {
        return kind;
    }

    /** Path of the PodSpec inside an object of this kind. */
    public FieldPath podSpecPath() {
        return podSpec;
    }

    /** Path of the pod's metadata (the object's own for Pod, the template's otherwise). */
    public FieldPath podMetadataPath() {
        return podMetadata;
    }

    public static Optional<WorkloadKind> of(String kind) {
        for (WorkloadKind k : values()) {
            if (k.kind.equals(kind)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    private static FieldPath template(String... path) {
        return FieldPath.parse(String.join(".", path)).child("spec");
    }

    private static FieldPath templateMeta(String... path) {
        return FieldPath.parse(String.join(".", path)).child("metadata");
    }
}
