package dev.custody.bench;

import dev.custody.api.ApiServer;
import dev.custody.api.ApiTokens;
import dev.custody.evidence.IncidentTracker;
import dev.custody.policy.PolicyParser;
import dev.custody.policy.PolicySet;
import dev.custody.server.SelfSigned;
import dev.custody.server.TlsMaterial;
import dev.custody.store.DecisionLog;
import dev.custody.store.DecisionRecord;
import dev.custody.store.Exceptions;
import dev.custody.store.Incidents;
import dev.custody.store.RuntimeInventory;
import dev.custody.store.Store;
import dev.custody.store.Verifications;
import dev.custody.vulns.AdvisoryImport;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The web UI's figures against a real store: every page's server time (the {@code Server-Timing} the UI writes, and the
 * round trip over loopback TLS) and its weight, with a fleet in the store.
 *
 * <pre>
 * UiLoad STORE PODS DECISIONS IMAGES PER_IMAGE REQUESTS CORPORA
 * </pre>
 *
 * PODS pods on IMAGES images (SBOMs of PER_IMAGE components, half of them signed, a third with provenance), DECISIONS
 * decisions in the last 24 hours over those digests, 200 exceptions (half approved), 20 incidents, and the OSV records
 * of CORPORA/osv in the advisory database. The UI runs in this process on the evidence API's port; each page is asked
 * REQUESTS times, one at a time, after 20 warm-up requests. The load stops by itself and targets only loopback.
 */
public final class UiLoad {

    public static void main(String[] args) throws Exception {
        if (args.length < 7) {
            System.err.println("usage: UiLoad STORE PODS DECISIONS IMAGES PER_IMAGE REQUESTS CORPORA");
            System.exit(2);
        }
        int pods = Integer.parseInt(args[1]);
        int decisions = Integer.parseInt(args[2]);
        int images = Integer.parseInt(args[3]);
        int perImage = Integer.parseInt(args[4]);
        int requests = Integer.parseInt(args[5]);
        Path corpora = Path.of(args[6]);
        try (Store store = Store.open(args[0])) {
            if (pods > 0) { // 0: the store was seeded by an earlier run
                seed(store, pods, decisions, images, perImage, corpora);
            }
            run(store, images, requests);
        }
    }

    static void seed(Store store, int pods, int decisions, int images, int perImage, Path corpora) throws Exception {
        Random rnd = new Random(42);
        long t0 = System.nanoTime();
        InventoryLoad.seed(store, pods, images, perImage, rnd);
        long now = System.currentTimeMillis();
        Map<String, Map<String, String>> labels = new HashMap<>();
        for (int n = 0; n < 100; n++) {
            labels.put("ns-" + n, Map.of("team", "team-" + n % 10));
        }
        new RuntimeInventory(store).namespaces("bench", labels, true, now);
        Verifications v = new Verifications(store);
        for (int i = 0; i < images; i += 2) {
            v.record(new Verifications.Verified(InventoryLoad.digest(i), "signature", null, "release@example.com", "https://issuer.example",
                    "trust/release", now, "bench"));
            if (i % 3 == 0) {
                v.record(new Verifications.Verified(InventoryLoad.digest(i), "attestation", "https://slsa.dev/provenance/v1", "release@example.com",
                        "https://issuer.example", "trust/provenance", now, "bench"), new Verifications.Provenance("https://builder.example/runner",
                        "https://builder.example/build/v1", "git+https://git.example/shop/app" + i, "refs/heads/main", String.format("%040x", 0xabc000L + i)));
            }
        }
        AdvisoryImport.Result imported = new AdvisoryImport(store, m -> {}).run(List.of(corpora.resolve("osv")));
        System.out.printf("%s advisories imported from the corpus: %d%n", store.dialect(), imported.added());
        try (DecisionLog log = new DecisionLog(store, 500)) {
            List<CompletableFuture<Long>> pending = new ArrayList<>();
            long start = now - 86_000_000L;
            for (int i = 0; i < decisions; i++) {
                pending.add(log.append(record(i, rnd.nextInt(images), start + (long) i * 86_000_000L / decisions)));
                if (pending.size() == 5_000) {
                    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get();
                    pending.clear();
                }
            }
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get();
        }
        Exceptions ex = new Exceptions(store);
        for (int i = 0; i < 200; i++) {
            var e = ex.request(new Exceptions.Request(InventoryLoad.digest(i), "ns-" + i % 100, null, "CVE-2024-" + (10_000 + i), "team-" + i % 10,
                    "bench exception " + i, "TICKET-" + i, now + Duration.ofDays(1 + i % 60).toMillis()), "alice", now);
            if (i % 2 == 0) {
                ex.approve(e.id(), "bob", null, now);
            }
        }
        try (IncidentTracker t = new IncidentTracker(store)) {
            for (int i = 0; i < 20; i++) {
                t.open(Incidents.TargetKind.DIGEST, InventoryLoad.digest(i * 7), List.of(), "bench incident " + i, "high", "team-" + i % 10, "alice", now);
            }
            t.tick(System.currentTimeMillis());
        }
        System.out.printf("%s seeded %,d pods, %,d decisions, %d images x %d components in %.0f s%n", store.dialect(), pods, decisions, images, perImage,
                (System.nanoTime() - t0) / 1e9);
    }

