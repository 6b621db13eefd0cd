package dev.custody.assess;

import dev.custody.rbac.IdentityAnalysis;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an assessment is computed from, gathered from real configuration: the policies, the cluster (webhook
 * registration, namespaces, RBAC analysed with the actors file) and the store (inventory, evidence, decisions,
 * exceptions, denylist, promotions, re-evaluation reports). A part that was not read is null, and every criterion
 * that needs it is then unknown, never passed.
 *
 * @param policies the policy set being assessed (loaded from files, as {@code custody serve} loads them)
 * @param cluster  what the API server says, or null when no kubeconfig was given
 * @param store    what the store holds, or null when no store was read
 * @param now      the clock the assessment is made at, epoch milliseconds
 */
public record Facts(dev.custody.policy.PolicySet policies, Cluster cluster, Stored store, long now) {

    /**
     * @param context    the kubeconfig context read
     * @param namespaces every namespace with its labels
     * @param webhooks   Custody's validating webhooks registered in the API server
     * @param identities the identity analysis of the cluster's RBAC
     */
    public record Cluster(String context, Map<String, Map<String, String>> namespaces, List<Webhook> webhooks, Identities identities) {
        public Cluster {
            namespaces = Map.copyOf(namespaces);
            webhooks = List.copyOf(webhooks);
        }
    }

    /**
     * One webhook of a ValidatingWebhookConfiguration that sends reviews to Custody.
     *
     * @param configuration the ValidatingWebhookConfiguration's name
     * @param name          the webhook's name
     * @param failurePolicy Fail or Ignore
     * @param resources     the resources its rules name for CREATE (such as {@code pods}, {@code deployments}, {@code *})
     * @param namespaces    the namespaces its namespaceSelector matches, of those the cluster has
     */
    public record Webhook(String configuration, String name, String failurePolicy, Set<String> resources, Set<String> namespaces) {
        public Webhook {
            resources = Set.copyOf(resources);
            namespaces = Set.copyOf(namespaces);
        }
    }

    /**
     * @param actorsFile the actors file read, or null when none was given (then who signs and who deploys is not known)
     * @param roles      the roles the actors file names (release-builder, gitops-controller, ...)
     * @param findings   the identity analysis' findings
     */
    public record Identities(String actorsFile, Set<String> roles, List<IdentityAnalysis.Finding> findings) {
        public Identities {
            roles = Set.copyOf(roles);
            findings = List.copyOf(findings);
        }
    }

    /**
     * @param location          the store read (its URL without secrets)
     * @param clusters          the clusters a collector reported
     * @param namespaces        namespace labels by cluster, as the collector saw them
     * @param containers        every container of a present pod, with the evidence of its running digest
     * @param decisions         the decision log's counts
     * @param chain             the hash chain's verification
     * @param exceptions        every exception and break-glass grant that is pending or active
     * @param denylist          the active denylist entries
     * @param openIncidents     incidents not closed
     * @param reports           the newest re-evaluation reports, by workload
     */
    public record Stored(String location, List<ClusterSeen> clusters, Map<String, Map<String, Map<String, String>>> namespaces,
                         List<Container> containers, Decisions decisions, Chain chain, List<ExceptionFact> exceptions, List<String> denylist,
                         List<String> openIncidents, List<Report> reports) {
        public Stored {
            clusters = List.copyOf(clusters);
            namespaces = Map.copyOf(namespaces);
            containers = List.copyOf(containers);
            exceptions = List.copyOf(exceptions);
            denylist = List.copyOf(denylist);
            openIncidents = List.copyOf(openIncidents);
            reports = List.copyOf(reports);
        }
    }

    /** A cluster a collector reported: whether its last sync was complete, and how many pods are present. */
    public record ClusterSeen(String name, boolean synced, String state, long presentPods, long seenAt) {}

    /**
     * A container of a present pod.
     *
     * @param digest       the running digest the kubelet reported, or null before the image was pulled
     * @param admitted     an admission decision let its pod in
     * @param signed       a verified signature of the digest is stored
     * @param provenance   verified provenance of the digest is stored
     * @param sbom         an SBOM is linked to the digest
     * @param promotedTo   the tiers the digest was promoted to
     * @param denylisted   the ids of active denylist entries that name it
     * @param critical     critical vulnerabilities of the digest no active exception covers; null when its SBOM is unknown
     */
    public record Container(String cluster, String namespace, String pod, String workload, String container, String image, String digest,
                            boolean admitted, boolean signed, boolean provenance, boolean sbom, Set<String> promotedTo, List<String> denylisted,
                            List<String> critical) {
        public Container {
            promotedTo = Set.copyOf(promotedTo);
            denylisted = List.copyOf(denylisted);
            critical = critical == null ? null : List.copyOf(critical);
        }

        public String where() {
            return cluster + "/" + namespace + "/" + pod + " (" + container + ")";
        }
    }

    /** Admission decisions recorded, and when the last one was. */
    public record Decisions(long admission, long total, Long lastAt) {}

    /** The decision log's hash chain: records checked, and the problems found (empty when it verifies). */
    public record Chain(long records, List<String> problems) {
        public Chain {
            problems = List.copyOf(problems);
        }
    }

    /**
     * An exception or break-glass grant that is pending or active.
     *
     * @param state        pending or active
     * @param scope        what it covers, as {@code custody exception list} prints it
     * @param approver     null while pending
     */
    public record ExceptionFact(String id, boolean breakGlass, String state, String scope, String owner, String requester, String approver,
                                long requestedAt, long expiresAt) {}

    /** A workload's newest re-evaluation report. */
    public record Report(String cluster, String namespace, String workload, String verdict, String policyVersion, long evaluatedAt) {}
}
