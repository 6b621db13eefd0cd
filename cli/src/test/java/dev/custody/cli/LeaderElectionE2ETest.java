package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.server.TlsMaterial;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two {@code custody serve --collect --leader-elect} replicas against a real kube-apiserver: exactly one holds the
 * cluster's Lease and keeps the inventory while the other stands by; when the holder is killed with SIGKILL, the other
 * takes the Lease within its duration and records the pods created since; a replica stopped gracefully releases the
 * Lease at once. The takeover time is printed.
 */
class LeaderElectionE2ETest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String LEASE_DURATION = "8s";
    static final String RUNS = "sha256:" + "4".repeat(64);

    private record Replica(String name, Process process, Path log, Path tls) {}

    @Test
    void oneReplicaCollectsAtATimeAndAnotherTakesOverWhenItIsKilled() throws Exception {
        String bin = System.getenv("CUSTODY_KUBE_BIN");
        assumeTrue(bin != null && Files.isExecutable(Path.of(bin, "kube-apiserver")),
                "CUSTODY_KUBE_BIN is not set; scripts/test.sh builds kube-apiserver, etcd and kubectl and sets it");
        Path work = Files.createTempDirectory("custody-lease-");
        Path plane = work.resolve("plane");
        var started = KubeApiServerE2ETest.run(List.of("bash", CheckCommandTest.ROOT.resolve("scripts/kube/start.sh").toString(), plane.toString()),
                null, 180);
        assertThat(started.exit()).as("start.sh: " + started.err()).isZero();
        Path kubeconfig = plane.resolve("kubeconfig");
        List<Replica> replicas = new ArrayList<>();
        try (KubernetesClient kube = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build()) {
            Path policy = work.resolve("policy.yaml");
            Files.writeString(policy, "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: dev}\nspec: {tier: dev}\n");
            String store = work.resolve("inventory.db").toString();
            for (String name : List.of("a", "b")) {
                replicas.add(replica(work, name, "--policy", policy.toString(), "--kubeconfig", kubeconfig.toString(), "--collect", "--leader-elect",
                        "--lease-namespace", "default", "--lease-duration", LEASE_DURATION, "--store", store));
            }
            InventoryE2ETest.running(kube, InventoryE2ETest.pod("default", "before-1", null, "app", "registry.example/shop/app:v1", "node-1"),
                    List.of(InventoryE2ETest.status("app", "registry.example/shop/app@" + RUNS)), List.of());

            // one leads, one stands by
            Replica leader = null;
            long until = System.currentTimeMillis() + 60_000;
            while (leader == null) {
                assertThat(System.currentTimeMillis()).as("a replica took the Lease").isLessThan(until);
                for (Replica r : replicas) {
                    if (state(r).equals("watching")) {
                        leader = r;
                    }
                }
                Thread.sleep(200);
            }
            Replica standby = replicas.get(0) == leader ? replicas.get(1) : replicas.get(0);
            assertThat(state(standby)).isEqualTo("standby");
            assertThat(collector(standby).path("message").asText()).contains("default/custody-collector held by");
            Lease lease = kube.leases().inNamespace("default").withName(Collectors.LEASE).get();
            assertThat(lease.getSpec().getHolderIdentity()).isNotBlank();
            await(() -> InventoryE2ETest.names(InventoryE2ETest.podsIn(store, RUNS)).contains("custody/default/before-1/app"), "the leader recorded the pod");

            // the leader dies without releasing: the standby takes over once the Lease expires
            String oldHolder = lease.getSpec().getHolderIdentity();
            leader.process().destroyForcibly();
            leader.process().waitFor(30, TimeUnit.SECONDS);
            long killed = System.nanoTime();
            until = System.currentTimeMillis() + 30_000;
            while (!state(standby).equals("watching")) {
                assertThat(System.currentTimeMillis()).as("the standby took over: " + Files.readString(standby.log())).isLessThan(until);
                Thread.sleep(100);
            }
            long takeover = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            String newHolder = kube.leases().inNamespace("default").withName(Collectors.LEASE).get().getSpec().getHolderIdentity();
            System.out.printf("leader election: the standby took the Lease %d ms after the leader was killed (lease duration %s); holder %s -> %s%n",
                    takeover, LEASE_DURATION, oldHolder, newHolder);
            assertThat(newHolder).isNotEqualTo(oldHolder);
            assertThat(takeover).as("takeover within the lease duration and two retries").isLessThan(8000 + 2 * 1200 + 2000);
            InventoryE2ETest.running(kube, InventoryE2ETest.pod("default", "after-1", null, "app", "registry.example/shop/app:v1", "node-1"),
                    List.of(InventoryE2ETest.status("app", "registry.example/shop/app@" + RUNS)), List.of());
            await(() -> InventoryE2ETest.names(InventoryE2ETest.podsIn(store, RUNS)).contains("custody/default/after-1/app"), "the new leader recorded the new pod");

            // a graceful stop releases the Lease: a third replica takes over well before the Lease would have expired
            Replica third = replica(work, "c", "--policy", policy.toString(), "--kubeconfig", kubeconfig.toString(), "--collect", "--leader-elect",
                    "--lease-namespace", "default", "--lease-duration", "3s", "--store", store); // it tries every 430 ms
            replicas.add(third);
            assertThat(state(third)).isEqualTo("standby");
            standby.process().destroy();
            long stopping = System.nanoTime();
            assertThat(standby.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            until = System.currentTimeMillis() + 30_000;
            while (!state(third).equals("watching")) {
                assertThat(System.currentTimeMillis()).as("the third replica took over: " + Files.readString(third.log())).isLessThan(until);
                Thread.sleep(100);
            }
            long handover = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping);
            System.out.printf("leader election: after a graceful stop of the leader, a standby took the Lease in %d ms (the leader's lease duration %s)%n",
                    handover, LEASE_DURATION);
            assertThat(handover).as("released, not left to expire").isLessThan(4000);
        } finally {
            for (Replica r : replicas) {
                r.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            KubeApiServerE2ETest.run(List.of("bash", CheckCommandTest.ROOT.resolve("scripts/kube/stop.sh").toString(), plane.toString()), null, 60);
        }
    }

    private static Replica replica(Path work, String name, String... args) throws Exception {
        Path tls = work.resolve("tls-" + name);
        Path log = work.resolve("serve-" + name + ".log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "serve", "--self-signed", "--tls-dir", tls.toString(),
                "--port", "0", "--denylist-copy", work.resolve("denylist-" + name + ".json").toString(), "--spool-dir",
                work.resolve("spool-" + name).toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Replica r = new Replica(name, p, log, tls);
        InventoryE2ETest.baseUrl(log);
        return r;
    }

    private static JsonNode collector(Replica r) throws Exception {
        String base = InventoryE2ETest.baseUrl(r.log());
        HttpClient http = HttpClient.newBuilder().sslContext(TlsMaterial.trusting(r.tls().resolve("ca.crt"))).build();
        String body = http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).timeout(java.time.Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return JSON.readTree(body).path("collectors").path(0);
    }

    private static String state(Replica r) {
        try {
            return collector(r).path("state").asText();
        } catch (Exception e) {
            return "unreachable";
        }
    }

    private static void await(java.util.concurrent.Callable<Boolean> done, String what) throws Exception {
        long until = System.currentTimeMillis() + 30_000;
        while (!done.call()) {
            assertThat(System.currentTimeMillis()).as(what).isLessThan(until);
            Thread.sleep(200);
        }
    }
}