    static DecisionRecord record(int i, int image, long at) {
        String digest = InventoryLoad.digest(image);
        boolean denied = i % 20 == 0;
        List<DecisionRecord.RuleOutcome> rules = new ArrayList<>();
        for (int r = 0; r < 12; r++) {
            rules.add(new DecisionRecord.RuleOutcome("production", r == 3 ? "images.requireDigest" : "rule-" + r, r == 3 && denied ? "FAIL" : "PASS",
                    "ENFORCE", r == 3 && denied ? "IMAGE_NOT_PINNED" : "OK", "spec.containers[0].image", "checked"));
        }
        return new DecisionRecord(at, "admission", "uid-" + i, "system:serviceaccount:kube-system:replicaset-controller", "CREATE", "ns-" + i % 100,
                "Pod", "pod-" + i, denied ? "denied" : "allowed", false, "pv-bench",
                List.of(new DecisionRecord.Image("app", "registry.example/app" + image + "@" + digest, digest)), rules, List.of());
    }

    static void run(Store store, int images, int requests) throws Exception {
        Path dir = Files.createTempDirectory("custody-ui-bench");
        SelfSigned.Files3 tls = SelfSigned.write(dir, List.of("localhost"), List.of("127.0.0.1"));
        String token = ApiTokens.generate();
        Path tokens = dir.resolve("tokens.yaml");
        Files.writeString(tokens, "tokens:\n  - {name: alice, role: operator, sha256: " + ApiTokens.sha256(token) + "}\n");
        PolicySet policies = new PolicyParser().load(Map.of("production.yaml", """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: production}
                spec: {tier: production, images: {allowedRegistries: [registry.example]}, vulnerabilities: {}}
                """));
        try (ApiServer api = new ApiServer("127.0.0.1", 0, new TlsMaterial(tls.cert(), tls.key()), ApiTokens.load(tokens), store)) {
            String location = store.dialect().toString();
            long a0 = System.nanoTime();
            dev.custody.cli.PlatformAssessment.assess(policies, store, location, System.currentTimeMillis());
            System.out.printf("%s one assessment computed in process (as the background does, at most a tenth of the time) in %.0f ms%n", store.dialect(), (System.nanoTime() - a0) / 1e6);
            api.withWebUi(() -> dev.custody.cli.PlatformAssessment.assess(policies, store, location, System.currentTimeMillis()));
            api.start();
            String base = "https://127.0.0.1:" + api.port();
            HttpClient http = HttpClient.newBuilder().sslContext(TlsMaterial.trusting(tls.caCert())).followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            String session = login(http, base, token);
            String incident = new Incidents(store).list("open").getFirst().id();
            String hot = InventoryLoad.digest(0);
            Map<String, String> pages = new LinkedHashMap<>();
            pages.put("inventory", "/ui/inventory");
            pages.put("inventory page 50", fiftieth(http, base, session));
            pages.put("inventory team + unsigned", "/ui/inventory?team=team-3&signed=no");
            pages.put("inventory without SBOM", "/ui/inventory?sbom=no");
            pages.put("artifact", "/ui/artifacts/" + hot);
            pages.put("artifact component search", "/ui/artifacts/" + hot + "?component=lib1");
            pages.put("decisions (24h)", "/ui/decisions");
            pages.put("decisions denied in ns-40", "/ui/decisions?verdict=denied&namespace=ns-40");
            pages.put("decisions by rule", "/ui/decisions?rule=images.requireDigest&verdict=denied");
            pages.put("incidents", "/ui/incidents?state=all");
            pages.put("incident", "/ui/incidents/" + incident);
            pages.put("incident burn-down", "/ui/incidents/" + incident + "/burndown.svg");
            pages.put("exceptions", "/ui/exceptions");
            pages.put("assessment", "/ui/assessment");
            pages.put("search purl", "/ui/search?q=" + URLEncoder.encode(InventoryLoad.purl(7, 1), StandardCharsets.UTF_8));
            pages.put("search package name", "/ui/search?q=lib7");
            pages.put("search CVE", "/ui/search?q=CVE-2023-26119");
            pages.put("search commit", "/ui/search?q=" + String.format("%040x", 0xabc000L + 6).substring(0, 12));
            pages.put("search image", "/ui/search?q=registry.example/app5");
            // the first background assessment reads the whole store; the pages are measured after it, as in steady state
            // (where it runs for a tenth of the time at most)
            long w0 = System.nanoTime();
            while (!http.send(HttpRequest.newBuilder(URI.create(base + "/ui/assessment")).header("Cookie", "custody_session=" + session).build(),
                    HttpResponse.BodyHandlers.ofString()).body().contains("Maturity level")) {
                Thread.sleep(200);
            }
            System.out.printf("%s first background assessment ready %.1f s after the start%n", store.dialect(), (System.nanoTime() - w0) / 1e9);
            System.out.printf("%-28s %9s %9s %9s %9s %10s%n", "page (" + store.dialect() + ")", "srv p50", "srv p99", "srv max", "rtt p99", "bytes");
            for (var e : pages.entrySet()) {
                double[] srv = new double[requests];
                double[] rtt = new double[requests];
                int bytes = 0;
                for (int i = -20; i < requests; i++) {
                    long s0 = System.nanoTime();
                    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + e.getValue())).header("Cookie", "custody_session=" + session)
                            .build(), HttpResponse.BodyHandlers.ofByteArray());
                    double ms = (System.nanoTime() - s0) / 1e6;
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(e.getValue() + " answered " + r.statusCode() + ": " + new String(r.body(), StandardCharsets.UTF_8));
                    }
                    if (i >= 0) {
                        rtt[i] = ms;
                        srv[i] = Double.parseDouble(r.headers().firstValue("Server-Timing").orElseThrow().replaceAll(".*dur=", ""));
                        bytes = r.body().length;
                    }
                }
                Arrays.sort(srv);
                Arrays.sort(rtt);
                System.out.printf("%-28s %7.1f ms %7.1f ms %7.1f ms %7.1f ms %10d%n", e.getKey(), pct(srv, 50), pct(srv, 99), srv[srv.length - 1],
                        pct(rtt, 99), bytes);
            }
        }
    }

    /** The inventory's 50th page, reached as a user would: following the "Next page" link 49 times. */
    static String fiftieth(HttpClient http, String base, String session) throws Exception {
        String url = "/ui/inventory";
        Pattern next = Pattern.compile("href=\"([^\"]+)\" rel=\"next\"");
        for (int i = 1; i < 50; i++) {
            String page = http.send(HttpRequest.newBuilder(URI.create(base + url)).header("Cookie", "custody_session=" + session).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = next.matcher(page);
            if (!m.find()) {
                throw new IllegalStateException("page " + i + " of the inventory has no next page");
            }
            url = m.group(1).replace("&amp;", "&");
        }
        return url;
    }

    static String login(HttpClient http, String base, String token) throws Exception {
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(base + "/ui/login")).build(), HttpResponse.BodyHandlers.ofString());
        Matcher csrf = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(form.body());
        if (!csrf.find()) {
            throw new IllegalStateException("no CSRF token on the login page");
        }
        String loginCookie = form.headers().firstValue("set-cookie").orElseThrow().replaceAll(";.*", "");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/ui/login")).header("Cookie", loginCookie)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + csrf.group(1) + "&token=" + URLEncoder.encode(token, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.headers().allValues("set-cookie").stream().filter(c -> c.startsWith("custody_session=")).findFirst().orElseThrow()
                .replaceAll("custody_session=([^;]+).*", "$1");
    }

    static double pct(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
    }
}
