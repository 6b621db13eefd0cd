package dev.custody.inventory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;

/** Applies an incident's quarantine: its deny-all NetworkPolicy, and the label that puts the affected pods under it. */
public final class Quarantine {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Quarantine() {}

    /** Applies the policy (server-side, owned by custody) and labels each pod; returns the pods labelled (gone ones are skipped). */
    public static List<String> apply(KubernetesClient client, ObjectNode networkPolicy, String label, String value, List<String> pods) {
        NetworkPolicy np = JSON.convertValue(networkPolicy, NetworkPolicy.class);
        String ns = np.getMetadata().getNamespace();
        try {
            client.network().v1().networkPolicies().inNamespace(ns).resource(np).fieldManager("custody").forceConflicts().serverSideApply();
        } catch (KubernetesClientException e) {
            throw new IllegalStateException("cannot apply NetworkPolicy " + ns + "/" + np.getMetadata().getName() + ": " + e.getMessage(), e);
        }
        List<String> labelled = new ArrayList<>();
        for (String pod : pods) {
            try {
                var r = client.pods().inNamespace(ns).withName(pod);
                if (r.get() == null) {
                    continue;
                }
                r.edit(p -> {
                    if (p.getMetadata().getLabels() == null) {
                        p.getMetadata().setLabels(new java.util.HashMap<>());
                    }
                    p.getMetadata().getLabels().put(label, value);
                    return p;
                });
                labelled.add(pod);
            } catch (KubernetesClientException e) {
                throw new IllegalStateException("cannot label pod " + ns + "/" + pod + ": " + e.getMessage(), e);
            }
        }
        return labelled;
    }
}
