package dev.custody.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.logfmt.Log;
import dev.custody.policy.identity.DeliverySources;
import dev.custody.policy.identity.Tracking;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The GitOps resources of a cluster (Argo CD Applications; Flux Kustomizations and HelmReleases with the
 * GitRepositories, HelmRepositories and OCIRepositories they name), listed from the API server in the background and
 * held as one immutable map, so the delivery rules answer from memory in admission. A kind whose CustomResourceDefinition
 * is not installed is simply empty; a failed list keeps what was read before.
 */
public final class GitOpsSources implements DeliverySources, AutoCloseable {

    static final ResourceDefinitionContext APPLICATION = crd("argoproj.io", "v1alpha1", "Application", "applications");
    static final ResourceDefinitionContext KUSTOMIZATION = crd("kustomize.toolkit.fluxcd.io", "v1", "Kustomization", "kustomizations");
    static final ResourceDefinitionContext HELM_RELEASE = crd("helm.toolkit.fluxcd.io", "v2", "HelmRelease", "helmreleases");
    static final ResourceDefinitionContext GIT_REPOSITORY = crd("source.toolkit.fluxcd.io", "v1", "GitRepository", "gitrepositories");
    static final ResourceDefinitionContext HELM_REPOSITORY = crd("source.toolkit.fluxcd.io", "v1", "HelmRepository", "helmrepositories");
    static final ResourceDefinitionContext OCI_REPOSITORY = crd("source.toolkit.fluxcd.io", "v1beta2", "OCIRepository", "ocirepositories");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final Map<ResourceDefinitionContext, Map<String, JsonNode>> last = new HashMap<>();
    private volatile Map<Tracking.Ref, Source> sources = Map.of();
    private ScheduledExecutorService poll;

    public GitOpsSources(KubernetesClient client) {
        this.client = client;
    }

    private static ResourceDefinitionContext crd(String group, String version, String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind).withPlural(plural)
                .withNamespaced(true).build();
    }

    /** Reads once now, then every {@code period}. */
    public GitOpsSources start(Duration period) {
        refresh();
        poll = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "custody-gitops-sources");
            t.setDaemon(true);
            return t;
        });
        poll.scheduleWithFixedDelay(this::refresh, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    @Override
    public Source find(Tracking.Ref ref) {
        return sources.get(ref);
    }

    /** One read of every kind; the map is replaced whole. */
    public synchronized void refresh() {
        Map<String, JsonNode> apps = list(APPLICATION);
        Map<String, JsonNode> kustomizations = list(KUSTOMIZATION);
        Map<String, JsonNode> releases = list(HELM_RELEASE);
        Map<String, JsonNode> git = list(GIT_REPOSITORY);
        Map<String, JsonNode> helm = list(HELM_REPOSITORY);
        Map<String, JsonNode> oci = list(OCI_REPOSITORY);
        Map<Tracking.Ref, Source> out = new HashMap<>();
        apps.forEach((key, a) -> out.put(ref(Tracking.Kind.APPLICATION, key), application(a.path("spec"))));
        kustomizations.forEach((key, k) -> out.put(ref(Tracking.Kind.KUSTOMIZATION, key), kustomization(k, git, oci)));
        releases.forEach((key, h) -> out.put(ref(Tracking.Kind.HELM_RELEASE, key), helmRelease(h, helm, oci)));
        sources = Map.copyOf(out);
    }

    private static Tracking.Ref ref(Tracking.Kind kind, String key) {
        int s = key.indexOf('/');
        return new Tracking.Ref(kind, key.substring(0, s), key.substring(s + 1));
    }

    /** An Application's source; of several sources, the first (a multi-source Application's others add values, usually). */
    static Source application(JsonNode spec) {
        JsonNode src = spec.has("source") ? spec.path("source") : spec.path("sources").path(0);
        String chart = text(src, "chart");
        return new Source(text(src, "repoURL"), chart != null ? null : src.path("path").asText(""), text(src, "targetRevision"), chart,
                chart != null ? text(src, "targetRevision") : null);
    }

    static Source kustomization(JsonNode k, Map<String, JsonNode> git, Map<String, JsonNode> oci) {
        JsonNode ref = k.path("spec").path("sourceRef");
        JsonNode repo = referenced(k, ref, ref.path("kind").asText("").equals("OCIRepository") ? oci : git);
        return new Source(repo == null ? null : text(repo.path("spec"), "url"), k.path("spec").path("path").asText(""),
                repo == null ? null : revision(repo.path("spec").path("ref")), null, null);
    }

    static Source helmRelease(JsonNode h, Map<String, JsonNode> helm, Map<String, JsonNode> oci) {
        JsonNode spec = h.path("spec");
        if (spec.has("chartRef")) { // an OCIRepository holding the chart: its ref is the version
            JsonNode repo = referenced(h, spec.path("chartRef"), oci);
            JsonNode r = repo == null ? null : repo.path("spec").path("ref");
            String version = r == null ? null : r.has("digest") ? text(r, "digest") : r.has("tag") ? text(r, "tag") : text(r, "semver");
            return new Source(repo == null ? null : text(repo.path("spec"), "url"), null, version, spec.path("chartRef").path("name").asText(),
                    version);
        }
        JsonNode chart = spec.path("chart").path("spec");
        JsonNode repo = referenced(h, chart.path("sourceRef"), helm);
        return new Source(repo == null ? null : text(repo.path("spec"), "url"), null, text(chart, "version"), text(chart, "chart"),
                text(chart, "version"));
    }

    private static JsonNode referenced(JsonNode owner, JsonNode ref, Map<String, JsonNode> of) {
        String ns = ref.path("namespace").asText(owner.path("metadata").path("namespace").asText());
        return of.get(ns + "/" + ref.path("name").asText());
    }

    private static String revision(JsonNode ref) {
        for (String k : new String[] {"commit", "digest", "tag", "semver", "name", "branch"}) {
            if (ref.hasNonNull(k)) {
                return ref.get(k).asText();
            }
        }
        return null;
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    private Map<String, JsonNode> list(ResourceDefinitionContext kind) {
        try {
            Map<String, JsonNode> out = new HashMap<>();
            for (var item : client.genericKubernetesResources(kind).inAnyNamespace().list().getItems()) {
                out.put(item.getMetadata().getNamespace() + "/" + item.getMetadata().getName(), JSON.valueToTree(item));
            }
            last.put(kind, out);
            return out;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) { // the kind is not installed in this cluster
                last.put(kind, Map.of());
                return Map.of();
            }
            Log.warn("listing GitOps resources failed; keeping what was read", "kind", kind.getKind(), "error", e.getMessage());
            return last.getOrDefault(kind, Map.of());
        }
    }

    @Override
    public void close() {
        if (poll != null) {
            poll.shutdownNow();
        }
    }
}
