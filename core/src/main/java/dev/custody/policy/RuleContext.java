package dev.custody.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * What a rule may know beyond the workload: the namespace it is evaluated in and that namespace's labels
 * (from the API server's namespace cache in admission, from Namespace objects or flags in the CLI), and, in
 * admission, the request and the old object. One context lives for one evaluation of one workload; rules
 * share derived data (the CEL activation, say) through {@link #memo}.
 *
 * @param namespace       the namespace
 * @param namespaceLabels its labels
 * @param request         the AdmissionRequest, or null outside admission
 * @param oldObject       the object before an UPDATE, or null
 * @param signatures      verification verdicts gathered for this evaluation (admission, custody verify), or null
 *                        where nothing contacts registries (custody check)
 * @param vulns           stored vulnerability evidence (findings, exceptions), or null where no store is read
 * @param runningDigests  what a kubelet reports each image runs (image text to digest), or null outside re-evaluation
 * @param sources         the cluster's GitOps resources (Argo CD, Flux), or null where no API server is read
 */
public record RuleContext(String namespace, Map<String, String> namespaceLabels, JsonNode request, JsonNode oldObject,
                          Map<Object, Object> memo, dev.custody.policy.trust.SignatureLookup signatures,
                          dev.custody.vuln.gate.VulnEvidence vulns, Map<String, String> runningDigests,
                          dev.custody.policy.identity.DeliverySources sources) {

    public RuleContext(String namespace, Map<String, String> namespaceLabels) {
        this(namespace, namespaceLabels, null, null, new HashMap<>(), null, null, null, null);
    }

    public RuleContext(String namespace, Map<String, String> namespaceLabels, JsonNode request, JsonNode oldObject, Map<Object, Object> memo,
                       dev.custody.policy.trust.SignatureLookup signatures, dev.custody.vuln.gate.VulnEvidence vulns,
                       Map<String, String> runningDigests) {
        this(namespace, namespaceLabels, request, oldObject, memo, signatures, vulns, runningDigests, null);
    }

    public RuleContext(String namespace, Map<String, String> namespaceLabels, JsonNode request, JsonNode oldObject, Map<Object, Object> memo,
                       dev.custody.policy.trust.SignatureLookup signatures) {
        this(namespace, namespaceLabels, request, oldObject, memo, signatures, null, null, null);
    }

    /**
     * The digest an image is known by: the one its reference pins, else the one a kubelet reports it runs (in
     * re-evaluation), else null. Evidence is kept by digest.
     */
    public String digestOf(String image, dev.custody.imageref.ImageReference ref) {
        if (ref.digest() != null) {
            return ref.digest().toString();
        }
        return runningDigests == null ? null : runningDigests.get(image);
    }

    /** Computes {@code key}'s value once per evaluation. */
    @SuppressWarnings("unchecked")
    public <T> T memo(Object key, Function<Object, T> compute) {
        return (T) memo.computeIfAbsent(key, compute);
    }
}
