package dev.custody.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.custody.store.Denylist;
import dev.custody.store.Incidents;
import dev.custody.store.RuntimeInventory;
import dev.custody.store.Store;
import dev.custody.store.StoreTest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Incidents over a real store (SQLite and PostgreSQL): blast radius, blocking, burn-down to zero, closing, alerts. */
class IncidentTrackerTest {

    static final String BAD = "sha256:" + "b".repeat(64);
    static final String FIXED = "sha256:" + "f".repeat(64);

    static RuntimeInventory.PodObservation pod(String ns, String uid, String workload, String image, String digest) {
        String object = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + uid + "\",\"namespace\":\"" + ns + "\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"" + image + "\"}]}}";
        return new RuntimeInventory.PodObservation("east", uid, ns, workload + "-" + uid, new RuntimeInventory.WorkloadRef("Deployment", workload),
                "Deployment/" + workload, "node-1", "default", "Running", 1_000L, object, List.of(new RuntimeInventory.ContainerObservation("app",
                "containers", image, null, "r.example/shop/api@" + digest, digest, true, 0, 1_000L, null)));
    }

    static void sbom(Store store, String digest, String purl) {
        var components = List.of(new dev.custody.sbom.Component("c1", purl, "library", "x", "1", List.of(), Map.of(), null));
        var sbom = new dev.custody.sbom.Sbom(dev.custody.sbom.SbomFormat.CYCLONEDX_JSON, "1.5", "urn:uuid:" + digest, "api", List.of(), components,
                List.of(), "sha256:" + digest.substring(7, 20) + "0".repeat(51), new dev.custody.sbom.Quality(1, 1, 1, 1, 0, false, 0, List.of(), 80));
        new dev.custody.store.SbomStore(store).ingest(sbom, digest.getBytes(StandardCharsets.UTF_8), List.of(digest), "test");
    }

    @StoreTest
    @SuppressWarnings("unchecked")
    void aBlockedDigestIncidentBurnsDownToZeroAndClosesWithEveryStepOnItsTimeline(Store store) {
        RuntimeInventory inventory = new RuntimeInventory(store);
        inventory.namespaces("east", Map.of("shop", Map.of("team", "payments"), "web", Map.of("custody.dev/team", "storefront")), true, 500);
        inventory.replaceAll("east", List.of(pod("shop", "u1", "api", "r.example/shop/api:1", BAD), pod("shop", "u2", "api", "r.example/shop/api:1", BAD),
                pod("web", "u3", "front", "r.example/shop/api:1", BAD), pod("web", "u4", "other", "r.example/other:1", FIXED)), 1_000);
        try (IncidentTracker t = new IncidentTracker(store)) {
            Incidents.Incident i = t.open(Incidents.TargetKind.DIGEST, BAD, List.of(), "api image tampered", "critical", "sec", "alice", 2_000);
            assertThat(i.id()).matches("INC-\\d{8}-[0-9a-f]{6}");
            assertThat(i.running()).isEqualTo(3);

            Map<String, Object> radius = t.blastRadius(i);
            assertThat((Map<String, Integer>) radius.get("counts")).containsEntry("pods", 3).containsEntry("workloads", 2)
                    .containsEntry("namespaces", 2).containsEntry("clusters", 1).containsEntry("teams", 2);
            assertThat((List<String>) radius.get("teams")).containsExactly("payments", "storefront");
            assertThat((List<Map<String, Object>>) radius.get("workloads")).extracting(w -> w.get("name") + ":" + w.get("pods") + ":" + w.get("team"))
                    .containsExactly("api:2:payments", "front:1:storefront");

            List<Denylist.Entry> entries = t.block(i, null, "alice", 3_000);
            assertThat(entries).singleElement().satisfies(e -> {
                assertThat(e.value()).isEqualTo(BAD);
                assertThat(e.incident()).isEqualTo(i.id());
                assertThat(e.reason()).isEqualTo("api image tampered");
            });
            assertThat(t.blocked(i, System.currentTimeMillis())).isTrue();

            t.tick(4_000); // nothing changed: no new point
            assertThat(t.incidents().points(i.id())).hasSize(1);

            // patch forward: two pods now run the fixed digest of the same repository
            inventory.replaceAll("east", List.of(pod("shop", "u5", "api", "r.example/shop/api:2", FIXED), pod("web", "u3", "front", "r.example/shop/api:1",
                    BAD)), 5_000);
            assertThat((List<Map<String, Object>>) t.blastRadius(i).get("fixedImages")).extracting(m -> m.get("digest")).containsExactly(FIXED);
            t.tick(6_000);
            assertThat(t.incidents().get(i.id()).state()).isEqualTo("open");
            inventory.replaceAll("east", List.of(pod("shop", "u5", "api", "r.example/shop/api:2", FIXED)), 7_000);
            t.tick(8_000);

            Incidents.Incident closed = t.incidents().get(i.id());
            assertThat(closed.state()).isEqualTo("closed");
            assertThat(closed.resolution()).isEqualTo("no-longer-running");
            assertThat(t.incidents().points(i.id())).extracting(Incidents.Point::running).containsExactly(3, 1, 0);
            Map<String, Object> view = t.view(closed);
            assertThat((List<Map<String, Object>>) view.get("timeline")).extracting(e -> e.get("event"))
                    .containsExactly("opened", "running", "blocked", "running", "running", "closed");
            Map<String, Object> summary = (Map<String, Object>) view.get("summary");
            assertThat(summary.get("timeToBlockSeconds")).isEqualTo(1.0);
            assertThat(summary.get("timeToZeroSeconds")).isEqualTo(6.0);
            assertThat(summary.get("peakRunning")).isEqualTo(3);
            assertThat((List<Map<String, Object>>) view.get("burndown")).last().satisfies(p -> assertThat(p.get("running")).isEqualTo(0));

            t.tick(9_000); // a closed incident is left alone
            assertThat(t.incidents().points(i.id())).hasSize(3);
        }
    }

