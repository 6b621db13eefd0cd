package dev.custody.install;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Kubernetes objects that install Custody as a validating admission webhook. {@code custody install} prints
 * them; the Helm chart under deploy/helm/custody renders the same objects (a test compares the two).
 */
public final class InstallManifests {

    public static final String WEBHOOK_NAME = "validate.custody.dev";
    public static final String APP = "custody";

    /**
     * @param namespace      where Custody runs (excluded from its own webhook)
     * @param image          the container image
     * @param replicas       webhook replicas (a PodDisruptionBudget keeps one available)
     * @param timeoutSeconds the webhook timeout the API server applies
     * @param certManager    TLS from cert-manager (Issuer, Certificate, CA injection) instead of a Secret minted here
     * @param caBundlePem    the CA that signed the serving certificate (when not cert-manager)
     * @param tlsCertPem     serving certificate (when not cert-manager)
     * @param tlsKeyPem      serving key (when not cert-manager)
     * @param policies       policy file name to text, mounted from a ConfigMap
     * @param webhookUrl     when set, the API server calls this URL instead of the Service (a webhook outside the cluster)
     * @param collectorStoreSecret when set, a collector Deployment ({@code custody collect} in the cluster) writes the
     *                       runtime inventory to the store whose URL this Secret holds under {@code url}
     * @param clusterName    the name the collector records this cluster under
     * @param storeSecret    when set, the webhook replicas share the store whose URL this Secret holds under {@code url}:
     *                       they log every decision durably (spooling it while the store is down), and read the denylist
     *                       and the vulnerability evidence from it
     */
    public record Options(String namespace, String image, int replicas, int timeoutSeconds, boolean certManager, String caBundlePem,
                          String tlsCertPem, String tlsKeyPem, Map<String, String> policies, String webhookUrl, String collectorStoreSecret,
                          String clusterName, String storeSecret) {

        public Options(String namespace, String image, int replicas, int timeoutSeconds, boolean certManager, String caBundlePem,
                       String tlsCertPem, String tlsKeyPem, Map<String, String> policies, String webhookUrl, String collectorStoreSecret,
                       String clusterName) {
            this(namespace, image, replicas, timeoutSeconds, certManager, caBundlePem, tlsCertPem, tlsKeyPem, policies, webhookUrl,
                    collectorStoreSecret, clusterName, null);
        }

        public Options(String namespace, String image, int replicas, int timeoutSeconds, boolean certManager, String caBundlePem,
                       String tlsCertPem, String tlsKeyPem, Map<String, String> policies, String webhookUrl) {
            this(namespace, image, replicas, timeoutSeconds, certManager, caBundlePem, tlsCertPem, tlsKeyPem, policies, webhookUrl, null, "in-cluster");
        }
    }

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** Resources the webhook intercepts: every pod-bearing kind and the pods/ephemeralcontainers subresource. */
    public static final Map<String, List<String>> RULES = new java.util.LinkedHashMap<>();

    static {
        RULES.put("", List.of("pods", "pods/ephemeralcontainers", "replicationcontrollers", "podtemplates"));
        RULES.put("apps", List.of("deployments", "replicasets", "statefulsets", "daemonsets"));
        RULES.put("batch", List.of("jobs", "cronjobs"));
    }

    private InstallManifests() {}

