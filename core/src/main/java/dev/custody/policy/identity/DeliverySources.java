package dev.custody.policy.identity;

/**
 * The GitOps resources of a cluster, as the API server knows them (Argo CD Applications, Flux Kustomizations,
 * HelmReleases and their GitRepositories), so a rule can tell from which repository, path and revision an object
 * was applied. Admission reads it from a cache kept in the background; implementations are thread-safe.
 */
public interface DeliverySources {

    /**
     * Where a GitOps resource takes its manifests from.
     *
     * @param repo         the repository URL (Git or Helm), or null when the resource names none
     * @param path         the path in the repository, "" for its root, or null for a chart
     * @param revision     the revision asked for (branch, tag, commit), or null
     * @param chart        the Helm chart's name, or null when the source is not a chart
     * @param chartVersion the chart version asked for (exact or a range), or null when none is given
     */
    record Source(String repo, String path, String revision, String chart, String chartVersion) {}

    /** The source of {@code ref}, or null when the cluster has no such resource (or it has not been read yet). */
    Source find(Tracking.Ref ref);
}