    @StoreTest
    @SuppressWarnings("unchecked")
    void aPackageIncidentFindsTheDigestsWhoseSbomListsItAndAFixedImageWhoseSbomLacksIt(Store store) {
        sbom(store, BAD, "pkg:npm/lodash@4.17.20");
        sbom(store, FIXED, "pkg:npm/lodash@4.17.21");
        RuntimeInventory inventory = new RuntimeInventory(store);
        inventory.replaceAll("east", List.of(pod("shop", "u1", "api", "r.example/shop/api:1", BAD), pod("shop", "u2", "api2", "r.example/shop/api:2",
                FIXED)), 1_000);
        try (IncidentTracker t = new IncidentTracker(store)) {
            // as a scanner prints it, percent-encoding and all
            Incidents.Incident i = t.open(Incidents.TargetKind.PACKAGE, "pkg:npm/lodash@4.17.20", List.of(), "prototype pollution", "high", null,
                    "alice", 2_000);
            assertThat(t.digests(i)).containsExactly(BAD);
            Map<String, Object> radius = t.blastRadius(i);
            assertThat((List<Map<String, Object>>) radius.get("pods")).extracting(p -> p.get("uid")).containsExactly("u1");
            assertThat((List<Map<String, Object>>) radius.get("fixedImages")).singleElement()
                    .satisfies(m -> assertThat(m.get("basis").toString()).contains("lacks pkg:npm/lodash@4.17.20"));
            assertThat(t.block(i, "GHSA-35jh-r3h4-6jhm", "alice", 3_000)).singleElement()
                    .satisfies(e -> assertThat(e.kind()).isEqualTo(Denylist.Kind.PURL));

            // quarantine of the one affected workload
            IncidentTracker.Action a = t.action(i, null, "shop", "Deployment", "api", "quarantine");
            assertThat(a.pods()).containsExactly("api-u1");
            assertThat(a.networkPolicy().at("/spec/podSelector/matchLabels/custody.dev~1quarantine").asText()).isEqualTo(i.id());
            assertThat(a.networkPolicy().at("/spec/policyTypes").toString()).isEqualTo("[\"Ingress\",\"Egress\"]");
            assertThat(a.networkPolicy().at("/spec/ingress").isMissingNode()).isTrue();
            t.recordAction(i, a, "isolate until rolled", false, "alice", 4_000);
            assertThatThrownBy(() -> t.action(i, null, "shop", "Deployment", "api", "reboot")).hasMessageContaining("restart, rollback");

            // still running: only an approver who did not open it may accept the risk
            assertThatThrownBy(() -> t.closeByHand(i, null, "bob", 5_000)).hasMessageContaining("1 pods still run it");
            assertThatThrownBy(() -> t.closeByHand(i, "compensating control", "alice", 5_000)).hasMessageContaining("other than alice");
            assertThat(t.closeByHand(i, "compensating control until Friday", "bob", 5_000)).isTrue();
            Incidents.Incident c = t.incidents().get(i.id());
            assertThat(c.resolution()).isEqualTo("accepted-risk");
            assertThat(c.closedBy()).isEqualTo("bob");
        }
    }