    public static List<ObjectNode> objects(Options o) {
        List<ObjectNode> out = new ArrayList<>();
        ObjectNode ns = object("v1", "Namespace", o.namespace(), null);
        ((ObjectNode) ns.path("metadata").path("labels")).put("pod-security.kubernetes.io/enforce", "restricted");
        out.add(ns);
        out.add(object("v1", "ServiceAccount", APP, o.namespace()));

        ObjectNode role = object("rbac.authorization.k8s.io/v1", "ClusterRole", APP, null);
        ObjectNode rule = role.putArray("rules").addObject();
        rule.putArray("apiGroups").add("");
        rule.putArray("resources").add("namespaces");
        array(rule.putArray("verbs"), "get", "list", "watch");
        // imagePullSecrets of the admitted pods, read by name to fetch signatures from private registries
        ObjectNode secrets = ((com.fasterxml.jackson.databind.node.ArrayNode) role.path("rules")).addObject();
        secrets.putArray("apiGroups").add("");
        secrets.putArray("resources").add("secrets");
        array(secrets.putArray("verbs"), "get");
        // the runtime inventory (serve --collect, custody collect --in-cluster): pods and the owners they resolve to
        for (String[] gr : new String[][] {{"", "pods"}, {"apps", "replicasets"}, {"batch", "jobs"}}) {
            ObjectNode r = ((com.fasterxml.jackson.databind.node.ArrayNode) role.path("rules")).addObject();
            r.putArray("apiGroups").add(gr[0]);
            r.putArray("resources").add(gr[1]);
            array(r.putArray("verbs"), "list", "watch");
        }
        // GitOps resources, read for the delivery rules' repository, path and chart checks
        for (String[] gr : new String[][] {{"argoproj.io", "applications"}, {"kustomize.toolkit.fluxcd.io", "kustomizations"},
                {"helm.toolkit.fluxcd.io", "helmreleases"}, {"source.toolkit.fluxcd.io", "gitrepositories", "helmrepositories", "ocirepositories"}}) {
            ObjectNode r = ((com.fasterxml.jackson.databind.node.ArrayNode) role.path("rules")).addObject();
            r.putArray("apiGroups").add(gr[0]);
            var res = r.putArray("resources");
            for (int i = 1; i < gr.length; i++) {
                res.add(gr[i]);
            }
            array(r.putArray("verbs"), "list");
        }
        // background verdicts written as PolicyReports (serve --collect --policy-reports)
        ObjectNode reports = ((com.fasterxml.jackson.databind.node.ArrayNode) role.path("rules")).addObject();
        reports.putArray("apiGroups").add("wgpolicyk8s.io");
        reports.putArray("resources").add("policyreports");
        array(reports.putArray("verbs"), "get", "list", "create", "patch", "delete");
        out.add(role);
        ObjectNode binding = object("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", APP, null);
        ObjectNode ref = binding.putObject("roleRef");
        ref.put("apiGroup", "rbac.authorization.k8s.io");
        ref.put("kind", "ClusterRole");
        ref.put("name", APP);
        ObjectNode subject = binding.putArray("subjects").addObject();
        subject.put("kind", "ServiceAccount");
        subject.put("name", APP);
        subject.put("namespace", o.namespace());
        out.add(binding);
        // the collectors' leader election (serve --collect --leader-elect): a Lease in the release's namespace
        ObjectNode leases = object("rbac.authorization.k8s.io/v1", "Role", APP + "-leases", o.namespace());
        ObjectNode lease = leases.putArray("rules").addObject();
        lease.putArray("apiGroups").add("coordination.k8s.io");
        lease.putArray("resources").add("leases");
        array(lease.putArray("verbs"), "get", "create", "update");
        out.add(leases);
        ObjectNode leaseBinding = object("rbac.authorization.k8s.io/v1", "RoleBinding", APP + "-leases", o.namespace());
        ObjectNode leaseRef = leaseBinding.putObject("roleRef");
        leaseRef.put("apiGroup", "rbac.authorization.k8s.io");
        leaseRef.put("kind", "Role");
        leaseRef.put("name", APP + "-leases");
        ObjectNode leaseSubject = leaseBinding.putArray("subjects").addObject();
        leaseSubject.put("kind", "ServiceAccount");
        leaseSubject.put("name", APP);
        leaseSubject.put("namespace", o.namespace());
        out.add(leaseBinding);

        ObjectNode cm = object("v1", "ConfigMap", APP + "-policies", o.namespace());
        ObjectNode data = cm.putObject("data");
        new TreeMap<>(o.policies()).forEach(data::put);
        out.add(cm);

        if (o.certManager()) {
            ObjectNode issuer = object("cert-manager.io/v1", "Issuer", APP + "-selfsigned", o.namespace());
            issuer.putObject("spec").putObject("selfSigned");
            out.add(issuer);
            ObjectNode cert = object("cert-manager.io/v1", "Certificate", APP + "-tls", o.namespace());
            ObjectNode spec = cert.putObject("spec");
            spec.put("secretName", APP + "-tls");
            array(spec.putArray("dnsNames"), APP + "." + o.namespace() + ".svc", APP + "." + o.namespace() + ".svc.cluster.local");
            ObjectNode issuerRef = spec.putObject("issuerRef");
            issuerRef.put("name", APP + "-selfsigned");
            issuerRef.put("kind", "Issuer");
            out.add(cert);
        } else {
            ObjectNode secret = object("v1", "Secret", APP + "-tls", o.namespace());
            secret.put("type", "kubernetes.io/tls");
            ObjectNode d = secret.putObject("data");
            d.put("tls.crt", b64(o.tlsCertPem()));
            d.put("tls.key", b64(o.tlsKeyPem()));
            d.put("ca.crt", b64(o.caBundlePem()));
            out.add(secret);
        }

        out.add(deployment(o));
        if (o.collectorStoreSecret() != null) {
            out.add(collector(o));
        }

        ObjectNode svc = object("v1", "Service", APP, o.namespace());
        ObjectNode svcSpec = svc.putObject("spec");
        svcSpec.putObject("selector").put("app.kubernetes.io/name", APP);
        ObjectNode port = svcSpec.putArray("ports").addObject();
        port.put("name", "https");
        port.put("port", 443);
        port.put("targetPort", "https");
        out.add(svc);

        ObjectNode pdb = object("policy/v1", "PodDisruptionBudget", APP, o.namespace());
        ObjectNode pdbSpec = pdb.putObject("spec");
        pdbSpec.put("minAvailable", 1);
        pdbSpec.putObject("selector").putObject("matchLabels").put("app.kubernetes.io/name", APP);
        out.add(pdb);

        out.add(webhook(o));
        return out;
    }

