package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.custody.imageref.Digest;
import dev.custody.oci.Call;
import dev.custody.oci.Descriptor;
import dev.custody.oci.RegistryClient;
import dev.custody.oci.Repository;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The runtime inventory end to end: two real control planes (kube-apiserver and etcd from scripts/kube, one per
 * kubeconfig context) and a real registry on loopback. There is no kubelet, so the test plays its part: it creates
 * the ReplicaSets, Jobs and Pods that controllers would (with the same ownerReferences), and writes the pods'
 * container statuses through the status subresource with imageIDs in the form containerd reports. Everything
 * Custody reads, it reads from the API servers and the registry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InventoryE2ETest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final String PINNED = "sha256:" + "1".repeat(64);
    static final String RUNS_INSTEAD = "sha256:" + "2".repeat(64);

    Path work;
    Path alphaDir;
    Path betaDir;
    Path kubeconfig;
    Path db;
    String registry;
    String v1Digest;
    KubernetesClient alpha;
    KubernetesClient beta;

    @BeforeAll
    void start() throws Exception {
        String bin = System.getenv("CUSTODY_KUBE_BIN");
        assumeTrue(bin != null && Files.isExecutable(Path.of(bin, "kube-apiserver")),
                "CUSTODY_KUBE_BIN is not set; scripts/test.sh builds kube-apiserver, etcd and kubectl and sets it");
        work = Files.createTempDirectory("custody-inventory-");
        alphaDir = work.resolve("alpha");
        betaDir = work.resolve("beta");
        for (Path d : List.of(alphaDir, betaDir)) {
            var started = KubeApiServerE2ETest.run(List.of("bash", CheckCommandTest.ROOT.resolve("scripts/kube/start.sh").toString(), d.toString()),
                    null, 180);
            assertThat(started.exit()).as("start.sh: " + started.err()).isZero();
        }
        Process reg = new ProcessBuilder("bash", CheckCommandTest.ROOT.resolve("scripts/image/registry.sh").toString(), "start",
                work.resolve("registry").toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        registry = new String(reg.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(reg.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(reg.exitValue()).as("registry.sh start").isZero();
        v1Digest = push("shop/api", "v1", "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":{\"build\":\"1\"}}}");

        kubeconfig = work.resolve("kubeconfig");
        Files.writeString(kubeconfig, merged(Map.of("alpha", alphaDir.resolve("kubeconfig"), "beta", betaDir.resolve("kubeconfig"))));
        alpha = client("alpha");
        beta = client("beta");
        db = work.resolve("inventory.db");
    }

    @AfterAll
    void stop() throws Exception {
        if (restartedApi != null) {
            restartedApi.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        for (KubernetesClient c : new KubernetesClient[] {alpha, beta}) {
            if (c != null) {
                c.close();
            }
        }
        if (work == null) {
            return;
        }
        for (Path d : List.of(alphaDir, betaDir)) {
            KubeApiServerE2ETest.run(List.of("bash", CheckCommandTest.ROOT.resolve("scripts/kube/stop.sh").toString(), d.toString()), null, 60);
        }
        new ProcessBuilder("bash", CheckCommandTest.ROOT.resolve("scripts/image/registry.sh").toString(), "stop", work.resolve("registry").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- the tests, in order: each builds on the last

    /** Deployments, CronJobs and bare pods in two clusters; one snapshot records them with their top workloads. */
    @Test
    @Order(1)
    void aSnapshotRecordsWhatRunsInBothClustersWithTheirWorkloads() throws Exception {
        String api = registry + "/shop/api:v1";
        alpha.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").addToLabels("team", "payments").endMetadata().build())
                .create();
        Deployment d = alpha.apps().deployments().inNamespace("shop").resource(new DeploymentBuilder().withNewMetadata().withName("api").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "api").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "api").endMetadata().withNewSpec().addNewContainer().withName("app").withImage(api).endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        ReplicaSet rs = alpha.apps().replicaSets().inNamespace("shop").resource(new ReplicaSetBuilder().withNewMetadata().withName("api-6d4f")
                .withOwnerReferences(owner(d.getApiVersion(), "Deployment", d.getMetadata().getName(), d.getMetadata().getUid())).endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "api").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "api").endMetadata().withNewSpec().addNewContainer().withName("app").withImage(api).endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        OwnerReference byRs = owner("apps/v1", "ReplicaSet", rs.getMetadata().getName(), rs.getMetadata().getUid());
        for (String name : List.of("api-6d4f-aaaaa", "api-6d4f-bbbbb")) {
            running(alpha, pod("shop", name, byRs, "app", api, "node-1"), List.of(status("app", registry + "/shop/api@" + v1Digest)), List.of());
        }

        CronJob cj = alpha.batch().v1().cronjobs().inNamespace("shop").resource(new CronJobBuilder().withNewMetadata().withName("nightly")
                .endMetadata().withNewSpec().withSchedule("0 3 * * *").withNewJobTemplate().withNewSpec().withNewTemplate().withNewSpec()
                .withRestartPolicy("OnFailure").addNewContainer().withName("report").withImage("busybox@" + PINNED).endContainer().endSpec()
                .endTemplate().endSpec().endJobTemplate().endSpec().build()).create();
        Job job = alpha.batch().v1().jobs().inNamespace("shop").resource(new JobBuilder().withNewMetadata().withName("nightly-29000000")
                .withOwnerReferences(owner("batch/v1", "CronJob", "nightly", cj.getMetadata().getUid())).endMetadata().withNewSpec()
                .withManualSelector(true).withNewSelector().addToMatchLabels("job", "nightly").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("job", "nightly").endMetadata().withNewSpec().withRestartPolicy("OnFailure")
                .addNewContainer().withName("report").withImage("busybox@" + PINNED).endContainer().endSpec().endTemplate().endSpec().build()).create();
        // the kubelet reports another digest than the one the spec pins: drift
        running(alpha, pod("shop", "nightly-29000000-x1y2z", owner("batch/v1", "Job", job.getMetadata().getName(), job.getMetadata().getUid()),
                "report", "busybox@" + PINNED, "node-2"), List.of(status("report", "docker.io/library/busybox@" + RUNS_INSTEAD)), List.of());

        // a bare pod with an init container; its imageID in the docker-pullable form
        Pod debug = new PodBuilder(pod("shop", "debug", null, "shell", registry + "/shop/api@" + v1Digest, "node-1")).editSpec()
                .addNewInitContainer().withName("fetch").withImage("busybox@" + PINNED).endInitContainer().endSpec().build();
        running(alpha, debug, List.of(status("shell", "docker-pullable://" + registry + "/shop/api@" + v1Digest)),
                List.of(new ContainerStatusBuilder(status("fetch", "docker.io/library/busybox@" + PINNED)).withNewState().withNewTerminated()
                        .withExitCode(0).withStartedAt("2026-12-01T10:00:00Z").withFinishedAt("2026-12-01T10:00:03Z").endTerminated().endState()
                        .build()));

        // the second cluster: one bare pod of the same image
        beta.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("edge").addToLabels("team", "platform").endMetadata().build())
                .create();
        running(beta, pod("edge", "probe", null, "app", api, "edge-node"), List.of(status("app", registry + "/shop/api@" + v1Digest)), List.of());

        CliResult r = CliResult.run("collect", "--kubeconfig", kubeconfig.toString(), "--context", "alpha", "--context", "beta", "--once",
                "--store", db.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("cluster alpha: 4 pods, 5 containers").contains("cluster beta: 1 pods, 1 containers");

        JsonNode pods = pods(v1Digest, false);
        assertThat(pods.size()).as(pods.toPrettyString()).isEqualTo(4);
        assertThat(names(pods)).containsExactly("alpha/shop/api-6d4f-aaaaa/app", "alpha/shop/api-6d4f-bbbbb/app", "alpha/shop/debug/shell",
                "beta/edge/probe/app");
        JsonNode a = pods.get(0);
        assertThat(a.path("workload").path("kind").asText()).isEqualTo("Deployment");
        assertThat(a.path("workload").path("name").asText()).isEqualTo("api");
        assertThat(a.path("ownerChain").asText()).isEqualTo("Deployment/api > ReplicaSet/api-6d4f > Pod/api-6d4f-aaaaa");
        assertThat(a.path("image").asText()).isEqualTo(api);
        assertThat(a.path("imageID").asText()).isEqualTo(registry + "/shop/api@" + v1Digest);
        assertThat(a.path("digest").asText()).isEqualTo(v1Digest);
        assertThat(a.path("node").asText()).isEqualTo("node-1");
        assertThat(a.path("serviceAccount").asText()).isEqualTo("api-sa");
        assertThat(a.path("running").asBoolean()).isTrue();
        assertThat(a.path("startedAt").asText()).isEqualTo("2026-12-01T10:00:05Z");
        assertThat(a.path("namespaceLabels").path("team").asText()).isEqualTo("payments");
        assertThat(pods.get(2).path("workload").path("kind").asText()).as("a bare pod is its own workload").isEqualTo("Pod");
        assertThat(pods.get(2).path("imageID").asText()).startsWith("docker-pullable://");
        assertThat(pods.get(3).path("cluster").asText()).isEqualTo("beta");
        assertThat(pods.get(3).path("namespaceLabels").path("team").asText()).isEqualTo("platform");

        JsonNode job1 = pods(PINNED, false);
        assertThat(names(job1)).as("the init container ran the pinned digest").containsExactly("alpha/shop/debug/fetch");
        assertThat(job1.get(0).path("list").asText()).isEqualTo("initContainers");
        assertThat(job1.get(0).path("running").asBoolean()).isFalse();
        JsonNode cron = pods(RUNS_INSTEAD, false);
        assertThat(cron.get(0).path("workload").path("kind").asText()).isEqualTo("CronJob");
        assertThat(cron.get(0).path("ownerChain").asText()).isEqualTo("CronJob/nightly > Job/nightly-29000000 > Pod/nightly-29000000-x1y2z");

        CliResult text = CliResult.run("query", "pods", "--digest", v1Digest, "--store", db.toString());
        assertThat(text.out()).contains("alpha/shop/api-6d4f-aaaaa app [Deployment api]").contains("4 pods run " + v1Digest);
    }

    /** Drift: a running digest the spec does not pin, then a tag re-pushed in the registry after the pods started. */
    @Test
    @Order(2)
    void driftIsFoundForARunningDigestAndForATagThatMoved() throws Exception {
        CliResult r = CliResult.run("query", "drift", "-o", "json", "--store", db.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.DENIED);
        JsonNode drift = JSON.readTree(r.out()).path("drift");
        assertThat(drift.size()).as(drift.toPrettyString()).isEqualTo(1);
        assertThat(drift.get(0).path("reason").asText()).isEqualTo("RUNNING_DIGEST_DIFFERS");
        assertThat(drift.get(0).path("pod").asText()).isEqualTo("nightly-29000000-x1y2z");
        assertThat(drift.get(0).path("declaredDigest").asText()).isEqualTo(PINNED);
        assertThat(drift.get(0).path("digest").asText()).isEqualTo(RUNS_INSTEAD);

        // unchanged tag: resolving finds nothing more
        r = CliResult.run("query", "drift", "--resolve", "-o", "json", "--store", db.toString());
        assertThat(JSON.readTree(r.out()).path("drift").size()).as(r.out() + r.err()).isEqualTo(1);

        String v2 = push("shop/api", "v1", "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":{\"build\":\"2\"}}}");
        assertThat(v2).isNotEqualTo(v1Digest);
        r = CliResult.run("query", "drift", "--resolve", "-o", "json", "--store", db.toString());
        JsonNode out = JSON.readTree(r.out());
        List<String> moved = new ArrayList<>();
        for (JsonNode d : out.path("drift")) {
            if (d.path("reason").asText().equals("TAG_MOVED")) {
                moved.add(d.path("cluster").asText() + "/" + d.path("pod").asText());
                assertThat(d.path("tagResolvesTo").asText()).isEqualTo(v2);
                assertThat(d.path("digest").asText()).isEqualTo(v1Digest);
            }
        }
        // the debug pod names the image by digest: no tag to move
        assertThat(moved).as(out.toPrettyString()).containsExactly("alpha/api-6d4f-aaaaa", "alpha/api-6d4f-bbbbb", "beta/probe");
        assertThat(out.path("unresolved").size()).as(out.path("unresolved").toString()).isZero();
    }

    /** A candidate policy against what runs: the tag-pinned Deployment would be denied, once, with both its pods. */
    @Test
    @Order(3)
    void aDryRunSaysWhichRunningWorkloadsEnforcingWouldDeny() throws Exception {
        Path policy = work.resolve("candidate.yaml");
        Files.writeString(policy, """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: pin-digests}
                spec:
                  tier: production
                  action: audit
                  serviceAccount: {denyDefault: false, automountToken: false}
                """);
        CliResult r = CliResult.run("policy", "dry-run", "--policy", policy.toString(), "-o", "json", "--store", db.toString());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(ExitCodes.DENIED);
        JsonNode out = JSON.readTree(r.out());
        assertThat(out.path("summary").path("pods").asInt()).isEqualTo(5);
        assertThat(out.path("summary").path("workloads").asInt()).as("two pods of one Deployment are one workload").isEqualTo(4);
        assertThat(out.path("summary").path("deniedWithTodaysActions").asInt()).as("audit denies nothing today").isZero();
        List<String> denied = new ArrayList<>();
        for (JsonNode w : out.path("denied")) {
            denied.add(w.path("cluster").asText() + "/" + w.path("workload").path("kind").asText() + "/" + w.path("workload").path("name").asText());
        }
        assertThat(denied).as(out.toPrettyString()).containsExactly("alpha/Deployment/api", "beta/Pod/probe");
        JsonNode api = out.path("denied").get(0);
        assertThat(api.path("pods")).hasSize(2);
        assertThat(api.path("violations").toString()).contains("DIGEST_REQUIRED").contains("\"action\":\"audit\"")
                .contains("spec.containers[0].image");
        assertThat(out.path("summary").path("denied").asInt()).isEqualTo(2);

        CliResult text = CliResult.run("policy", "dry-run", "--policy", policy.toString(), "--store", db.toString());
        assertThat(text.out()).contains("enforcing this would deny 2 running workloads (3 pods) of 4");

        // a trust rule over the registry's images: without --verify it cannot say; with it, the registry (where
        // nothing is signed) answers, at the digest each pod runs, as admission would
        Path signed = work.resolve("signed.yaml");
        Files.writeString(signed, """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: signed}
                spec:
                  tier: dev
                  trust:
                    - name: release
                      images: ["%s/shop/*"]
                      authorities:
                        - name: ci
                          key: |
                """.formatted(registry) + TrustKeys.KEY.indent(14));
        CliResult unchecked = CliResult.run("policy", "dry-run", "--policy", signed.toString(), "-o", "json", "--store", db.toString());
        assertThat(unchecked.out()).contains("SIGNATURE_NOT_CHECKED").doesNotContain("SIGNATURE_MISSING");
        CliResult verified = CliResult.run("policy", "dry-run", "--verify", "--policy", signed.toString(), "-o", "json", "--store", db.toString());
        assertThat(verified.code()).as(verified.out() + verified.err()).isEqualTo(ExitCodes.DENIED);
        assertThat(verified.out()).contains("SIGNATURE_MISSING").doesNotContain("SIGNATURE_NOT_CHECKED");
    }

    /** A pod replaced between two snapshots: the old one is kept as history, stopped; nothing is recorded twice. */
    @Test
    @Order(4)
    void replacingAPodUpdatesRunningStateAndKeepsHistoryWithoutDuplicates() throws Exception {
        Pod old = alpha.pods().inNamespace("shop").withName("api-6d4f-aaaaa").get();
        alpha.pods().inNamespace("shop").withName("api-6d4f-aaaaa").withGracePeriod(0).delete();
        running(alpha, pod("shop", "api-6d4f-ccccc", old.getMetadata().getOwnerReferences().getFirst(), "app", registry + "/shop/api:v1", "node-3"),
                List.of(status("app", registry + "/shop/api@" + v1Digest)), List.of());
        CliResult r = CliResult.run("collect", "--kubeconfig", kubeconfig.toString(), "--context", "alpha", "--once", "--store", db.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("1 pods gone since the last run");
        assertThat(names(pods(v1Digest, false))).containsExactly("alpha/shop/api-6d4f-bbbbb/app", "alpha/shop/api-6d4f-ccccc/app",
                "alpha/shop/debug/shell", "beta/edge/probe/app");
        JsonNode history = pods(v1Digest, true);
        assertThat(names(history)).containsExactly("alpha/shop/api-6d4f-aaaaa/app", "alpha/shop/api-6d4f-bbbbb/app",
                "alpha/shop/api-6d4f-ccccc/app", "alpha/shop/debug/shell", "beta/edge/probe/app");
        assertThat(history.get(0).path("podPresent").asBoolean()).isFalse();
        assertThat(history.get(0).path("stoppedAt").isNull()).isFalse();
    }

    /**
     * The watching collector, as a process: a new pod is recorded within seconds; killed with SIGKILL while pods come
     * and go, it is restarted and the store then holds exactly what the API server holds.
     */
    @Test
    @Order(5)
    void aWatchingCollectorKilledAndRestartedLosesAndDuplicatesNothing() throws Exception {
        Process p = collector();
        try {
            awaitPods(v1Digest, n -> n.contains("alpha/shop/api-6d4f-bbbbb/app"), "the first listing");
            // the probes a collector Deployment would use
            var listening = java.util.regex.Pattern.compile("probes and metrics on http://127\\.0\\.0\\.1:(\\d+)/");
            String port = null;
            for (long until = System.currentTimeMillis() + 30_000; port == null && System.currentTimeMillis() < until; Thread.sleep(100)) {
                var m = listening.matcher(Files.readString(work.resolve("collector.log")));
                port = m.find() ? m.group(1) : null;
            }
            assertThat(port).as(Files.readString(work.resolve("collector.log"))).isNotNull();
            String probes = "http://127.0.0.1:" + port;
            var http = java.net.http.HttpClient.newHttpClient();
            JsonNode ready = await(http, probes + "/readyz", r -> r.path("ready").asBoolean(), work.resolve("collector.log"));
            assertThat(ready.path("collectors").get(0).path("state").asText()).isEqualTo("watching");
            assertThat(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(probes + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body()).contains("custody_collector_watching{cluster=\"alpha\"} 1.0");
            running(alpha, pod("shop", "api-6d4f-ddddd", owner("apps/v1", "ReplicaSet", "api-6d4f",
                    alpha.apps().replicaSets().inNamespace("shop").withName("api-6d4f").get().getMetadata().getUid()), "app",
                    registry + "/shop/api:v1", "node-1"), List.of(status("app", registry + "/shop/api@" + v1Digest)), List.of());
            awaitPods(v1Digest, n -> n.contains("alpha/shop/api-6d4f-ddddd/app"), "a pod created while watching");
        } finally {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs
        }
        // while nobody watches: one pod goes, another comes
        alpha.pods().inNamespace("shop").withName("api-6d4f-bbbbb").withGracePeriod(0).delete();
        running(alpha, pod("shop", "api-6d4f-eeeee", owner("apps/v1", "ReplicaSet", "api-6d4f",
                alpha.apps().replicaSets().inNamespace("shop").withName("api-6d4f").get().getMetadata().getUid()), "app",
                registry + "/shop/api:v1", "node-1"), List.of(status("app", registry + "/shop/api@" + v1Digest)), List.of());
        p = collector();
        try {
            awaitPods(v1Digest, n -> n.contains("alpha/shop/api-6d4f-eeeee/app") && !n.contains("alpha/shop/api-6d4f-bbbbb/app"),
                    "the listing after the restart");
            assertThat(names(pods(v1Digest, false))).containsExactly("alpha/shop/api-6d4f-ccccc/app", "alpha/shop/api-6d4f-ddddd/app",
                    "alpha/shop/api-6d4f-eeeee/app", "alpha/shop/debug/shell", "beta/edge/probe/app");
            List<String> all = names(pods(v1Digest, true));
            assertThat(all).as("each pod once").doesNotHaveDuplicates()
                    .contains("alpha/shop/api-6d4f-aaaaa/app", "alpha/shop/api-6d4f-bbbbb/app").hasSize(7);
            CliResult clusters = CliResult.run("query", "clusters", "-o", "json", "--store", db.toString());
            JsonNode cs = JSON.readTree(clusters.out()).path("clusters");
            assertThat(cs.get(0).path("cluster").asText()).isEqualTo("alpha");
            assertThat(cs.get(0).path("state").asText()).isEqualTo("watching");
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** A context whose API server does not answer: exit 2, and the message names the context. */
    @Test
    @Order(6)
    void anUnreachableClusterExitsTwoAndNamesItsContext() throws Exception {
        String dead = Files.readString(kubeconfig).replaceAll("server: \"?https://127\\.0\\.0\\.1:\\d+\"?", "server: https://127.0.0.1:1");
        Path deadConfig = work.resolve("dead-kubeconfig");
        Files.writeString(deadConfig, dead);
        CliResult r = CliResult.run("collect", "--kubeconfig", deadConfig.toString(), "--context", "beta", "--once", "--timeout", "3s",
                "--store", db.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(r.err()).contains("context beta").contains("127.0.0.1:1");
        CliResult unknown = CliResult.run("collect", "--kubeconfig", kubeconfig.toString(), "--context", "gamma", "--once", "--store", db.toString());
        assertThat(unknown.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(unknown.err()).contains("no context \"gamma\"").contains("alpha, beta");
    }

    /** Images from outside the allowlist, pods admission never saw, images without an SBOM: all read from what runs. */
    @Test
    @Order(7)
    void theInventoryAnswersWhereRegistriesEvidenceAndAdmissionAreMissing() throws Exception {
        CliResult r = CliResult.run("query", "registries", "--allow", registry, "-o", "json", "--store", db.toString());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(ExitCodes.DENIED);
        JsonNode namespaces = JSON.readTree(r.out()).path("namespaces");
        assertThat(namespaces.size()).as(r.out()).isEqualTo(1);
        assertThat(namespaces.get(0).path("cluster").asText() + "/" + namespaces.get(0).path("namespace").asText()).isEqualTo("alpha/shop");
        List<String> workloads = new ArrayList<>();
        namespaces.get(0).path("workloads").forEach(w -> workloads.add(w.path("workload").path("kind").asText() + "/"
                + w.path("workload").path("name").asText()));
        assertThat(workloads).as("busybox is not under " + registry).containsExactly("CronJob/nightly", "Pod/debug");
        assertThat(namespaces.get(0).path("workloads").get(1).path("findings").get(0).path("path").asText()).isEqualTo("spec.initContainers[0].image");
        CliResult none = CliResult.run("query", "registries", "--allow", registry, "--allow", "docker.io", "--store", db.toString());
        assertThat(none.code()).as(none.out()).isZero();
        assertThat(none.out()).contains("0 namespaces run images from registries outside the allowlist");

        // no webhook watched these clusters: every running pod is one admission never saw
        JsonNode never = JSON.readTree(CliResult.run("query", "never-admitted", "-o", "json", "--store", db.toString()).out()).path("pods");
        JsonNode present = JSON.readTree(CliResult.run("query", "running-without", "provenance", "-o", "json", "--store", db.toString()).out())
                .path("pods");
        assertThat(names(never)).contains("alpha/shop/api-6d4f-eeeee/app", "beta/edge/probe/app", "alpha/shop/debug/fetch").hasSize(7);
        assertThat(names(present)).as("no provenance was recorded").containsExactlyElementsOf(names(never));
        CliResult bad = CliResult.run("query", "running-without", "vibes", "--store", db.toString());
        assertThat(bad.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(bad.err()).contains("sbom, signature or provenance");
    }

    /** What {@code custody install --collector-store-secret} generates is accepted by a real API server (server-side dry run). */
    @Test
    @Order(7)
    void theInstalledCollectorAndItsRbacAreValidObjects() throws Exception {
        alpha.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("custody-system").endMetadata().build()).createOr(
                io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
        var options = new dev.custody.install.InstallManifests.Options("custody-system", "custody:e2e", 2, 5, true, null, null, null,
                Map.of("p.yaml", "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: p}\nspec: {tier: dev}\n"), null,
                "custody-store", "alpha");
        List<String> accepted = new ArrayList<>();
        for (ObjectNode o : dev.custody.install.InstallManifests.objects(options)) {
            String kind = o.path("kind").asText();
            if (kind.equals("ClusterRole") || kind.equals("Deployment")) {
                alpha.resource(JSON.writeValueAsString(o)).dryRun().create();
                accepted.add(kind + "/" + o.path("metadata").path("name").asText());
            }
            if (kind.equals("Deployment")) {
                // the container's arguments are ones this CLI takes (the collector is serve --collect --policy-reports)
                List<String> args = new ArrayList<>();
                o.path("spec").path("template").path("spec").path("containers").get(0).path("args").forEach(a -> args.add(a.asText()));
                var parsed = Main.commandLine(new java.io.PrintWriter(java.io.Writer.nullWriter()), new java.io.PrintWriter(java.io.Writer.nullWriter()))
                        .parseArgs(args.toArray(String[]::new));
                assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("serve");
                if (o.path("metadata").path("name").asText().equals("custody-collector")) {
                    assertThat(args).contains("--collect", "--policy-reports", "--in-cluster").containsSequence("--cluster-name", "alpha");
                }
            }
        }
        assertThat(accepted).containsExactlyInAnyOrder("ClusterRole/custody", "Deployment/custody", "Deployment/custody-collector");
    }

    /**
     * Background re-evaluation in {@code custody serve --collect --policy-reports}: the running workloads are evaluated
     * at start and written as PolicyReports; a policy file edited to allow only another registry is picked up, and
     * within 10 s the PolicyReport of the namespace shows the failures, with the same rule and reason code admission
     * gives; the store's reports and the metrics say the same.
     */
    @Test
    @Order(8)
    void aPolicyChangeReevaluatesWhatRunsWithinTenSecondsAndPolicyReportsShowIt() throws Exception {
        try (var in = Files.newInputStream(CheckCommandTest.ROOT.resolve("deploy/crds/wgpolicyk8s.io_policyreports.yaml"))) {
            alpha.apiextensions().v1().customResourceDefinitions().load(in).create();
        }
        var reports = alpha.genericKubernetesResources(dev.custody.inventory.PolicyReports.CONTEXT);
        long crdUntil = System.currentTimeMillis() + 30_000;
        while (true) { // the CRD is served once it is established
            try {
                reports.inNamespace("shop").list();
                break;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                assertThat(System.currentTimeMillis()).as("CRD established: " + e.getMessage()).isLessThan(crdUntil);
                Thread.sleep(200);
            }
        }
        Path policy = work.resolve("reevaluated-policy.yaml");
        Files.writeString(policy, "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: registries}\nspec: {tier: dev}\n");
        Path served = work.resolve("reevaluated.db");
        Path log = work.resolve("serve-reevaluate.log");
        Process serve = serve(log, "--policy", policy.toString(), "--kubeconfig", kubeconfig.toString(), "--collect", "--policy-reports",
                "--reload-interval", "1s", "--store", served.toString());
        try {
            String base = baseUrl(log); // serve writes the CA on start
            java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                    .sslContext(dev.custody.server.TlsMaterial.trusting(work.resolve("tls/ca.crt"))).build();
            await(http, base + "/readyz", r -> r.path("reevaluation").path("workloads").asInt() > 0, log);
            JsonNode before = awaitReport(reports, r -> r.path("summary").path("pass").asInt() > 0, log);
            assertThat(before.path("summary").path("fail").asInt()).as(before.toPrettyString()).isZero();

            long changed = System.nanoTime();
            Files.writeString(policy, "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: registries}\n"
                    + "spec: {tier: dev, images: {allowedRegistries: [elsewhere.example]}}\n");
            JsonNode after = awaitReport(reports, r -> r.path("summary").path("fail").asInt() > 0, log);
            long millis = (System.nanoTime() - changed) / 1_000_000;
            assertThat(millis).as("policy change to PolicyReport").isLessThanOrEqualTo(10_000);
            System.out.println("policy change reached the PolicyReport in " + millis + " ms");
            JsonNode failed = null;
            for (JsonNode res : after.path("results")) {
                if (res.path("result").asText().equals("fail")) {
                    failed = res;
                    break;
                }
            }
            assertThat(failed).as(after.toPrettyString()).isNotNull();
            assertThat(failed.path("policy").asText()).isEqualTo("registries");
            assertThat(failed.path("properties").path("code").asText()).isEqualTo("REGISTRY_NOT_ALLOWED");
            assertThat(failed.path("source").asText()).isEqualTo("custody");
            assertThat(failed.path("resources").get(0).path("namespace").asText()).isEqualTo("shop");
            assertThat(after.path("metadata").path("labels").path("app.kubernetes.io/managed-by").asText()).isEqualTo("custody");

            JsonNode stored = JSON.readTree(CliResult.run("query", "reports", "--verdict", "fail", "-o", "json", "--store", served.toString()).out());
            assertThat(stored.path("reports").findValuesAsText("trigger")).contains("policy");
            assertThat(stored.path("reports").toString()).contains("REGISTRY_NOT_ALLOWED");
            assertThat(stored.path("reports").findValuesAsText("cluster")).containsOnly("alpha");
            String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("custody_reevaluation_runs_total{trigger=\"policy\"} 1.0");
            assertThat(metrics).containsPattern("custody_reevaluation_workloads\\{verdict=\"fail\"} [1-9]");
        } finally {
            serve.destroy();
            serve.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * The incident path end to end: five workloads in three namespaces run a digest; an incident is opened and
     * blocked; two serve replicas deny a new pod of it within 5 s (the API server's own pod create is refused too);
     * one workload is quarantined with a real NetworkPolicy; the pods are replaced by a fixed digest; the burn-down
     * reaches zero and the incident closes on its own; the timeline holds each step and the alert webhook heard
     * opened, blocked and closed once each although both replicas track.
     */
    @Test
    @Order(9)
    @SuppressWarnings("unchecked")
    void anIncidentIsBlockedOnTwoReplicasTrackedToZeroAndClosed() throws Exception {
        String bad = push("shop/pay", "v1", "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":{\"build\":\"pay-1\"}}}");
        String fixed = push("shop/pay", "v2", "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":{\"build\":\"pay-2\"}}}");
        Map<String, String> teams = Map.of("inc-a", "payments", "inc-b", "storefront", "inc-c", "search");
        teams.forEach((ns, team) -> alpha.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).addToLabels("team", team)
                .addToLabels("custody.dev/incident-e2e", "on").endMetadata().build()).create());
        List<String[]> workloads = List.of(new String[] {"inc-a", "pay"}, new String[] {"inc-a", "pay-worker"}, new String[] {"inc-b", "pay"},
                new String[] {"inc-b", "checkout"}, new String[] {"inc-c", "indexer"});
        Map<String, OwnerReference> owners = new java.util.HashMap<>();
        for (String[] w : workloads) {
            owners.put(w[0] + "/" + w[1], replicaSet(w[0], w[1], registry + "/shop/pay:v1"));
            running(alpha, pod(w[0], w[1] + "-5f7c-aaaaa", owners.get(w[0] + "/" + w[1]), "app", registry + "/shop/pay:v1", "node-1"),
                    List.of(status("app", registry + "/shop/pay@" + bad)), List.of());
        }

        List<String> alerts = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer hook = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/alerts", ex -> {
            alerts.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(202, -1);
            ex.close();
        });
        hook.start();
        Path policy = work.resolve("incident-policy.yaml");
        Files.writeString(policy, "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: dev}\nspec: {tier: dev}\n");
        String store = work.resolve("incident.db").toString();
        String notify = "http://127.0.0.1:" + hook.getAddress().getPort() + "/alerts";
        Path logA = work.resolve("serve-incident-a.log");
        Path logB = work.resolve("serve-incident-b.log");
        Process a = replica("a", logA, "--policy", policy.toString(), "--kubeconfig", kubeconfig.toString(), "--collect", "--store", store,
                "--incident-interval", "1s", "--notify-url", notify);
        Process b = replica("b", logB, "--policy", policy.toString(), "--store", store, "--incident-interval", "1s", "--notify-url", notify);
        String webhook = "custody-incident-e2e";
        try {
            String baseA = baseUrl(logA);
            String baseB = baseUrl(logB);
            var httpA = java.net.http.HttpClient.newBuilder().sslContext(dev.custody.server.TlsMaterial.trusting(work.resolve("tls-a/ca.crt"))).build();
            var httpB = java.net.http.HttpClient.newBuilder().sslContext(dev.custody.server.TlsMaterial.trusting(work.resolve("tls-b/ca.crt"))).build();
            long until = System.currentTimeMillis() + 30_000;
            while (names(podsIn(store, bad)).size() < 5) {
                assertThat(System.currentTimeMillis()).as("the collector recorded the five pods: " + Files.readString(logA)).isLessThan(until);
                Thread.sleep(200);
            }

            CliResult opened = CliResult.run("incident", "open", "--digest", bad, "--title", "pay v1 built on a compromised runner", "--severity",
                    "critical", "--owner", "sec-oncall", "--store", store);
            assertThat(opened.code()).as(opened.err()).isZero();
            String id = opened.out().strip();
            assertThat(id).matches("INC-\\d{8}-[0-9a-f]{6}");
            JsonNode shown = show(store, id);
            JsonNode radius = shown.path("blastRadius");
            assertThat(radius.path("counts").path("pods").asInt()).isEqualTo(5);
            assertThat(radius.path("counts").path("workloads").asInt()).isEqualTo(5);
            assertThat(radius.path("counts").path("namespaces").asInt()).isEqualTo(3);
            assertThat(radius.path("clusters").findValuesAsText("cluster")).containsExactly("alpha");
            assertThat(radius.path("teams").toString()).isEqualTo("[\"payments\",\"search\",\"storefront\"]");
            assertThat(shown.path("state").asText()).isEqualTo("open");
            assertThat(shown.path("target").path("value").asText()).isEqualTo(bad);

            // block: both replicas deny a new pod of the digest within 5 s of the block
            String template = Files.readString(CheckCommandTest.ROOT.resolve("bench/load/pod-review.json"))
                    .replace("sha256:" + "9f".repeat(32), bad).replace("\"namespace\": \"shop\"", "\"namespace\": \"inc-a\"");
            long blockedAt = System.nanoTime();
            CliResult blocked = CliResult.run("incident", "block", id, "--store", store);
            assertThat(blocked.code()).as(blocked.err()).isZero();
            for (var replica : List.of(Map.entry(baseA, httpA), Map.entry(baseB, httpB))) {
                JsonNode r = null;
                int k = 0;
                while (System.nanoTime() < blockedAt + TimeUnit.SECONDS.toNanos(5)) {
                    r = review(replica.getValue(), replica.getKey(), template, id + "-" + k++);
                    if (!r.path("allowed").asBoolean()) {
                        break;
                    }
                    Thread.sleep(50);
                }
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - blockedAt);
                System.out.printf("incident %s: replica %s denied a new pod of the digest %d ms after the block%n", id, replica.getKey(), ms);
                assertThat(r.path("allowed").asBoolean()).as("denied within 5 s of the block").isFalse();
                assertThat(r.path("status").path("message").asText()).contains("DENYLISTED").contains("incident " + id);
            }
            // and the API server itself refuses the pod, through replica b registered as its webhook
            String ca = Files.readString(work.resolve("tls-b/ca.crt"));
            alpha.admissionRegistration().v1().validatingWebhookConfigurations().resource(
                    new io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder().withNewMetadata()
                            .withName(webhook).endMetadata().addNewWebhook().withName("incident-e2e.custody.dev").withNewClientConfig()
                            .withUrl(baseB + "/validate").withCaBundle(java.util.Base64.getEncoder().encodeToString(ca.getBytes(StandardCharsets.UTF_8)))
                            .endClientConfig().addNewRule().withApiGroups("").withApiVersions("v1").withOperations("CREATE").withResources("pods")
                            .endRule().withNewNamespaceSelector().addToMatchLabels("custody.dev/incident-e2e", "on").endNamespaceSelector()
                            .withAdmissionReviewVersions("v1").withSideEffects("None").withFailurePolicy("Fail").withTimeoutSeconds(10).endWebhook()
                            .build()).create();
            String refusal = null;
            until = System.currentTimeMillis() + 30_000;
            while (refusal == null && System.currentTimeMillis() < until) { // the configuration takes effect asynchronously
                try {
                    alpha.pods().inNamespace("inc-a").resource(pod("inc-a", "pay-5f7c-zzzzz", owners.get("inc-a/pay"), "app",
                            registry + "/shop/pay@" + bad, "node-1")).dryRun().create();
                    Thread.sleep(250);
                } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                    refusal = e.getMessage();
                }
            }
            assertThat(refusal).as("the API server refused the pod").isNotNull().contains("DENYLISTED").contains(id);
            alpha.pods().inNamespace("inc-a").resource(pod("inc-a", "pay-fixed-probe", owners.get("inc-a/pay"), "app", registry + "/shop/pay@" + fixed,
                    "node-1")).dryRun().create(); // the fixed digest is admitted
            // the gauges show the tracker's last pass (every second here), so wait for a pass after the open
            String metrics = "";
            until = System.currentTimeMillis() + 15_000;
            while (System.currentTimeMillis() < until) {
                metrics = httpA.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(baseA + "/metrics")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                if (metrics.contains("custody_incidents_open 1.0")) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(metrics).as(Files.readString(logA)).contains("custody_incidents_open 1.0")
                    .contains("custody_incident_running_pods{incident=\"" + id + "\"} 5.0");

            // quarantine one workload: a real NetworkPolicy and the label on its pod
            CliResult q = CliResult.run("incident", "action", id, "--workload", "inc-c/Deployment/indexer", "--action", "quarantine", "--apply",
                    "--kubeconfig", kubeconfig.toString(), "--out", work.resolve("quarantine.yaml").toString(), "--note", "isolate until replaced",
                    "--store", store);
            assertThat(q.code()).as(q.err()).isZero();
            var np = alpha.network().v1().networkPolicies().inNamespace("inc-c").withName("custody-quarantine-" + id.toLowerCase()).get();
            assertThat(np).as("NetworkPolicy applied").isNotNull();
            assertThat(np.getSpec().getPodSelector().getMatchLabels()).containsEntry("custody.dev/quarantine", id);
            assertThat(np.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
            assertThat(np.getSpec().getIngress()).isNullOrEmpty();
            assertThat(alpha.pods().inNamespace("inc-c").withName("indexer-5f7c-aaaaa").get().getMetadata().getLabels())
                    .containsEntry("custody.dev/quarantine", id);

            // patch forward: each pod is replaced by one of the fixed digest; the burn-down follows
            for (int k = 0; k < workloads.size(); k++) {
                String[] w = workloads.get(k);
                alpha.pods().inNamespace(w[0]).withName(w[1] + "-5f7c-aaaaa").withGracePeriod(0).delete();
                running(alpha, pod(w[0], w[1] + "-8d2e-bbbbb", owners.get(w[0] + "/" + w[1]), "app", registry + "/shop/pay@" + fixed, "node-2"),
                        List.of(status("app", registry + "/shop/pay@" + fixed)), List.of());
                CliResult act = CliResult.run("incident", "action", id, "--workload", w[0] + "/Deployment/" + w[1], "--action", "patch-forward",
                        "--note", "rolled to v2", "--store", store);
                assertThat(act.code()).as(act.err()).isZero();
                if (k == workloads.size() - 2) {
                    until = System.currentTimeMillis() + 30_000;
                    JsonNode mid = show(store, id);
                    while (mid.path("blastRadius").path("counts").path("pods").asInt() != 1) {
                        assertThat(System.currentTimeMillis()).as("one pod left: " + mid.path("blastRadius")).isLessThan(until);
                        Thread.sleep(200);
                        mid = show(store, id);
                    }
                    assertThat(mid.path("blastRadius").path("fixedImages").findValuesAsText("digest")).contains(fixed);
                }
            }
            until = System.currentTimeMillis() + 30_000;
            JsonNode closed = show(store, id);
            while (!closed.path("state").asText().equals("closed")) {
                assertThat(System.currentTimeMillis()).as("closed once nothing runs it: " + closed.path("burndown")).isLessThan(until);
                Thread.sleep(200);
                closed = show(store, id);
            }
            assertThat(closed.path("resolution").asText()).isEqualTo("no-longer-running");
            List<Integer> burndown = new ArrayList<>();
            closed.path("burndown").forEach(p -> burndown.add(p.path("running").asInt()));
            assertThat(burndown.getFirst()).isEqualTo(5);
            assertThat(burndown.getLast()).isZero();
            assertThat(burndown).isSortedAccordingTo(java.util.Comparator.reverseOrder());
            List<String> events = closed.path("timeline").findValuesAsText("event");
            assertThat(events.getFirst()).isEqualTo("opened");
            assertThat(events.getLast()).isEqualTo("closed");
            assertThat(events).contains("blocked", "running");
            assertThat(events.stream().filter(e -> e.equals("action")).count()).isEqualTo(6);
            JsonNode summary = closed.path("summary");
            assertThat(summary.path("timeToBlockSeconds").isNumber()).isTrue();
            assertThat(summary.path("timeToZeroSeconds").asDouble()).isPositive();
            assertThat(summary.path("peakRunning").asInt()).isEqualTo(5);
            System.out.printf("incident %s: blocked %.1f s after opening, zero %.1f s after opening%n", id, summary.path("timeToBlockSeconds").asDouble(),
                    summary.path("timeToZeroSeconds").asDouble());

            until = System.currentTimeMillis() + 20_000;
            while (alerts.size() < 3 && System.currentTimeMillis() < until) {
                Thread.sleep(200);
            }
            Thread.sleep(1_500); // a duplicate would arrive within a tick
            assertThat(alerts).extracting(x -> tree(x).path("type").asText())
                    .containsExactlyInAnyOrder("custody.incident.opened", "custody.incident.blocked", "custody.incident.closed");
            assertThat(alerts).allSatisfy(x -> assertThat(tree(x).path("incident").path("id").asText()).isEqualTo(id));
        } finally {
            alpha.admissionRegistration().v1().validatingWebhookConfigurations().withName(webhook).delete();
            for (Process p : List.of(a, b)) {
                p.destroy();
                p.waitFor(30, TimeUnit.SECONDS);
            }
            hook.stop(0);
        }
    }

    OwnerReference replicaSet(String ns, String name, String image) {
        Deployment d = alpha.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", name).endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", name).endMetadata().withNewSpec().addNewContainer().withName("app").withImage(image).endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        ReplicaSet rs = alpha.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder().withNewMetadata().withName(name + "-5f7c")
                .withOwnerReferences(owner(d.getApiVersion(), "Deployment", name, d.getMetadata().getUid())).endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", name).endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", name).endMetadata().withNewSpec().addNewContainer().withName("app").withImage(image).endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        return owner("apps/v1", "ReplicaSet", rs.getMetadata().getName(), rs.getMetadata().getUid());
    }

    Process replica(String name, Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "serve", "--self-signed", "--tls-dir", work.resolve("tls-" + name).toString(),
                "--port", "0", "--denylist-copy", work.resolve("denylist-" + name + ".json").toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static JsonNode podsIn(String store, String digest) throws Exception {
        CliResult r = CliResult.run("query", "pods", "--digest", digest, "-o", "json", "--store", store);
        assertThat(r.code()).as(r.err()).isZero();
        return JSON.readTree(r.out()).path("pods");
    }

    static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    static JsonNode show(String store, String id) throws Exception {
        CliResult r = CliResult.run("incident", "show", id, "-o", "json", "--store", store);
        assertThat(r.code()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }

    static JsonNode review(java.net.http.HttpClient http, String base, String template, String uid) throws Exception {
        var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/validate")).timeout(Duration.ofSeconds(10))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(template.replace("705ab4f5-6393-11e8-b7cc-42010a800002", uid))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body()).path("response");
    }

    JsonNode awaitReport(io.fabric8.kubernetes.client.dsl.MixedOperation<io.fabric8.kubernetes.api.model.GenericKubernetesResource,
            io.fabric8.kubernetes.api.model.GenericKubernetesResourceList, ?> reports, Predicate<JsonNode> ok, Path log) throws Exception {
        long until = System.currentTimeMillis() + 30_000;
        JsonNode last = null;
        while (System.currentTimeMillis() < until) {
            var r = reports.inNamespace("shop").withName("custody").get();
            if (r != null) {
                last = JSON.valueToTree(r);
                if (ok.test(last)) {
                    return last;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("PolicyReport shop/custody never matched; last " + last + "\n" + Files.readString(log));
    }

    Process serve(Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "serve", "--self-signed", "--tls-dir", work.resolve("tls").toString(),
                "--port", "0"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static String baseUrl(Path log) throws Exception {
        long until = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < until) {
            var m = java.util.regex.Pattern.compile("custody serve: (https://127\\.0\\.0\\.1:\\d+)/validate").matcher(Files.readString(log));
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("serve did not start: " + Files.readString(log));
    }

    /**
     * {@code custody serve --collect}: the webhook process keeps the inventory too. Its API server is killed with SIGKILL
     * and started again: /readyz and /metrics say the cluster is unreachable meanwhile (admission readiness does not
     * depend on it), and once the API server is back the collector records what changed.
     */
    @Test
    @Order(10) // last: it restarts alpha's API server outside start.sh
    void serveCollectsAndReportsAnApiServerOutageItSurvives() throws Exception {
        Path policy = work.resolve("serve-policy.yaml");
        Files.writeString(policy, "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: dev}\nspec: {tier: dev}\n");
        Path served = work.resolve("served.db");
        Path log = work.resolve("serve.log");
        Process serve = serve(log, "--policy", policy.toString(), "--kubeconfig", kubeconfig.toString(), "--collect", "--store", served.toString());
        java.net.http.HttpClient http = null;
        try {
            String base = baseUrl(log);
            http = java.net.http.HttpClient.newBuilder().sslContext(dev.custody.server.TlsMaterial.trusting(work.resolve("tls/ca.crt"))).build();
            String readyz = base + "/readyz";
            JsonNode ready = await(http, readyz, r -> r.path("collectors").path(0).path("state").asText().equals("watching"), log);
            assertThat(ready.path("collectors").get(0).path("cluster").asText()).isEqualTo("alpha");
            JsonNode recorded = JSON.readTree(CliResult.run("query", "pods", "--digest", v1Digest, "-o", "json", "--store", served.toString()).out());
            assertThat(names(recorded.path("pods"))).contains("alpha/shop/api-6d4f-eeeee/app").doesNotContain("beta/edge/probe/app");

            // the API server dies
            long apiPid = Files.readAllLines(alphaDir.resolve("pids")).stream().filter(l -> l.startsWith("kube-apiserver ")).map(l -> l.split(" ")[1])
                    .mapToLong(Long::parseLong).findFirst().orElseThrow();
            List<String> apiCmd = List.of(Files.readString(Path.of("/proc/" + apiPid + "/cmdline")).split("\u0000"));
            ProcessHandle.of(apiPid).orElseThrow().destroyForcibly();
            JsonNode down = await(http, readyz, r -> r.path("collectors").path(0).path("state").asText().equals("unreachable"), log);
            assertThat(down.path("collectors").get(0).path("message").asText()).isNotEmpty();
            assertThat(down.path("ready").asBoolean()).as("admission readiness does not hang on the collector").isTrue();
            String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("custody_collector_watching{cluster=\"alpha\"} 0.0");
            assertThat(serve.isAlive()).isTrue();

            // and comes back on the same port and etcd: the watch resumes, and a new pod is recorded
            restartedApi = new ProcessBuilder(apiCmd).redirectErrorStream(true).redirectOutput(work.resolve("kube-apiserver-2.log").toFile()).start();
            await(http, readyz, r -> r.path("collectors").path(0).path("state").asText().equals("watching"), log);
            running(alpha, pod("shop", "after-outage", null, "app", registry + "/shop/api@" + v1Digest, "node-1"),
                    List.of(status("app", registry + "/shop/api@" + v1Digest)), List.of());
            long until = System.currentTimeMillis() + 30_000;
            List<String> now = List.of();
            while (System.currentTimeMillis() < until && !now.contains("alpha/shop/after-outage/app")) {
                now = names(JSON.readTree(CliResult.run("query", "pods", "--digest", v1Digest, "-o", "json", "--store", served.toString()).out())
                        .path("pods"));
                Thread.sleep(200);
            }
            assertThat(now).as(Files.readString(log)).contains("alpha/shop/after-outage/app");
            assertThat(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body()).contains("custody_collector_watching{cluster=\"alpha\"} 1.0");
        } finally {
            serve.destroy();
            serve.waitFor(30, TimeUnit.SECONDS);
        }
    }

    Process restartedApi;

    JsonNode await(java.net.http.HttpClient http, String url, Predicate<JsonNode> ok, Path log) throws Exception {
        long until = System.currentTimeMillis() + 60_000;
        JsonNode last = null;
        while (System.currentTimeMillis() < until) {
            try {
                last = JSON.readTree(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body());
                if (ok.test(last)) {
                    return last;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError(url + " never matched; last " + last + "\n" + Files.readString(log));
    }

    // ---------------------------------------------------------------- helpers

    Process collector() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "collect", "--kubeconfig", kubeconfig.toString(), "--context", "alpha", "--store", db.toString(),
                "--listen", "127.0.0.1:0");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("collector.log").toFile()).start();
    }

    void awaitPods(String digest, Predicate<List<String>> ok, String what) throws Exception {
        long until = System.currentTimeMillis() + 30_000;
        List<String> seen = List.of();
        while (System.currentTimeMillis() < until) {
            seen = names(pods(digest, false));
            if (ok.test(seen)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(what + ": the store holds " + seen + "; collector log:\n" + Files.readString(work.resolve("collector.log")));
    }

    JsonNode pods(String digest, boolean history) throws Exception {
        List<String> args = new ArrayList<>(List.of("query", "pods", "--digest", digest, "-o", "json", "--store", db.toString()));
        if (history) {
            args.add("--history");
        }
        CliResult r = CliResult.run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        return JSON.readTree(r.out()).path("pods");
    }

    static List<String> names(JsonNode rows) {
        List<String> out = new ArrayList<>();
        rows.forEach(r -> out.add(r.path("cluster").asText() + "/" + r.path("namespace").asText() + "/" + r.path("pod").asText() + "/"
                + r.path("container").asText()));
        return out;
    }

    static OwnerReference owner(String apiVersion, String kind, String name, String uid) {
        return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind).withName(name).withUid(uid).withController(true).build();
    }

    static Pod pod(String ns, String name, OwnerReference owner, String container, String image, String node) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata();
        if (owner != null) {
            b.editMetadata().withOwnerReferences(owner).endMetadata();
        }
        return b.withNewSpec().withNodeName(node).withServiceAccountName(name.startsWith("api-") ? "api-sa" : "default")
                .addNewContainer().withName(container).withImage(image).endContainer().endSpec().build();
    }

    static ContainerStatus status(String name, String imageId) {
        return new ContainerStatusBuilder().withName(name).withImage("ignored").withImageID(imageId).withReady(true).withRestartCount(0)
                .withNewState().withNewRunning().withStartedAt("2026-12-01T10:00:05Z").endRunning().endState().build();
    }

    /** Creates the pod, then writes its status as a kubelet would. */
    static void running(KubernetesClient c, Pod pod, List<ContainerStatus> containers, List<ContainerStatus> init) {
        Pod created = c.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
        created.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").withStartTime("2026-12-01T10:00:00Z")
                .withContainerStatuses(containers).withInitContainerStatuses(init).build());
        c.pods().inNamespace(pod.getMetadata().getNamespace()).resource(created).updateStatus();
    }

    String push(String repository, String tag, String config) {
        return push(registry, repository, tag, config);
    }

    /** Pushes an image of no layers with this config to a registry on loopback; returns its manifest digest. */
    static String push(String registry, String repository, String tag, String config) {
        try (RegistryClient client = RegistryClient.builder().build()) {
            Repository repo = new Repository(registry, repository);
            Descriptor cfg = client.pushBlob(repo, config.getBytes(StandardCharsets.UTF_8), "application/vnd.oci.image.config.v1+json",
                    Call.within(Duration.ofSeconds(20)));
            String manifest = """
                    {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                    "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[]}"""
                    .formatted(cfg.digest(), cfg.size());
            Digest d = client.pushManifest(repo, tag, "application/vnd.oci.image.manifest.v1+json", manifest.getBytes(StandardCharsets.UTF_8),
                    Call.within(Duration.ofSeconds(20)));
            return d.toString();
        }
    }

    KubernetesClient client(String context) throws Exception {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(context, Files.readString(kubeconfig), kubeconfig.toString())).build();
    }

    /** One kubeconfig with a context per control plane, each renamed after its key. */
    static String merged(Map<String, Path> configs) throws Exception {
        ObjectNode out = YAML.createObjectNode();
        out.put("apiVersion", "v1").put("kind", "Config");
        ArrayNode clusters = out.putArray("clusters");
        ArrayNode users = out.putArray("users");
        ArrayNode contexts = out.putArray("contexts");
        for (String name : configs.keySet().stream().sorted().toList()) {
            JsonNode c = YAML.readTree(configs.get(name).toFile());
            clusters.add(((ObjectNode) c.path("clusters").get(0).deepCopy()).put("name", name));
            users.add(((ObjectNode) c.path("users").get(0).deepCopy()).put("name", name + "-admin"));
            ObjectNode ctx = YAML.createObjectNode().put("name", name);
            ctx.putObject("context").put("cluster", name).put("user", name + "-admin");
            contexts.add(ctx);
        }
        out.put("current-context", "alpha");
        return YAML.writeValueAsString(out);
    }
}
