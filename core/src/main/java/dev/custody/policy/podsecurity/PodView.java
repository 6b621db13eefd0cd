package dev.custody.policy.podsecurity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.custody.manifest.FieldPath;
import dev.custody.workload.Container;
import dev.custody.workload.ContainerList;
import dev.custody.workload.Workload;
import java.util.ArrayList;
import java.util.List;

/** The parts of a workload's pod template that Pod Security Standards look at, with document paths. */
final class PodView {

    final Workload workload;
    final JsonNode spec;
    final FieldPath specPath;
    final JsonNode metadata;
    final FieldPath metadataPath;
    /** initContainers, containers, ephemeralContainers: the order upstream visits them. */
    final List<Container> containers;

    PodView(Workload w) {
        this.workload = w;
        this.spec = w.podSpec();
        this.specPath = w.podSpecPath();
        this.metadataPath = w.prefix(w.kind().podMetadataPath());
        JsonNode m = w.kind().podMetadataPath().in(w.object());
        this.metadata = m == null ? MissingNode.getInstance() : m;
        List<Container> ordered = new ArrayList<>(w.containers().size());
        for (ContainerList list : List.of(ContainerList.INIT_CONTAINERS, ContainerList.CONTAINERS, ContainerList.EPHEMERAL_CONTAINERS)) {
            for (Container c : w.containers()) {
                if (c.list() == list) {
                    ordered.add(c);
                }
            }
        }
        this.containers = ordered;
    }

    JsonNode podSecurityContext() {
        return spec.path("securityContext");
    }

    FieldPath podSecurityContextPath() {
        return specPath.child("securityContext");
    }

    static JsonNode sc(Container c) {
        return c.node().path("securityContext");
    }

    static FieldPath scPath(Container c) {
        return c.path().child("securityContext");
    }

    boolean isWindows() {
        return "windows".equals(spec.path("os").path("name").asText(null));
    }

    /** A pod that runs in a user namespace: hostUsers present and false. */
    boolean userNamespace() {
        JsonNode hu = spec.path("hostUsers");
        return hu.isBoolean() && !hu.asBoolean();
    }

    static boolean isTrue(JsonNode n) {
        return n.isBoolean() && n.asBoolean();
    }

    static boolean isFalse(JsonNode n) {
        return n.isBoolean() && !n.asBoolean();
    }

    static boolean present(JsonNode n) {
        return !(n == null || n.isMissingNode() || n.isNull());
    }

    static JsonNode missing() {
        return MissingNode.getInstance();
    }

    static String describe(Container c) {
        return switch (c.list()) {
            case CONTAINERS -> "container \"" + c.name() + "\"";
            case INIT_CONTAINERS -> "init container \"" + c.name() + "\"";
            case EPHEMERAL_CONTAINERS -> "ephemeral container \"" + c.name() + "\"";
        };
    }
}