    private static ObjectNode deployment(Options o) {
        ObjectNode d = object("apps/v1", "Deployment", APP, o.namespace());
        ObjectNode spec = d.putObject("spec");
        spec.put("replicas", o.replicas());
        spec.putObject("selector").putObject("matchLabels").put("app.kubernetes.io/name", APP);
        ObjectNode tpl = spec.putObject("template");
        tpl.putObject("metadata").putObject("labels").put("app.kubernetes.io/name", APP);
        ObjectNode pod = tpl.putObject("spec");
        pod.put("serviceAccountName", APP);
        pod.put("automountServiceAccountToken", true); // the namespace cache talks to the API server
        nonRoot(pod);
        ObjectNode term = pod.putObject("affinity").putObject("podAntiAffinity")
                .putArray("preferredDuringSchedulingIgnoredDuringExecution").addObject();
        term.put("weight", 100);
        ObjectNode pat = term.putObject("podAffinityTerm");
        pat.put("topologyKey", "kubernetes.io/hostname");
        pat.putObject("labelSelector").putObject("matchLabels").put("app.kubernetes.io/name", APP);
        // replicas spread over zones where the nodes have them, and still scheduled where they do not
        ObjectNode spread = pod.putArray("topologySpreadConstraints").addObject();
        spread.put("maxSkew", 1);
        spread.put("topologyKey", "topology.kubernetes.io/zone");
        spread.put("whenUnsatisfiable", "ScheduleAnyway");
        spread.putObject("labelSelector").putObject("matchLabels").put("app.kubernetes.io/name", APP);
        pod.put("terminationGracePeriodSeconds", 30);
        ObjectNode c = container(pod, APP, o.image(), "https", 8443, "192Mi", "384Mi");
        serve(pod, c, "--webhook-timeout", o.timeoutSeconds() + "s", "--shutdown-grace", "20s");
        if (o.storeSecret() != null) {
            storeFrom(c, o.storeSecret());
        }
        c.set("readinessProbe", probe("/readyz", 2));
        c.set("livenessProbe", probe("/healthz", 10));
        c.putObject("lifecycle").putObject("preStop").putObject("sleep").put("seconds", 5);
        return d;
    }

