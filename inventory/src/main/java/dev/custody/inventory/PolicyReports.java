package dev.custody.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.store.WorkloadReports;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Background verdicts as {@code wgpolicyk8s.io/v1alpha2} PolicyReports, the resource Policy Reporter and similar
 * tools read: one report named {@value #NAME} per namespace with running workloads, one result per (workload, rule
 * result), at most {@link #MAX_RESULTS} results (the summary still counts every one, and an annotation says how many
 * were left out). A report is written only when its content changed, and a namespace that no longer runs a workload
 * loses its report. Without the PolicyReport CRD in the cluster nothing is written, and the log says so once.
 */
public final class PolicyReports {

    public static final String API_VERSION = "wgpolicyk8s.io/v1alpha2";
    public static final String NAME = "custody";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    /** Keeps a report well under the API server's object size limit (about 1.5 MiB). */
    public static final int MAX_RESULTS = 1000;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Named in full: asking the API server's discovery would fail, and be cached, while the CRD is not installed yet. */
    public static final io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext CONTEXT =
            new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder().withGroup("wgpolicyk8s.io").withVersion("v1alpha2")
                    .withKind("PolicyReport").withPlural("policyreports").withNamespaced(true).build();

    private final String cluster;
    private final KubernetesClient client;
    private final Consumer<String> log;
    private final Map<String, Integer> written = new HashMap<>();
    private boolean listed;
    /** idle, written, no-crd (the cluster has no PolicyReport CRD), or failing: and why; logged when it changes. */
    private String state = "idle";

    public PolicyReports(String cluster, KubernetesClient client, Consumer<String> log) {
        this.cluster = cluster;
        this.client = client;
        this.log = log;
    }

    /** Writes the reports of this writer's cluster (others are ignored); returns how many PolicyReports changed. */
    public synchronized int write(List<WorkloadReports.Report> reports) {
        Map<String, List<WorkloadReports.Report>> byNamespace = new TreeMap<>();
        for (WorkloadReports.Report r : reports) {
            if (r.cluster().equals(cluster)) {
                byNamespace.computeIfAbsent(r.namespace(), k -> new ArrayList<>()).add(r);
            }
        }
        int changed = 0;
        String was = state;
        try {
            if (!listed) {
                // reports an earlier process wrote: the ones whose namespace runs nothing now are deleted below
                for (GenericKubernetesResource r : reports().inAnyNamespace().withLabel(MANAGED_BY, "custody").list().getItems()) {
                    written.put(r.getMetadata().getNamespace(), 0);
                }
                listed = true;
            }
            for (var e : byNamespace.entrySet()) {
                GenericKubernetesResource report = report(e.getKey(), e.getValue());
                int hash = JSON.valueToTree(report).hashCode();
                Integer before = written.get(e.getKey());
                if (before != null && before == hash) {
                    continue;
                }
                try {
                    reports().inNamespace(e.getKey()).resource(report).fieldManager("custody").forceConflicts().serverSideApply();
                } catch (KubernetesClientException ex) {
                    if (ex.getCode() == 404 && String.valueOf(ex.getMessage()).contains("namespaces \"" + e.getKey() + "\" not found")) {
                        continue; // deleted since the collector saw it; its pods are going too
                    }
                    throw ex;
                }
                written.put(e.getKey(), hash);
                changed++;
            }
            for (String ns : new HashSet<>(written.keySet())) {
                if (!byNamespace.containsKey(ns)) {
                    reports().inNamespace(ns).withName(NAME).delete();
                    written.remove(ns);
                    changed++;
                }
            }
            state = "written";
        } catch (KubernetesClientException e) {
            // the resource type itself is unknown: a 404 on the listing, or on a namespace that exists
            state = e.getCode() == 404 ? "no-crd" : "failing: " + e.getMessage();
            if (state.equals("no-crd")) {
                listed = false;
            }
        }
        if (!state.equals(was) && !state.equals("written")) {
            log.accept(state.equals("no-crd") ? "PolicyReports not written: the cluster has no " + API_VERSION + " PolicyReport CRD"
                    : "PolicyReports not written: " + state);
        }
        return changed;
    }

    private io.fabric8.kubernetes.client.dsl.MixedOperation<GenericKubernetesResource, io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
            io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> reports() {
        return client.genericKubernetesResources(CONTEXT);
    }

    /** The PolicyReport of one namespace. */
    static GenericKubernetesResource report(String namespace, List<WorkloadReports.Report> reports) {
        Map<String, Integer> summary = new LinkedHashMap<>();
        for (String k : List.of("pass", "fail", "warn", "error", "skip")) {
            summary.put(k, 0);
        }
        List<Map<String, Object>> results = new ArrayList<>();
        int left = 0;
        for (WorkloadReports.Report r : reports) {
            JsonNode found;
            try {
                found = JSON.readTree(r.results());
            } catch (java.io.IOException e) {
                throw new IllegalStateException("stored results of " + r.workload() + " are not JSON", e);
            }
            for (JsonNode f : found) {
                String outcome = f.path("outcome").asText();
                summary.merge(outcome, 1, Integer::sum);
                if (results.size() >= MAX_RESULTS) {
                    left++;
                    continue;
                }
                Map<String, Object> res = new LinkedHashMap<>();
                res.put("source", "custody");
                res.put("policy", f.path("policy").asText());
                res.put("rule", f.path("rule").asText());
                res.put("result", outcome);
                res.put("scored", true);
                res.put("severity", outcome.equals("fail") ? "high" : outcome.equals("pass") ? "info" : "medium");
                res.put("message", f.path("message").asText());
                res.put("timestamp", Map.of("seconds", r.changedAt() / 1000, "nanos", 0));
                res.put("resources", List.of(Map.of("apiVersion", apiVersion(r.workload().kind()), "kind", r.workload().kind(),
                        "name", r.workload().name(), "namespace", r.namespace())));
                Map<String, String> props = new LinkedHashMap<>();
                props.put("code", f.path("code").asText());
                props.put("path", f.path("path").asText());
                props.put("action", f.path("action").asText());
                props.put("pods", Integer.toString(r.pods()));
                props.put("policyVersion", r.policyVersion());
                res.put("properties", props);
                results.add(res);
            }
        }
        GenericKubernetesResource report = new GenericKubernetesResource();
        report.setApiVersion(API_VERSION);
        report.setKind("PolicyReport");
        Map<String, String> annotations = new LinkedHashMap<>();
        if (left > 0) {
            annotations.put("custody.dev/results-left-out", Integer.toString(left));
        }
        report.setMetadata(new ObjectMetaBuilder().withName(NAME).withNamespace(namespace).addToLabels(MANAGED_BY, "custody")
                .withAnnotations(annotations).build());
        report.setAdditionalProperty("summary", summary);
        report.setAdditionalProperty("results", results);
        return report;
    }

    private static String apiVersion(String kind) {
        return switch (kind) {
            case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet" -> "apps/v1";
            case "Job", "CronJob" -> "batch/v1";
            default -> "v1";
        };
    }
}
