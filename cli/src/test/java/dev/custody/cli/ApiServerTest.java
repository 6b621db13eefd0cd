package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.api.ApiServer;
import dev.custody.api.ApiTokens;
import dev.custody.server.SelfSigned;
import dev.custody.server.TlsMaterial;
import dev.custody.store.BothStores;
import dev.custody.store.DecisionLog;
import dev.custody.store.DecisionRecord;
import dev.custody.store.Dialect;
import dev.custody.store.RuntimeInventory;
import dev.custody.store.Store;
import dev.custody.store.StoreLocation;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The evidence API over real HTTPS on loopback, with tokens of each role, on both stores. */
class ApiServerTest {

    static final Path GUAC = EvidenceCommandsTest.GUAC;
    static final String DIGEST = "sha256:" + "cd".repeat(32);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void rolesGateEachEndpointAndAnswersAreJson(Dialect dialect) throws Exception {
        StoreLocation loc = BothStores.freshLocation(dialect);
        SelfSigned.Files3 tls = SelfSigned.write(tmp.resolve("tls"), List.of("localhost"), List.of("127.0.0.1"));
        String viewer = ApiTokens.generate();
        String operator = ApiTokens.generate();
        String admin = ApiTokens.generate();
        Path tokens = tmp.resolve("tokens.yaml");
        Files.writeString(tokens, "tokens:\n"
                + "  - {name: dash, role: viewer, sha256: " + ApiTokens.sha256(viewer) + "}\n"
                + "  - {name: ci, role: operator, sha256: " + ApiTokens.sha256(operator) + "}\n"
                + "  - {name: root, role: admin, sha256: " + ApiTokens.sha256(admin) + "}\n");
        try (Store store = Store.open(loc)) {
            try (DecisionLog log = new DecisionLog(store)) {
                log.append(new DecisionRecord(System.currentTimeMillis(), "admission", "u1", "alice", "CREATE", "shop", "Pod", "api", "allowed",
                        false, "pv", List.of(new DecisionRecord.Image("api", "r.example/api@" + DIGEST, DIGEST)), List.of(), List.of()))
                        .get(10, TimeUnit.SECONDS);
            }
            // what a collector recorded: the admitted pod, and one that admission never saw, from another registry
            long podsCreated = System.currentTimeMillis() - 1_000;
            new RuntimeInventory(store).observe(List.of(running("u1", "api", "r.example/api@" + DIGEST, podsCreated),
                    running("u2", "stray", "elsewhere.example/tool@" + DIGEST, podsCreated)), podsCreated + 500);
            // a background re-evaluation under a policy that allows r.example only: the stray pod's workload fails
            dev.custody.engine.Engine allowlist = new dev.custody.engine.Engine(
                    dev.custody.evidence.InventoryViews.allowlist(new dev.custody.policy.PolicyParser(), List.of("r.example")));
            new dev.custody.evidence.Reevaluator(store, () -> allowlist, null, java.time.Duration.ZERO, java.time.Duration.ZERO,
                    java.time.Duration.ZERO).run(allowlist, "test");
            ApiServer api = new ApiServer("127.0.0.1", 0, new TlsMaterial(tls.cert(), tls.key()), ApiTokens.load(tokens), store);
            api.start();
            try {
                HttpClient client = HttpClient.newBuilder().sslContext(TlsMaterial.trusting(tls.caCert())).build();
                String base = "https://127.0.0.1:" + api.port() + "/api/v1";
                byte[] sbom = Files.readAllBytes(GUAC.resolve("alpine-cyclonedx.json"));

                assertThat(send(client, "GET", base + "/healthz", null, null).statusCode()).isEqualTo(200);
                HttpResponse<String> anon = send(client, "GET", base + "/decisions", null, null);
                assertThat(anon.statusCode()).isEqualTo(401);
                assertThat(anon.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
                assertThat(send(client, "GET", base + "/decisions", "wrong", null).statusCode()).isEqualTo(401);
                HttpResponse<String> forbidden = send(client, "POST", base + "/sboms?digest=" + DIGEST, viewer, sbom);
                assertThat(forbidden.statusCode()).isEqualTo(403);
                assertThat(JSON.readTree(forbidden.body()).path("error").asText()).contains("role viewer").contains("needs operator");

                HttpResponse<String> created = send(client, "POST", base + "/sboms?digest=" + DIGEST, operator, sbom);
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                assertThat(JSON.readTree(created.body()).path("digests").get(0).asText()).isEqualTo(DIGEST); // then the SBOM's own subject
                HttpResponse<String> invalid = send(client, "POST", base + "/sboms?digest=" + DIGEST, operator,
                        Files.readAllBytes(GUAC.resolve("invalid-cyclonedx.json")));
                assertThat(invalid.statusCode()).isEqualTo(400);
                assertThat(JSON.readTree(invalid.body()).path("error").asText()).startsWith("invalid SBOM: request body");
                // a URL that is not an IRI reference is stored and listed, unless strict=true
                byte[] npm = ("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.4\", \"version\": 1, \"components\": [{\"type\": \"library\", \"name\": \"a\","
                        + " \"purl\": \"pkg:npm/a@1.0.0\", \"externalReferences\": [{\"type\": \"vcs\", \"url\": \"git@github.com:org/a.git\"}]}]}").getBytes();
                String other = "sha256:" + "de".repeat(32);
                HttpResponse<String> strict = send(client, "POST", base + "/sboms?strict=true&digest=" + other, operator, npm);
                assertThat(strict.statusCode()).isEqualTo(400);
                assertThat(JSON.readTree(strict.body()).path("error").asText()).contains("$.components[0].externalReferences[0].url IRI_REFERENCE_INVALID");
                assertThat(send(client, "POST", base + "/sboms?strict=yes&digest=" + other, operator, null).statusCode()).isEqualTo(400);
                HttpResponse<String> tolerated = send(client, "POST", base + "/sboms?digest=" + other, operator, npm);
                assertThat(tolerated.statusCode()).as(tolerated.body()).isEqualTo(201);
                JsonNode deviation = JSON.readTree(tolerated.body()).path("quality").path("deviations").get(0);
                assertThat(deviation.path("path").asText()).isEqualTo("$.components[0].externalReferences[0].url");
                assertThat(deviation.path("reason").asText()).isEqualTo("IRI_REFERENCE_INVALID");
                assertThat(JSON.readTree(send(client, "GET", base + "/artifacts/" + other, viewer, null).body())
                        .path("sboms").get(0).path("quality").path("deviationCount").asInt()).isEqualTo(1);

                JsonNode comps = JSON.readTree(send(client, "GET", base + "/artifacts/" + DIGEST + "/components", viewer, null).body());
                assertThat(comps.path("components").size()).isGreaterThan(10);
                JsonNode artifact = JSON.readTree(send(client, "GET", base + "/artifacts/" + DIGEST, viewer, null).body());
                assertThat(artifact.path("sboms").size()).isEqualTo(1);
                assertThat(artifact.path("decisions").size()).isEqualTo(1);
                // where it runs, each pod joined to the decision that let it in and the policy version then
                assertThat(artifact.path("running").findValuesAsText("pod")).containsExactly("api", "stray");
                assertThat(artifact.path("running").get(0).path("decisionSeq").asLong()).isEqualTo(1);
                assertThat(artifact.path("running").get(0).path("policyVersion").asText()).isEqualTo("pv");
                assertThat(artifact.path("running").get(1).path("decisionSeq").isNull()).as("never admitted").isTrue();
                assertThat(send(client, "GET", base + "/artifacts/sha256:" + "0".repeat(64), viewer, null).statusCode()).isEqualTo(404);
                assertThat(send(client, "GET", base + "/artifacts/latest", viewer, null).statusCode()).isEqualTo(400);

                String name = comps.path("components").get(0).path("name").asText();
                JsonNode byName = JSON.readTree(send(client, "GET", base + "/components?name=" + name, viewer, null).body());
                assertThat(byName.path("components").get(0).path("digests").toString()).contains(DIGEST);
                // by purl, compared by parts: the stored purl, spelled with an upper-case scheme and reordered qualifiers
                String purl = null;
                for (JsonNode c : comps.path("components")) {
                    if (c.path("purl").asText("").contains("?") && c.path("purl").asText("").contains("&")) {
                        purl = c.path("purl").asText();
                        break;
                    }
                }
                assertThat(purl).as("a component with two qualifiers").isNotNull();
                String[] at = purl.split("\\?");
                String[] qs = at[1].split("&");
                String spelled = "PKG" + at[0].substring(3) + "?" + qs[qs.length - 1] + "&" + String.join("&", java.util.Arrays.copyOf(qs, qs.length - 1));
                JsonNode byPurl = JSON.readTree(send(client, "GET", base + "/components?purl="
                        + java.net.URLEncoder.encode(spelled, java.nio.charset.StandardCharsets.UTF_8), viewer, null).body());
                assertThat(byPurl.path("components").get(0).path("component").path("purl").asText()).as(spelled).isEqualTo(purl);
                assertThat(send(client, "GET", base + "/components?purl=npm%2Flodash", viewer, null).statusCode()).isEqualTo(400);

                JsonNode decisions = JSON.readTree(send(client, "GET", base + "/decisions?namespace=shop&since=1h", viewer, null).body());
                assertThat(decisions.path("decisions").size()).isEqualTo(1);
                assertThat(send(client, "GET", base + "/decisions?since=yesterday-ish", viewer, null).statusCode()).isEqualTo(400);
                JsonNode unsigned = JSON.readTree(send(client, "GET", base + "/reports/admitted-without/signature?since=1h", viewer, null).body());
                assertThat(unsigned.path("images").size()).isEqualTo(1);
                JsonNode noSbom = JSON.readTree(send(client, "GET", base + "/reports/admitted-without/sbom?since=1h", viewer, null).body());
                assertThat(noSbom.path("images").size()).isZero(); // the SBOM is linked now

                JsonNode running = JSON.readTree(send(client, "GET", base + "/inventory/pods?digest=" + DIGEST, viewer, null).body());
                assertThat(running.path("pods").size()).isEqualTo(2);
                assertThat(running.path("pods").get(0).path("workload").path("kind").asText()).isEqualTo("Deployment");
                assertThat(running.path("pods").get(0).path("running").asBoolean()).isTrue();
                assertThat(send(client, "GET", base + "/inventory/pods?digest=latest", viewer, null).statusCode()).isEqualTo(400);
                // the incident question: which running pods carry busybox, asked as a scanner prints the purl
                JsonNode carrying = JSON.readTree(send(client, "GET", base + "/inventory/pods?purl="
                        + java.net.URLEncoder.encode("pkg:alpine/busybox@1.35.0-r17?distro=alpine-3.16.2", java.nio.charset.StandardCharsets.UTF_8),
                        viewer, null).body());
                assertThat(carrying.path("pods").findValuesAsText("pod")).containsExactly("api", "stray");
                assertThat(carrying.path("pods").get(0).path("purl").asText()).startsWith("pkg:alpine/busybox@1.35.0-r17?arch=x86_64");
                assertThat(JSON.readTree(send(client, "GET", base + "/inventory/pods?purl=pkg:alpine/busybox@9", viewer, null).body())
                        .path("pods").size()).isZero();
                assertThat(send(client, "GET", base + "/inventory/pods?purl=busybox", viewer, null).statusCode()).isEqualTo(400);
                assertThat(send(client, "GET", base + "/inventory/pods?digest=" + DIGEST + "&history=maybe", viewer, null).statusCode()).isEqualTo(400);
                JsonNode never = JSON.readTree(send(client, "GET", base + "/inventory/never-admitted", viewer, null).body());
                assertThat(never.path("pods").findValuesAsText("pod")).containsExactly("stray");
                JsonNode outside = JSON.readTree(send(client, "GET", base + "/inventory/registries?allow=r.example", viewer, null).body());
                assertThat(outside.path("namespaces").findValuesAsText("namespace")).containsExactly("shop");
                assertThat(outside.path("namespaces").get(0).path("workloads").get(0).path("findings").get(0).path("message").asText())
                        .contains("elsewhere.example/tool");
                JsonNode failing = JSON.readTree(send(client, "GET", base + "/inventory/reports?verdict=fail", viewer, null).body());
                assertThat(failing.path("reports").findValuesAsText("namespace")).containsExactly("shop");
                assertThat(failing.path("reports").get(0).path("workload").path("name").asText()).isEqualTo("stray");
                assertThat(failing.path("reports").get(0).path("results").findValuesAsText("code")).contains("REGISTRY_NOT_ALLOWED");
                assertThat(JSON.readTree(send(client, "GET", base + "/inventory/reports", viewer, null).body()).path("summary").path("fail").asInt())
                        .isEqualTo(1);
                assertThat(send(client, "GET", base + "/inventory/reports?verdict=bad", viewer, null).statusCode()).isEqualTo(400);
                assertThat(send(client, "GET", base + "/inventory/running-without/vibes", viewer, null).statusCode()).isEqualTo(404);
                assertThat(send(client, "GET", base + "/inventory/built-from?commit=zz", viewer, null).statusCode()).isEqualTo(400);

                assertThat(send(client, "GET", base + "/audit/verify", operator, null).statusCode()).isEqualTo(403);
                JsonNode verify = JSON.readTree(send(client, "GET", base + "/audit/verify", admin, null).body());
                assertThat(verify.path("intact").asBoolean()).isTrue();
                assertThat(verify.path("records").asInt()).isEqualTo(1);
                assertThat(send(client, "DELETE", base + "/decisions", admin, null).statusCode()).isEqualTo(405);

                // every path and method in docs/api/openapi.yaml is served (the document and the routes stay in step)
                JsonNode spec = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                        .readTree(EvidenceCommandsTest.ROOT.resolve("docs/api/openapi.yaml").toFile());
                var paths = spec.path("paths").fields();
                HttpResponse<String> opened = send(client, "POST", base + "/incidents", operator, ("{\"targetKind\":\"digest\",\"target\":\""
                        + "sha256:" + "0e".repeat(32) + "\",\"title\":\"walked through\"}").getBytes());
                assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);
                String walked = JSON.readTree(opened.body()).path("id").asText();
                // an exception requested by the operator token, for the admin token to approve and then revoke in the walk
                HttpResponse<String> asked = send(client, "POST", base + "/exceptions", operator, ("{\"vulnerability\":\"CVE-2024-1\",\"digest\":\""
                        + DIGEST + "\",\"owner\":\"payments\",\"reason\":\"walked through\",\"expires\":\"7d\"}").getBytes());
                assertThat(asked.statusCode()).as(asked.body()).isEqualTo(201);
                String walkedException = JSON.readTree(asked.body()).path("id").asText();
                int checked = 0;
                while (paths.hasNext()) {
                    var e = paths.next();
                    String path = e.getKey().replace("{digest}", DIGEST).replace("{evidence}", "sbom").replace("{incident}", walked)
                            .replace("{exception}", walkedException);
                    for (String method : List.of("get", "post")) {
                        if (!e.getValue().has(method)) {
                            continue;
                        }
                        String query = switch (path) {
                            case "/audit/prune" -> "?olderThan=3650d";
                            case "/components" -> "?name=x";
                            case "/inventory/pods" -> "?digest=" + DIGEST;
                            case "/inventory/built-from" -> "?commit=abcdef1";
                            case "/inventory/registries" -> "?allow=r.example";
                            default -> "";
                        };
                        // a body only where the endpoint takes one: an unread body makes the server close the connection,
                        // and the client could reuse it before seeing the close
                        byte[] body = !method.equals("post") ? null : path.equals("/denylist")
                                ? ("{\"kind\":\"digest\",\"value\":\"" + DIGEST + "\",\"reason\":\"test\"}").getBytes()
                                : path.equals("/sboms") ? sbom
                                : path.equals("/incidents") ? "{\"targetKind\":\"package\",\"target\":\"pkg:npm/lodash@4.17.20\",\"title\":\"t\"}".getBytes()
                                : path.endsWith("/actions") ? "{\"namespace\":\"shop\",\"kind\":\"Deployment\",\"name\":\"api\",\"action\":\"quarantine\"}"
                                        .getBytes()
                                : path.equals("/exceptions") ? ("{\"vulnerability\":\"CVE-2024-2\",\"digest\":\"*\",\"owner\":\"t\",\"reason\":\"r\","
                                        + "\"expires\":\"2099-01-01\"}").getBytes()
                                : path.endsWith("/revoke") ? "{\"reason\":\"walked through\"}".getBytes()
                                : path.startsWith("/incidents/") || path.endsWith("/approve") ? "{}".getBytes() : null;
                        HttpResponse<String> r = send(client, method.toUpperCase(), base + path + query, admin, body);
                        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isIn(200, 201);
                        checked++;
                    }
                }
                assertThat(checked).isEqualTo(32);
                JsonNode walkedEx = JSON.readTree(send(client, "GET", base + "/exceptions/" + walkedException, viewer, null).body());
                assertThat(walkedEx.path("state").asText()).isEqualTo("revoked");
                assertThat(walkedEx.path("history").findValuesAsText("action")).containsExactly("request", "approve", "revoke");
                assertThat(walkedEx.path("history").findValuesAsText("actor")).containsExactly("ci", "root", "root");
                // the requester's own token cannot approve, a viewer cannot act, and a missing expiry is refused
                HttpResponse<String> mine = send(client, "POST", base + "/exceptions", operator, ("{\"vulnerability\":\"CVE-2024-3\",\"digest\":\""
                        + DIGEST + "\",\"namespace\":\"shop\",\"owner\":\"payments\",\"reason\":\"no fix yet\",\"expires\":\"3d\"}").getBytes());
                String mineId = JSON.readTree(mine.body()).path("id").asText();
                HttpResponse<String> self = send(client, "POST", base + "/exceptions/" + mineId + "/approve", operator, "{}".getBytes());
                assertThat(self.statusCode()).isEqualTo(409);
                assertThat(JSON.readTree(self.body()).path("error").asText()).isEqualTo("exception " + mineId + " was requested by ci; another identity must approve it");
                assertThat(send(client, "POST", base + "/exceptions/" + mineId + "/approve", viewer, "{}".getBytes()).statusCode()).isEqualTo(403);
                assertThat(send(client, "POST", base + "/exceptions", operator, "{\"vulnerability\":\"x\",\"digest\":\"*\"}".getBytes()).statusCode())
                        .isEqualTo(400);
                assertThat(send(client, "POST", base + "/exceptions/" + mineId + "/approve", admin, "{}".getBytes()).statusCode()).isEqualTo(200);
                JsonNode expiring = JSON.readTree(send(client, "GET", base + "/exceptions?expiring=7d", viewer, null).body());
                assertThat(expiring.path("exceptions").findValuesAsText("id")).containsExactly(mineId);
                assertThat(expiring.path("exceptions").get(0).path("expiresInSeconds").asLong()).isBetween(3 * 86_400L - 60, 3 * 86_400L);
                JsonNode walkedThrough = JSON.readTree(send(client, "GET", base + "/incidents/" + walked, viewer, null).body());
                assertThat(walkedThrough.path("state").asText()).as("closed by the walk: nothing runs it").isEqualTo("closed");
                assertThat(walkedThrough.path("timeline").findValuesAsText("event")).containsExactly("opened", "running", "blocked", "action", "closed");
                assertThat(walkedThrough.path("timeline").get(0).path("actor").asText()).isEqualTo("ci");

                // an incident whose digest runs: a viewer cannot act; closing it while it runs needs another approver's accepted risk
                HttpResponse<String> live = send(client, "POST", base + "/incidents", operator, ("{\"targetKind\":\"digest\",\"target\":\"" + DIGEST
                        + "\",\"title\":\"api leaks\",\"severity\":\"critical\",\"block\":true}").getBytes());
                assertThat(live.statusCode()).as(live.body()).isEqualTo(201);
                JsonNode liveBody = JSON.readTree(live.body());
                String liveId = liveBody.path("id").asText();
                assertThat(liveBody.path("blastRadius").path("counts").path("pods").asInt()).isEqualTo(2);
                assertThat(liveBody.path("blocked").asBoolean()).isTrue();
                assertThat(send(client, "POST", base + "/incidents/" + liveId + "/close", viewer, "{}".getBytes()).statusCode()).isEqualTo(403);
                HttpResponse<String> stillRuns = send(client, "POST", base + "/incidents/" + liveId + "/close", operator, "{}".getBytes());
                assertThat(stillRuns.statusCode()).isEqualTo(400);
                assertThat(JSON.readTree(stillRuns.body()).path("error").asText()).contains("2 pods still run it");
                assertThat(JSON.readTree(send(client, "POST", base + "/incidents/" + liveId + "/close", operator, "{\"acceptRisk\":\"x\"}".getBytes())
                        .body()).path("error").asText()).contains("other than ci");
                HttpResponse<String> accepted = send(client, "POST", base + "/incidents/" + liveId + "/close", admin,
                        "{\"acceptRisk\":\"network isolated, fix Friday\"}".getBytes());
                assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
                assertThat(JSON.readTree(accepted.body()).path("resolution").asText()).isEqualTo("accepted-risk");
                assertThat(send(client, "POST", base + "/incidents/" + liveId + "/close", admin, "{}".getBytes()).statusCode()).isEqualTo(409);
                assertThat(send(client, "GET", base + "/incidents/INC-nope", viewer, null).statusCode()).isEqualTo(404);
                assertThat(send(client, "POST", base + "/incidents", operator, "{\"targetKind\":\"tag\"}".getBytes()).statusCode()).isEqualTo(400);
                assertThat(JSON.readTree(send(client, "GET", base + "/incidents?state=all", viewer, null).body()).path("incidents").size()).isEqualTo(3);
                // the document itself is served, without a token, and is the one in docs/
                HttpResponse<String> served = client.send(HttpRequest.newBuilder(java.net.URI.create(base + "/openapi.yaml")).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(served.statusCode()).isEqualTo(200);
                assertThat(served.headers().firstValue("content-type")).hasValue("application/yaml");
                assertThat(served.body()).isEqualTo(Files.readString(EvidenceCommandsTest.ROOT.resolve("docs/api/openapi.yaml")));

                // the incident path: an operator blocks a digest at once, a viewer sees it, only an admin lifts it
                HttpResponse<String> blocked = send(client, "POST", base + "/denylist", operator,
                        "{\"kind\":\"purl\",\"value\":\"pkg:deb/debian/xz-utils\",\"reason\":\"CVE-2024-3094\",\"expiresIn\":\"30d\"}".getBytes());
                assertThat(blocked.statusCode()).as(blocked.body()).isEqualTo(201);
                JsonNode entry = JSON.readTree(blocked.body());
                assertThat(entry.path("createdBy").asText()).isEqualTo("ci");
                assertThat(JSON.readTree(send(client, "GET", base + "/denylist", viewer, null).body()).path("entries").size()).isEqualTo(3);
                assertThat(send(client, "POST", base + "/denylist", operator, "{\"kind\":\"tag\"}".getBytes()).statusCode()).isEqualTo(400);
                assertThat(send(client, "DELETE", base + "/denylist/" + entry.path("id").asText(), operator, null).statusCode()).isEqualTo(403);
                assertThat(send(client, "DELETE", base + "/denylist/" + entry.path("id").asText(), admin, null).statusCode())
                        .as("removal is audited: no reason, no removal").isEqualTo(400);
                assertThat(send(client, "DELETE", base + "/denylist/" + entry.path("id").asText() + "?reason=fixed", admin, null).statusCode())
                        .isEqualTo(200);
                assertThat(send(client, "DELETE", base + "/denylist/" + entry.path("id").asText() + "?reason=fixed", admin, null).statusCode())
                        .isEqualTo(404);
                assertThat(send(client, "GET", base + "/nothing", admin, null).statusCode()).isEqualTo(404);
            } finally {
                api.close();
            }
        } finally {
            BothStores.dropLocation(loc);
        }
    }

    private static HttpResponse<String> send(HttpClient client, String method, String url, String token, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static RuntimeInventory.PodObservation running(String uid, String name, String image, long created) {
        String object = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"shop\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"" + image + "\"}]}}";
        return new RuntimeInventory.PodObservation("test", uid, "shop", name, new RuntimeInventory.WorkloadRef(name.equals("api") ? "Deployment" : "Pod",
                name), "Pod/" + name, "node-1", "default", "Running", created, object, List.of(new RuntimeInventory.ContainerObservation("app",
                "containers", image, DIGEST, image, DIGEST, true, 0, created, null)));
    }
}