    /**
     * A container running {@code custody serve} in the cluster, as both Deployments do: the policies from their
     * ConfigMap, TLS from its Secret, the API server through the pod's ServiceAccount, and the denylist's copy in the
     * {@code /tmp} emptyDir (the root file system is read-only); then {@code more} arguments.
     */
    private static void serve(ObjectNode pod, ObjectNode c, String... more) {
        ArrayNode args = c.putArray("args");
        array(args, "serve", "--policy", "/etc/custody/policies", "--host", "0.0.0.0", "--port", "8443",
                "--tls-cert", "/etc/custody/tls/tls.crt", "--tls-key", "/etc/custody/tls/tls.key", "--in-cluster",
                "--denylist-copy", "/tmp/denylist.json", "--spool-dir", "/tmp/spool");
        array(args, more);
        ArrayNode mounts = c.putArray("volumeMounts");
        mount(mounts, "policies", "/etc/custody/policies");
        mount(mounts, "tls", "/etc/custody/tls");
        mount(mounts, "tmp", "/tmp");
        ArrayNode vols = pod.putArray("volumes");
        vols.addObject().put("name", "policies").putObject("configMap").put("name", APP + "-policies");
        vols.addObject().put("name", "tls").putObject("secret").put("secretName", APP + "-tls");
        vols.addObject().put("name", "tmp").putObject("emptyDir");
    }

    /**
     * One collector and background evaluator per cluster: {@code serve --collect} with the webhook's policies, so the
     * running workloads are judged again by the same engine and written as PolicyReports. Its webhook port answers
     * probes only; the webhook Service selects the admission replicas. Two replicas, of which the one holding the
     * cluster's Lease collects and judges, and the other takes over when it goes; the pod's name and namespace name
     * the holder and the Lease's place. The store URL comes from a Secret.
     */
    private static ObjectNode collector(Options o) {
        String name = APP + "-collector";
        ObjectNode d = object("apps/v1", "Deployment", name, o.namespace());
        ObjectNode spec = d.putObject("spec");
        spec.put("replicas", 2);
        spec.putObject("selector").putObject("matchLabels").put("app.kubernetes.io/name", name);
        ObjectNode tpl = spec.putObject("template");
        tpl.putObject("metadata").putObject("labels").put("app.kubernetes.io/name", name);
        ObjectNode pod = tpl.putObject("spec");
        pod.put("serviceAccountName", APP);
        pod.put("automountServiceAccountToken", true); // the collector watches the API server
        nonRoot(pod);
        pod.put("terminationGracePeriodSeconds", 30);
        ObjectNode c = container(pod, "collector", o.image(), "https", 8443, "256Mi", "512Mi");
        serve(pod, c, "--collect", "--leader-elect", "--cluster-name", o.clusterName(), "--policy-reports");
        c.set("readinessProbe", probe("/readyz", 5));
        c.set("livenessProbe", probe("/healthz", 10));
        for (String[] field : new String[][] {{"POD_NAME", "metadata.name"}, {"POD_NAMESPACE", "metadata.namespace"}}) {
            ObjectNode env = ((ArrayNode) c.path("env")).addObject();
            env.put("name", field[0]);
            env.putObject("valueFrom").putObject("fieldRef").put("fieldPath", field[1]);
        }
        storeFrom(c, o.collectorStoreSecret());
        return d;
    }

    /** CUSTODY_STORE from the key url of a Secret. */
    private static void storeFrom(ObjectNode c, String secret) {
        ObjectNode store = ((ArrayNode) c.path("env")).addObject();
        store.put("name", "CUSTODY_STORE");
        ObjectNode ref = store.putObject("valueFrom").putObject("secretKeyRef");
        ref.put("name", secret);
        ref.put("key", "url");
    }

    /** Pods run as the image's non-root user with the runtime's default seccomp profile. */
    private static void nonRoot(ObjectNode pod) {
        ObjectNode psc = pod.putObject("securityContext");
        psc.put("runAsNonRoot", true);
        psc.put("runAsUser", 65532);
        psc.put("runAsGroup", 65532);
        psc.putObject("seccompProfile").put("type", "RuntimeDefault");
    }