    @StoreTest
    void alertsAreRetriedSignedAndSentOnceByReplicasThatShareTheStore(Store store) throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        List<String> signatures = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            int n = calls.incrementAndGet();
            int status = n == 1 ? 503 : 204; // the first attempt fails
            if (status == 204) {
                bodies.add(new String(body, StandardCharsets.UTF_8));
                signatures.add(ex.getRequestHeaders().getFirst("X-Custody-Signature") + " " + hmac("s3cret", body));
            }
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        http.start();
        try (IncidentTracker a = new IncidentTracker(store); IncidentTracker b = new IncidentTracker(store)) {
            URI url = URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/hook");
            a.notifying(new IncidentNotifier(url, "s3cret".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2)));
            b.notifying(new IncidentNotifier(url, "s3cret".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2)));
            Incidents.Incident i = a.open(Incidents.TargetKind.DIGEST, BAD, List.of(), "bad", "high", null, "alice", 1_000);
            a.block(i, null, "alice", 1_100);
            long now = System.currentTimeMillis();
            a.tick(now); // nothing runs it and it is blocked: closed at once
            b.tick(now);
            a.tick(now + 1_000); // the failed first attempt is retried after its back-off
            b.tick(now + 1_000);
            a.tick(now + 2_000);
            b.tick(now + 2_000);
            assertThat(bodies).hasSize(3);
            assertThat(bodies).extracting(s -> s.replaceAll(".*\"type\":\"([^\"]+)\".*", "$1"))
                    .containsExactlyInAnyOrder("custody.incident.opened", "custody.incident.blocked", "custody.incident.closed");
            assertThat(bodies).allSatisfy(s -> assertThat(s).contains("\"id\":\"" + i.id() + "\""));
            assertThat(signatures).allSatisfy(s -> {
                String[] two = s.split(" ");
                assertThat(two[0]).isEqualTo("sha256=" + two[1]);
            });
            assertThat(calls.get()).isEqualTo(4);
            assertThat(a.incidents().dueNotifications(now + 60_000, 10)).isEmpty();
        } finally {
            http.stop(0);
        }
    }

    @StoreTest
    void anAlertThatNeverGetsThroughIsGivenUpAfterItsAttempts(Store store) {
        try (IncidentTracker t = new IncidentTracker(store)) {
            // nothing listens on port 9 of loopback
            IncidentNotifier n = new IncidentNotifier(URI.create("http://127.0.0.1:9/hook"), null, Duration.ofMillis(500));
            t.notifying(n);
            t.open(Incidents.TargetKind.DIGEST, BAD, List.of(), "bad", "high", null, "alice", 1_000);
            long now = System.currentTimeMillis();
            for (int k = 0; k < IncidentNotifier.MAX_ATTEMPTS + 2; k++) {
                t.tick(now + k * 120_000L);
            }
            assertThat(n.failed()).isEqualTo(1);
            assertThat(t.incidents().dueNotifications(Long.MAX_VALUE, 10)).isEmpty();
            assertThat(t.incidents().events(t.incidents().list(null).get(0).id())).first()
                    .satisfies(e -> assertThat(e.notifyState()).isEqualTo("failed"));
        }
    }

    @Test
    void anOsvRecordGivesTheAffectedVersionsItListsAsPackageUrls() {
        Path dir = Path.of("../../shared/corpora/osv/ghsa-maven-zeppelin");
        if (!dir.toFile().isDirectory()) {
            dir = Path.of("../shared/corpora/osv/ghsa-maven-zeppelin");
        }
        OsvAdvisory a = OsvAdvisory.read(dir.resolve("GHSA-2268-98wh-qfhf.json"));
        assertThat(a.id()).isEqualTo("GHSA-2268-98wh-qfhf");
        assertThat(a.packages()).contains("pkg:maven/org.jline/jline-parent@3.24.1", "pkg:maven/org.jline/jline-parent@3.10.0")
                .hasSize(38);
        assertThat(a.unresolved()).isZero();
        assertThatThrownBy(() -> OsvAdvisory.of(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode(), "x.json"))
                .hasMessageContaining("x.json: an OSV record is an object with an \"id\"");
    }

    static String hmac(String key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
