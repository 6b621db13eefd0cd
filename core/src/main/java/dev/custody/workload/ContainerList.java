package dev.custody.workload;

/** The three container lists of a PodSpec. */
public enum ContainerList {
    CONTAINERS("containers"),
    INIT_CONTAINERS("initContainers"),
    EPHEMERAL_CONTAINERS("ephemeralContainers");

    private final String field;

    ContainerList(String field) {
        this.field = field;
    }

    /** The PodSpec field name. */
    public String field() {
        return field;
    }
}