    /** A container as every Custody process runs: one named port, no privileges, a read-only root, bounded memory. */
    private static ObjectNode container(ObjectNode pod, String name, String image, String portName, int port, String memoryRequest,
                                        String memoryLimit) {
        ObjectNode c = pod.putArray("containers").addObject();
        c.put("name", name);
        c.put("image", image);
        ObjectNode p = c.putArray("ports").addObject();
        p.put("name", portName);
        p.put("containerPort", port);
        ObjectNode csc = c.putObject("securityContext");
        csc.put("allowPrivilegeEscalation", false);
        csc.put("readOnlyRootFilesystem", true);
        csc.putObject("capabilities").putArray("drop").add("ALL");
        ObjectNode res = c.putObject("resources");
        ObjectNode req = res.putObject("requests");
        req.put("cpu", "100m");
        req.put("memory", memoryRequest);
        ObjectNode lim = res.putObject("limits");
        lim.put("cpu", "1");
        lim.put("memory", memoryLimit);
        ObjectNode jopts = c.putArray("env").addObject();
        jopts.put("name", "JAVA_TOOL_OPTIONS");
        jopts.put("value", "-XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError");
        return c;
    }

    private static ObjectNode probe(String path, int period) {
        ObjectNode p = F.objectNode();
        ObjectNode http = p.putObject("httpGet");
        http.put("path", path);
        http.put("port", "https");
        http.put("scheme", "HTTPS");
        p.put("periodSeconds", period);
        return p;
    }

    private static void mount(ArrayNode mounts, String name, String path) {
        ObjectNode m = mounts.addObject();
        m.put("name", name);
        m.put("mountPath", path);
        m.put("readOnly", !name.equals("tmp"));
    }

    private static ObjectNode webhook(Options o) {
        ObjectNode v = object("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", APP, null);
        if (o.certManager()) {
            ((ObjectNode) v.path("metadata")).putObject("annotations").put("cert-manager.io/inject-ca-from", o.namespace() + "/" + APP + "-tls");
        }
        ObjectNode w = v.putArray("webhooks").addObject();
        w.put("name", WEBHOOK_NAME);
        ObjectNode client = w.putObject("clientConfig");
        if (o.webhookUrl() != null) {
            client.put("url", o.webhookUrl());
        } else {
            ObjectNode svc = client.putObject("service");
            svc.put("namespace", o.namespace());
            svc.put("name", APP);
            svc.put("path", "/validate");
            svc.put("port", 443);
        }
        if (!o.certManager()) {
            client.put("caBundle", b64(o.caBundlePem()));
        }
        ArrayNode rules = w.putArray("rules");
        RULES.forEach((group, resources) -> {
            ObjectNode r = rules.addObject();
            r.putArray("apiGroups").add(group);
            r.putArray("apiVersions").add("v1");
            array(r.putArray("operations"), "CREATE", "UPDATE");
            array(r.putArray("resources"), resources.toArray(new String[0]));
            r.put("scope", "Namespaced");
        });
        w.put("failurePolicy", "Fail");
        w.put("matchPolicy", "Equivalent");
        w.put("sideEffects", "None");
        w.put("timeoutSeconds", o.timeoutSeconds());
        w.putArray("admissionReviewVersions").add("v1");
        ObjectNode expr = w.putObject("namespaceSelector").putArray("matchExpressions").addObject();
        expr.put("key", "kubernetes.io/metadata.name");
        expr.put("operator", "NotIn");
        array(expr.putArray("values"), "kube-system", o.namespace());
        return v;
    }

    private static ObjectNode object(String apiVersion, String kind, String name, String namespace) {
        ObjectNode o = F.objectNode();
        o.put("apiVersion", apiVersion);
        o.put("kind", kind);
        ObjectNode m = o.putObject("metadata");
        m.put("name", name);
        if (namespace != null) {
            m.put("namespace", namespace);
        }
        ObjectNode labels = m.putObject("labels");
        labels.put("app.kubernetes.io/name", APP);
        labels.put("app.kubernetes.io/part-of", APP);
        return o;
    }

    private static void array(ArrayNode a, String... values) {
        for (String v : values) {
            a.add(v);
        }
    }

    private static String b64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
    }
}
