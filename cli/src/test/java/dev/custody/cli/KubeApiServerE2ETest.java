package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.install.InstallManifests;
import dev.custody.policy.PolicyParser;
import dev.custody.server.Metrics;
import dev.custody.server.NamespaceCache;
import dev.custody.server.PolicyStore;
import dev.custody.server.SelfSigned;
import dev.custody.server.TlsMaterial;
import dev.custody.server.WebhookServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * End to end against a real control plane on loopback: kube-apiserver and etcd built from their Go modules
 * (scripts/kube), Custody registered through the ValidatingWebhookConfiguration that {@code custody install}
 * generates, and kubectl applying good and bad workloads. Nothing is scheduled (no kubelet): admission is
 * what is tested. scripts/test.sh builds the binaries and sets CUSTODY_KUBE_BIN; without it the test is skipped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubeApiServerE2ETest {

    static final String DIGEST = "sha256:" + "7".repeat(64);
    static final String POLICY = """
            apiVersion: custody.dev/v1alpha1
            kind: Policy
            metadata: {name: production-images}
            spec:
              tier: production
              namespaces: {selector: {matchLabels: {custody.dev/tier: production}}}
              serviceAccount: {denyDefault: false, automountToken: false}
              vulnerabilities: {}
            ---
            apiVersion: custody.dev/v1alpha1
            kind: Policy
            metadata: {name: dev-images}
            spec:
              tier: dev
              namespaces: {selector: {matchLabels: {custody.dev/tier: dev}}}
              images: {denyTags: {action: warn, tags: [latest]}}
              vulnerabilities: {}
            ---
            apiVersion: custody.dev/v1alpha1
            kind: Policy
            metadata: {name: gitops-delivery}
            spec:
              tier: production
              namespaces: {selector: {matchLabels: {custody.dev/delivery: gitops}}}
              images: {requireDigest: false, denyTags: false, allowedRegistries: false}
              serviceAccount: {denyDefault: false, automountToken: false}
              delivery:
                writers: [system:serviceaccount:argocd:argocd-application-controller]
                sources:
                  - application: argocd/shop-*
                    repo: https://git.example.com/acme/deploy.git
                    path: apps/production/*
                breakGlass: {maxLength: 1h}
            """;
    static final String ARGO = "system:serviceaccount:argocd:argocd-application-controller";
    /** Argo CD's Application kind as a CustomResourceDefinition that keeps any field: enough to hold real Application objects. */
    static final String APPLICATION_CRD = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: applications.argoproj.io}
            spec:
              group: argoproj.io
              scope: Namespaced
              names: {kind: Application, plural: applications, singular: application}
              versions:
                - name: v1alpha1
                  served: true
                  storage: true
                  schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
            """;
    /** An image whose stored SBOM holds htmlunit 2.37.0: GHSA-3xrr-7m6p-p7xh (CVE-2023-26119), critical, fixed in 3.0.0. */
    static final String VULNERABLE = "sha256:" + "c4".repeat(32);

    Path root;
    Path dir;
    Path kubectl;
    WebhookServer server;
    NamespaceCache namespaces;
    dev.custody.store.Store evidence;
    dev.custody.server.GitOpsSources gitops;
    String db;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    void start() throws Exception {
        String bin = System.getenv("CUSTODY_KUBE_BIN");
        assumeTrue(bin != null && Files.isExecutable(Path.of(bin, "kube-apiserver")),
                "CUSTODY_KUBE_BIN is not set; scripts/test.sh builds kube-apiserver, etcd and kubectl and sets it");
        root = CheckCommandTest.ROOT;
        kubectl = Path.of(bin, "kubectl");
        dir = Files.createTempDirectory("custody-e2e");
        // the API server writes an audit log of pod writes at Metadata level: the webhook's audit annotations land there
        Files.writeString(dir.resolve("audit-policy.yaml"), """
                apiVersion: audit.k8s.io/v1
                kind: Policy
                omitStages: [RequestReceived]
                rules:
                  - level: Metadata
                    resources: [{group: "", resources: [pods]}, {group: apps, resources: [deployments]}]
                  - level: None
                """);
        Run started = run(List.of("bash", root.resolve("scripts/kube/start.sh").toString(), dir.toString()), null, 180,
                Map.of("CUSTODY_APISERVER_EXTRA_ARGS", "--audit-policy-file=" + dir.resolve("audit-policy.yaml") + " --audit-log-path="
                        + dir.resolve("audit.log")));
        assertThat(started.exit()).as("start.sh: " + started.err()).isZero();

        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("policies.yaml"), POLICY);
        SelfSigned.Files3 tls = SelfSigned.write(dir.resolve("webhook-tls"), List.of("localhost"), List.of("127.0.0.1"));
        namespaces = NamespaceCache.start(dir.resolve("kubeconfig"));
        Metrics metrics = new Metrics();
        PolicyStore store = new PolicyStore(List.of(policies.toString()), new PolicyParser(), namespaces, metrics);
        // stored evidence for the vulnerability gate: the corpus's GitHub advisories and one SBOM, as custody serve --store reads them
        db = dir.resolve("evidence.db").toString();
        Path bom = dir.resolve("bom.json");
        Files.writeString(bom, """
                {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
                  {"type": "library", "name": "htmlunit", "version": "2.37.0", "purl": "pkg:maven/net.sourceforge.htmlunit/htmlunit@2.37.0"}]}
                """);
        assertThat(CliResult.run("vuln", "db", "import", VulnCommandTest.OSV.resolve("ghsa-maven-zeppelin").toString(), "--store", db).code()).isZero();
        assertThat(CliResult.run("sbom", "ingest", bom.toString(), "--digest", VULNERABLE, "--store", db).code()).isZero();
        evidence = dev.custody.store.Store.open(dev.custody.store.StoreLocation.parse(db));
        store.judgingVulnerabilities(new dev.custody.vulns.StoredVulnEvidence(evidence).start(200));
        // Argo CD's Applications, read from the API server as custody serve reads them
        gitops = new dev.custody.server.GitOpsSources(namespaces.client()).start(Duration.ofMillis(500));
        store.readingSources(gitops);
        server = new WebhookServer(new WebhookServer.Options("127.0.0.1", 0, Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofSeconds(1)), store, new TlsMaterial(tls.cert(), tls.key()), namespaces, metrics);
        server.start();
        long until = System.currentTimeMillis() + 30_000;
        while (!server.ready() && System.currentTimeMillis() < until) {
            Thread.sleep(100);
        }
        assertThat(server.ready()).as("ready after the namespace cache synced").isTrue();

        // register Custody with the configuration custody install generates, pointed at this server
        var options = new InstallManifests.Options("custody-system", "custody:e2e", 2, 5, false, Files.readString(tls.caCert()),
                Files.readString(tls.cert()), Files.readString(tls.key()), Map.of("policies.yaml", POLICY),
                "https://127.0.0.1:" + server.port() + "/validate");
        ObjectNode webhook = InstallManifests.objects(options).stream()
                .filter(o -> o.path("kind").asText().equals("ValidatingWebhookConfiguration")).findFirst().orElseThrow();
        Run applied = kubectl(new ObjectMapper(new YAMLFactory()).writeValueAsString(webhook), "apply", "-f", "-");
        assertThat(applied.exit()).as(applied.err()).isZero();

        assertThat(kubectl(null, "create", "namespace", "prod").exit()).isZero();
        assertThat(kubectl(null, "label", "namespace", "prod", "custody.dev/tier=production").exit()).isZero();
        assertThat(kubectl(null, "create", "namespace", "dev").exit()).isZero();
        assertThat(kubectl(null, "label", "namespace", "dev", "custody.dev/tier=dev").exit()).isZero();
        until = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < until && !("production".equals(labelOf("prod")) && "dev".equals(labelOf("dev")))) {
            Thread.sleep(100);
        }
        assertThat(labelOf("prod")).as("the namespace cache watched the label").isEqualTo("production");
        assertThat(labelOf("dev")).isEqualTo("dev");
        // the webhook configuration takes effect asynchronously in the API server
        until = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < until
                && kubectl(pod("probe", "registry.example.com/a:1"), "apply", "-n", "prod", "--dry-run=server", "-f", "-").exit() == 0) {
            Thread.sleep(250);
        }
    }

    String labelOf(String ns) {
        Map<String, String> labels = namespaces.apply(ns);
        return labels == null ? null : labels.get("custody.dev/tier");
    }

    @AfterAll
    void stop() throws Exception {
        if (gitops != null) {
            gitops.close();
        }
        if (server != null) {
            server.close();
        }
        if (evidence != null) {
            evidence.close();
        }
        if (dir != null) {
            run(List.of("bash", root.resolve("scripts/kube/stop.sh").toString(), dir.toString()), null, 60);
        }
    }

    Run kubectl(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig", dir.resolve("kubeconfig").toString()));
        cmd.addAll(List.of(args));
        return run(cmd, stdin, 60);
    }

    static Run run(List<String> cmd, String stdin, int timeoutSeconds) throws IOException, InterruptedException {
        return run(cmd, stdin, timeoutSeconds, Map.of());
    }

    static Run run(List<String> cmd, String stdin, int timeoutSeconds, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Path out = Files.createTempFile("e2e", ".out");
        Path err = Files.createTempFile("e2e", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static String pod(String name, String image) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s}
                spec:
                  containers: [{name: app, image: "%s"}]
                """.formatted(name, image);
    }

    static String deployment(String name, String image) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %s}
                spec:
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata: {labels: {app: %s}}
                    spec:
                      containers: [{name: app, image: "%s"}]
                """.formatted(name, name, name, image);
    }

    static String cronJob(String name, String image) {
        return """
                apiVersion: batch/v1
                kind: CronJob
                metadata: {name: %s}
                spec:
                  schedule: "*/5 * * * *"
                  jobTemplate:
                    spec:
                      template:
                        spec:
                          restartPolicy: OnFailure
                          containers: [{name: app, image: "%s"}]
                """.formatted(name, image);
    }

    @Test
    void mutableTagsAreRejectedInProductionAndPinnedImagesAdmitted() throws Exception {
        Run bad = kubectl(deployment("api-bad", "registry.example.com/api:1.2.3"), "apply", "-n", "prod", "-f", "-");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("denied the request").contains("DIGEST_REQUIRED")
                .contains("spec.template.spec.containers[0].image");
        Run good = kubectl(deployment("api-good", "registry.example.com/api@" + DIGEST), "apply", "-n", "prod", "-f", "-");
        assertThat(good.exit()).as(good.err()).isZero();

        assertThat(kubectl(pod("pod-bad", "nginx"), "apply", "-n", "prod", "-f", "-").err()).contains("IMPLICIT_LATEST_DENIED");
        assertThat(kubectl(pod("pod-good", "registry.example.com/api@" + DIGEST), "apply", "-n", "prod", "-f", "-").exit()).isZero();
        Run cronBad = kubectl(cronJob("cron-bad", "busybox:1.36"), "apply", "-n", "prod", "-f", "-");
        assertThat(cronBad.err()).contains("spec.jobTemplate.spec.template.spec.containers[0].image");
        assertThat(kubectl(cronJob("cron-good", "busybox@" + DIGEST), "apply", "-n", "prod", "-f", "-").exit()).isZero();
    }

    /**
     * imagePullSecrets as the kubelet reads them, from the real API server: a docker-registry Secret made by
     * kubectl gives its registry's credentials; a missing Secret and one of another type are skipped.
     */
    @Test
    void pullSecretsAreReadFromTheApiServerInThePodsOrder() throws Exception {
        Run made = kubectl(null, "create", "secret", "docker-registry", "regcred", "-n", "dev", "--docker-server=registry.internal.example:5000",
                "--docker-username=robot", "--docker-password=s3cret");
        assertThat(made.exit()).as(made.err()).isZero();
        assertThat(kubectl(null, "create", "secret", "generic", "opaque", "-n", "dev", "--from-literal=password=x").exit()).isZero();
        var secrets = new dev.custody.server.KubePullSecrets(namespaces.client(), java.time.Clock.systemUTC());
        dev.custody.oci.Keychain keychain = secrets.keychain(new dev.custody.policy.trust.SignatureGatherer.PullSecrets("dev",
                List.of("missing", "opaque", "regcred")), java.time.Instant.now().plusSeconds(5));
        var repo = dev.custody.oci.Repository.of(dev.custody.imageref.ImageReference.parse("registry.internal.example:5000/shop/api:1"));
        assertThat(keychain.credentials(repo)).isEqualTo(new dev.custody.oci.Credentials.Basic("robot", "s3cret"));
        var elsewhere = dev.custody.oci.Repository.of(dev.custody.imageref.ImageReference.parse("ghcr.io/acme/api:1"));
        assertThat(keychain.credentials(elsewhere)).isInstanceOf(dev.custody.oci.Credentials.Anonymous.class);
        // a secret in another namespace is not the pod's
        dev.custody.oci.Keychain prod = secrets.keychain(new dev.custody.policy.trust.SignatureGatherer.PullSecrets("prod", List.of("regcred")),
                java.time.Instant.now().plusSeconds(5));
        assertThat(prod.credentials(repo)).isInstanceOf(dev.custody.oci.Credentials.Anonymous.class);
    }

    /** A trust rule's key kept in a Secret (key: k8s://NAMESPACE/NAME) is read from the real API server when the policy loads. */
    @Test
    void trustRuleKeysAreReadFromSecrets() throws Exception {
        Path pub = root.resolve("../shared/corpora/sigstore/connaisseur-cosign-legacy/test/testdata/cosign/alice.key").normalize();
        Run made = kubectl(null, "create", "secret", "generic", "cosign-release", "-n", "dev", "--from-file=cosign.pub=" + pub);
        assertThat(made.exit()).as(made.err()).isZero();
        String policy = """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: signed}
                spec:
                  tier: dev
                  trust:
                    - name: release
                      images: [registry.example.com/*]
                      authorities:
                        - {name: ci, key: 'k8s://dev/cosign-release'}
                        - {name: gone, key: 'k8s://dev/no-such-secret'}
                """;
        var parser = dev.custody.policy.trust.TrustRules.parser(new dev.custody.server.KubeSecretKeys(namespaces.client()));
        try {
            parser.load(Map.of("p.yaml", policy));
            org.junit.jupiter.api.Assertions.fail("a missing Secret must fail the policy");
        } catch (dev.custody.policy.InvalidPolicyException e) {
            assertThat(e.getMessage()).contains("spec.trust[0].authorities[1].key").contains("dev/no-such-secret does not exist")
                    .doesNotContain("authorities[0]");
        }
        var set = parser.load(Map.of("p.yaml", policy.replace("        - {name: gone, key: 'k8s://dev/no-such-secret'}\n", "")));
        var spec = set.policies().get(0).rules().stream().filter(r -> r instanceof dev.custody.policy.trust.TrustRule)
                .map(r -> ((dev.custody.policy.trust.TrustRule) r).spec()).findFirst().orElseThrow();
        assertThat(spec.authorities().get(0).keyPem()).isEqualTo(Files.readString(pub));
    }

    @Test
    void warnModeRulesAppearAsKubectlWarnings() throws Exception {
        Run warned = kubectl(pod("scratch", "registry.example.com/tools:latest"), "apply", "-n", "dev", "-f", "-");
        assertThat(warned.exit()).as(warned.err()).isZero();
        assertThat(warned.err()).contains("Warning:").contains("TAG_DENIED");
    }

    @Test
    void dryRunIsAnsweredLikeTheRealThing() throws Exception {
        Run dry = kubectl(pod("dry", "registry.example.com/a:2"), "apply", "-n", "prod", "--dry-run=server", "-f", "-");
        assertThat(dry.exit()).isNotZero();
        assertThat(dry.err()).contains("DIGEST_REQUIRED");
    }

    @Test
    void ephemeralContainersGoThroughTheWebhook() throws Exception {
        assertThat(kubectl(pod("target", "registry.example.com/api@" + DIGEST), "apply", "-n", "prod", "-f", "-").exit()).isZero();
        Run bad = kubectl(null, "debug", "-n", "prod", "target", "--image=busybox:1.36", "--container=debugger", "--attach=false");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("denied the request").contains("spec.ephemeralContainers[0].image");
        Run good = kubectl(null, "debug", "-n", "prod", "target", "--image=busybox@" + DIGEST, "--container=debugger2", "--attach=false");
        assertThat(good.exit()).as(good.err()).isZero();
    }

    @Test
    void aBlockingFindingIsDeniedInProductionWarnedInDevAdmittedUnderAnExceptionAndDeniedAgainAtItsExpiry() throws Exception {
        String image = "registry.example.com/reports@" + VULNERABLE;
        Run denied = kubectl(pod("reports", image), "apply", "-n", "prod", "--dry-run=server", "-f", "-");
        assertThat(denied.exit()).isNotZero();
        assertThat(denied.err()).contains("VULN_EXCEPTION_REQUIRED").contains("GHSA-3xrr-7m6p-p7xh critical");
        Run warned = kubectl(pod("reports", image), "apply", "-n", "dev", "-f", "-");
        assertThat(warned.exit()).as(warned.err()).isZero();
        assertThat(warned.err()).contains("Warning:").contains("VULN_WARNED").contains("GHSA-3xrr-7m6p-p7xh");

        // an exception for the production namespace, requested by one identity and approved by another, for 12 seconds
        var exceptions = new dev.custody.store.Exceptions(evidence);
        long now = System.currentTimeMillis();
        var requested = exceptions.request(new dev.custody.store.Exceptions.Request(VULNERABLE, "prod", null, "CVE-2023-26119", "reports-team",
                "the report job has no network egress", "https://tickets.example/SEC-31", now + 12_000), "alice", now);
        var approved = exceptions.approve(requested.id(), "bob", null, System.currentTimeMillis());
        Run admitted = null;
        long until = System.currentTimeMillis() + 5_000; // the server reloads exceptions within its 200 ms poll
        while (System.currentTimeMillis() < until) {
            admitted = kubectl(pod("reports", image), "apply", "-n", "prod", "-f", "-");
            if (admitted.exit() == 0) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(admitted.exit()).as(admitted.err()).isZero();
        // the API server's audit log holds the webhook's annotation naming the exception
        String audit = "";
        until = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < until && !audit.contains(approved.id())) {
            audit = Files.exists(dir.resolve("audit.log")) ? Files.readString(dir.resolve("audit.log")) : "";
            Thread.sleep(200);
        }
        String line = audit.lines().filter(l -> l.contains("\"/api/v1/namespaces/prod/pods") && l.contains(approved.id())).findFirst().orElse(null);
        assertThat(line).as("an audit event of the pod write with the exception id").isNotNull();
        var event = new ObjectMapper().readTree(line);
        assertThat(event.path("annotations").path("validate.custody.dev/exceptions").asText()).isEqualTo(approved.id());

        // at its expiry the gate denies again, without a restart
        while (System.currentTimeMillis() < approved.expiresAt()) {
            Thread.sleep(100);
        }
        Run again = kubectl(pod("reports-2", image), "apply", "-n", "prod", "--dry-run=server", "-f", "-");
        assertThat(again.exit()).isNotZero();
        assertThat(again.err()).contains("VULN_EXCEPTION_REQUIRED").contains("exception " + approved.id() + " expired");
    }

    static String tracked(String name, String app) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %s
                  annotations: {argocd.argoproj.io/tracking-id: "%s:apps/Deployment:shop/%s"}
                spec:
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata: {labels: {app: %s}}
                    spec:
                      containers: [{name: app, image: "registry.example.com/shop/api:1.4"}]
                """.formatted(name, app, name, name, name);
    }

    @Test
    void productionWorkloadsAreWrittenByTheGitOpsControllerFromAnApprovedSourceOrByAPersonUnderBreakGlassUntilItExpires() throws Exception {
        assertThat(kubectl(null, "create", "namespace", "shop").exit()).isZero();
        assertThat(kubectl(null, "label", "namespace", "shop", "custody.dev/delivery=gitops").exit()).isZero();
        // both may write Deployments as far as RBAC goes: what admission adds is who, and from where
        // (a Role of its own: the built-in edit role is filled by kube-controller-manager's aggregation, which does not run here)
        assertThat(kubectl(null, "create", "role", "deployer", "-n", "shop", "--verb=get,list,create,update,patch,delete",
                "--resource=deployments.apps").exit()).isZero();
        assertThat(kubectl(null, "create", "rolebinding", "writers", "-n", "shop", "--role=deployer", "--user=alice",
                "--serviceaccount=argocd:argocd-application-controller").exit()).isZero();
        assertThat(kubectl(APPLICATION_CRD, "apply", "-f", "-").exit()).isZero();
        assertThat(kubectl(null, "create", "namespace", "argocd").exit()).isZero();
        Run crd = kubectl(null, "wait", "--for=condition=Established", "crd/applications.argoproj.io", "--timeout=30s");
        assertThat(crd.exit()).as(crd.err()).isZero();
        for (String[] app : new String[][] {{"shop-api", "https://git.example.com/acme/deploy", "apps/production/api"},
                {"shop-fork", "https://git.example.com/someone/deploy.git", "apps/production/api"}}) {
            Run a = kubectl("""
                    apiVersion: argoproj.io/v1alpha1
                    kind: Application
                    metadata: {name: %s, namespace: argocd}
                    spec:
                      project: default
                      source: {repoURL: "%s", path: %s, targetRevision: main}
                      destination: {server: "https://kubernetes.default.svc", namespace: shop}
                    """.formatted(app[0], app[1], app[2]), "apply", "-f", "-");
            assertThat(a.exit()).as(a.err()).isZero();
        }
        long until = System.currentTimeMillis() + 20_000;
        var ref = new dev.custody.policy.identity.Tracking.Ref(dev.custody.policy.identity.Tracking.Kind.APPLICATION, "argocd", "shop-fork");
        while (System.currentTimeMillis() < until && gitops.find(ref) == null) {
            Thread.sleep(100);
        }
        assertThat(gitops.find(ref)).as("the Applications were read from the API server").isNotNull();
        until = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < until && !"gitops".equals(namespaces.apply("shop") == null ? null
                : namespaces.apply("shop").get("custody.dev/delivery"))) {
            Thread.sleep(100);
        }

        Run human = kubectl(tracked("api", "shop-api"), "--as=alice", "apply", "-n", "shop", "-f", "-");
        assertThat(human.exit()).as("a production Deployment written by a person").isNotZero();
        assertThat(human.err()).contains("DELIVERY_WRITER_UNAPPROVED").contains("alice");
        Run fork = kubectl(tracked("api", "shop-fork"), "--as=" + ARGO, "apply", "-n", "shop", "-f", "-");
        assertThat(fork.exit()).as("the controller applying an Application of another repository").isNotZero();
        assertThat(fork.err()).contains("DELIVERY_SOURCE_UNAPPROVED").contains("someone/deploy");
        Run untracked = kubectl(deployment("api", "registry.example.com/shop/api:1.4"), "--as=" + ARGO, "apply", "-n", "shop", "-f", "-");
        assertThat(untracked.err()).contains("DELIVERY_UNTRACKED");
        Run argo = kubectl(tracked("api", "shop-api"), "--as=" + ARGO, "apply", "-n", "shop", "-f", "-");
        assertThat(argo.exit()).as(argo.err()).isZero();

        // break-glass: alice asks, bob approves, for 12 seconds; the same state machine and audit as exceptions
        CliResult req = CliResult.run("exception", "request", "--break-glass", "alice", "--namespace", "shop", "--owner", "sre",
                "--reason", "sev1: roll back by hand", "--expires", "12s", "--store", db, "--as", "alice");
        assertThat(req.code()).as(req.err()).isZero();
        String id = req.out().strip();
        assertThat(id).startsWith("BG-");
        CliResult self = CliResult.run("exception", "approve", id, "--store", db, "--as", "alice");
        assertThat(self.code()).as("the requester cannot approve").isEqualTo(2);
        CliResult ok = CliResult.run("exception", "approve", id, "--store", db, "--as", "bob", "-o", "json");
        assertThat(ok.code()).as(ok.err()).isZero();
        long expires = java.time.Instant.parse(new ObjectMapper().readTree(ok.out()).path("expiresAt").asText()).toEpochMilli();
        Run glass = null;
        until = System.currentTimeMillis() + 5_000;
        while (System.currentTimeMillis() < until) {
            glass = kubectl(deployment("hotfix", "registry.example.com/shop/api:1.3"), "--as=alice", "apply", "-n", "shop", "-f", "-");
            if (glass.exit() == 0) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(glass.exit()).as(glass.err()).isZero();
        assertThat(glass.err()).contains("Warning:").contains("DELIVERY_BREAK_GLASS").contains(id);
        String audit = "";
        until = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < until && !audit.contains(id)) {
            audit = Files.exists(dir.resolve("audit.log")) ? Files.readString(dir.resolve("audit.log")) : "";
            Thread.sleep(200);
        }
        assertThat(audit.lines().anyMatch(l -> l.contains("/namespaces/shop/deployments") && l.contains("validate.custody.dev/break-glass")
                && l.contains(id))).as("the API server's audit log names the grant").isTrue();
        CliResult history = CliResult.run("exception", "show", id, "--store", db);
        assertThat(history.out()).contains("request").contains("approve").contains("bob");

        while (System.currentTimeMillis() < expires + 300) {
            Thread.sleep(100);
        }
        Run after = kubectl(deployment("hotfix-2", "registry.example.com/shop/api:1.3"), "--as=alice", "apply", "-n", "shop", "-f", "-");
        assertThat(after.exit()).as("the grant ran out").isNotZero();
        assertThat(after.err()).contains("DELIVERY_WRITER_UNAPPROVED").contains(id).contains("expired");
        assertThat(CliResult.run("audit", "verify", "--store", db).code()).as("the grant's records are in the hash chain").isZero();
    }

    @Test
    void otherNamespacesAndKindsAreUntouched() throws Exception {
        assertThat(kubectl(null, "create", "namespace", "scratch-e2e").exit()).isZero();
        assertThat(kubectl(pod("anything", "nginx"), "apply", "-n", "scratch-e2e", "-f", "-").exit()).isZero();
        assertThat(kubectl(null, "create", "configmap", "cm", "-n", "prod", "--from-literal=a=b").exit()).isZero();
    }
}
