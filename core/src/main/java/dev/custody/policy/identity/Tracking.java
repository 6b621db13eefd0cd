package dev.custody.policy.identity;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a GitOps controller writes into the objects it applies to say which of its resources they come from: Argo CD's
 * tracking annotation ({@code argocd.argoproj.io/tracking-id: APP:GROUP/KIND:NAMESPACE/NAME}, where APP is
 * {@code NAMESPACE_NAME} for applications outside the controller's namespace) and Flux's labels
 * ({@code kustomize.toolkit.fluxcd.io/name} and {@code /namespace}, or the same under {@code helm.toolkit.fluxcd.io}).
 */
public final class Tracking {

    public static final String ARGO_ANNOTATION = "argocd.argoproj.io/tracking-id";
    public static final String FLUX_KUSTOMIZE = "kustomize.toolkit.fluxcd.io/";
    public static final String FLUX_HELM = "helm.toolkit.fluxcd.io/";

    /** The kinds of GitOps resource an object can be tracked to. */
    public enum Kind {
        APPLICATION("Application"), KUSTOMIZATION("Kustomization"), HELM_RELEASE("HelmRelease");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One GitOps resource: an Argo CD Application, a Flux Kustomization or a Flux HelmRelease, by namespace and name. */
    public record Ref(Kind kind, String namespace, String name) {
        public String key() {
            return namespace + "/" + name;
        }

        @Override
        public String toString() {
            return kind.label() + " " + key();
        }
    }

    /** What tracking says, or why it cannot be believed. Exactly one of {@code ref} and {@code problem} is null when tracked. */
    public record Found(Ref ref, String problem) {
        static final Found NONE = new Found(null, null);
    }

    private Tracking() {}

    /**
     * Reads the tracking of {@code object}. An Argo CD tracking id that names another object (copied from elsewhere)
     * is a problem, as Argo CD itself treats it. {@code argoNamespace} is where applications without a namespace
     * prefix live.
     */
    public static Found of(JsonNode object, String argoNamespace) {
        JsonNode meta = object.path("metadata");
        String id = meta.path("annotations").path(ARGO_ANNOTATION).asText("");
        if (!id.isEmpty()) {
            return argo(id, meta, object.path("kind").asText(""), object.path("apiVersion").asText(""), argoNamespace);
        }
        JsonNode labels = meta.path("labels");
        for (String prefix : new String[] {FLUX_KUSTOMIZE, FLUX_HELM}) {
            String name = labels.path(prefix + "name").asText("");
            String ns = labels.path(prefix + "namespace").asText("");
            if (!name.isEmpty() || !ns.isEmpty()) {
                if (name.isEmpty() || ns.isEmpty()) {
                    return new Found(null, "has the label " + prefix + (name.isEmpty() ? "namespace" : "name") + " without " + prefix
                            + (name.isEmpty() ? "name" : "namespace"));
                }
                return new Found(new Ref(prefix.equals(FLUX_HELM) ? Kind.HELM_RELEASE : Kind.KUSTOMIZATION, ns, name), null);
            }
        }
        return Found.NONE;
    }

    private static Found argo(String id, JsonNode meta, String kind, String apiVersion, String argoNamespace) {
        int colon = id.indexOf(':');
        int slash = id.indexOf('/', colon + 1);
        int colon2 = id.indexOf(':', slash + 1);
        if (colon <= 0 || slash < 0 || colon2 < 0) {
            return new Found(null, "has an Argo CD tracking id \"" + id + "\" that is not APP:GROUP/KIND:NAMESPACE/NAME");
        }
        String app = id.substring(0, colon);
        String group = id.substring(colon + 1, slash);
        String trackedKind = id.substring(slash + 1, colon2);
        String rest = id.substring(colon2 + 1);
        int s = rest.indexOf('/');
        String trackedName = s < 0 ? rest : rest.substring(s + 1);
        String trackedNs = s < 0 ? "" : rest.substring(0, s);
        String objGroup = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String objNs = meta.path("namespace").asText("");
        if (!trackedKind.equals(kind) || !group.equals(objGroup) || !trackedName.equals(meta.path("name").asText(""))
                || (!objNs.isEmpty() && !trackedNs.isEmpty() && !trackedNs.equals(objNs))) {
            return new Found(null, "has an Argo CD tracking id \"" + id + "\" that names another object (copied tracking is not believed)");
        }
        int u = app.indexOf('_');
        return u > 0 ? new Found(new Ref(Kind.APPLICATION, app.substring(0, u), app.substring(u + 1)), null)
                : new Found(new Ref(Kind.APPLICATION, argoNamespace, app), null);
    }
}
