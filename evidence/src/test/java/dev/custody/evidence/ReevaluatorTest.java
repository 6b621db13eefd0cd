package dev.custody.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.engine.Engine;
import dev.custody.policy.PolicyParser;
import dev.custody.policy.PolicySet;
import dev.custody.policy.trust.SignatureGatherer;
import dev.custody.policy.trust.SignatureLookup;
import dev.custody.policy.trust.SignatureVerdict;
import dev.custody.store.RuntimeInventory;
import dev.custody.store.Store;
import dev.custody.store.StoreTest;
import dev.custody.store.WorkloadReports;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Background re-evaluation over a real store (SQLite and PostgreSQL): what makes it run, and that what it writes is
 * the engine's verdict. The gatherer in the trust test is a test double standing in for the registry (the registry
 * path is covered end to end by InventoryE2ETest and the cosign interop tests); it records what it was asked.
 */
class ReevaluatorTest {

    static final String KEY = """
            -----BEGIN PUBLIC KEY-----
            MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEusIAt6EJ3YrTHdg2qkWVS0KuotWQ
            wHDtyaXlq7Nhj8279+1u/l5pZhXJPW8PnGRRLdO5NbsuM6aT7pOcP100uw==
            -----END PUBLIC KEY-----
            """;

    static final String D1 = "sha256:" + "1".repeat(64);
    static final String D2 = "sha256:" + "2".repeat(64);

    static PolicySet allow(String... registries) {
        return new PolicyParser().load(Map.of("p.yaml", """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: registries}
                spec:
                  tier: dev
                  images:
                    allowedRegistries: [%s]
                """.formatted(String.join(", ", registries))));
    }

    static RuntimeInventory.PodObservation pod(String uid, String name, String image, String runningDigest) {
        String object = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"shop\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"" + image + "\"}]}}";
        return new RuntimeInventory.PodObservation("east", uid, "shop", name, new RuntimeInventory.WorkloadRef("Deployment", name), "Pod/" + name,
                "node-1", "default", "Running", 1_000L, object, List.of(new RuntimeInventory.ContainerObservation("app", "containers", image, null,
                image + "@" + runningDigest, runningDigest, true, 0, 1_000L, null)));
    }

    private static void await(BooleanSupplier done) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(until);
            Thread.sleep(20);
        }
    }

    @StoreTest
    void aDenylistEntryForTheDigestAPodRunsFailsItsWorkload(Store store) throws Exception {
        RuntimeInventory inventory = new RuntimeInventory(store);
        // tool's spec names a tag; the kubelet reports it runs D2
        inventory.observe(List.of(pod("u1", "api", "a.example/shop/api:1", D1), pod("u2", "tool", "b.example/tool:1", D2)), 1_000);
        Engine engine = new Engine(allow("a.example", "b.example"));
        List<Reevaluator.Run> runs = new CopyOnWriteArrayList<>();
        WorkloadReports reports = new WorkloadReports(store);
        try (Reevaluator re = new Reevaluator(store, () -> engine, null, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1))) {
            re.listener((run, written) -> runs.add(run)).start(20);
            await(() -> runs.size() == 1);
            assertThat(reports.list(null, null, "fail")).isEmpty();
            new dev.custody.store.Denylist(store).add(dev.custody.store.Denylist.Kind.DIGEST, D2, "INC-9: tampered", "test", null);
            await(() -> runs.size() == 2);
            assertThat(runs.get(1).trigger()).isEqualTo("denylist");
            assertThat(reports.list(null, null, "fail")).singleElement().satisfies(r -> {
                assertThat(r.workload().name()).isEqualTo("tool");
                assertThat(r.denied()).isTrue();
                assertThat(r.results()).contains("DENYLISTED").contains("INC-9: tampered");
            });
        }
    }

    @StoreTest
    void aPackageEntryBlocksTheDigestsWhoseSbomListsItAndTheCopyOutlivesTheStore(Store store) {
        var components = List.of(new dev.custody.sbom.Component("c1", "pkg:deb/debian/xz-utils@5.6.0-0.2?arch=amd64", "library", "xz-utils",
                "5.6.0-0.2", List.of(), Map.of(), null));
        var sbom = new dev.custody.sbom.Sbom(dev.custody.sbom.SbomFormat.CYCLONEDX_JSON, "1.5", "urn:uuid:1", "api", List.of(), components, List.of(),
                "sha256:" + "c".repeat(64), new dev.custody.sbom.Quality(1, 1, 1, 1, 0, false, 0, List.of(), 80));
        new dev.custody.store.SbomStore(store).ingest(sbom, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), List.of(D1), "test");
        new dev.custody.store.Denylist(store).add(dev.custody.store.Denylist.Kind.PURL, "pkg:deb/debian/xz-utils@5.6.0-0.2", "CVE-2024-3094", "test",
                null);
        DenylistCache cache = new DenylistCache(store);
        assertThat(cache.refresh()).isTrue();
        var ref = dev.custody.imageref.ImageReference.parse("a.example/shop/api@" + D1);
        assertThat(cache.get().hits(ref, null)).singleElement().satisfies(e -> assertThat(e.reason()).contains("xz-utils").contains("CVE-2024-3094"));
        assertThat(cache.get().hits(dev.custody.imageref.ImageReference.parse("a.example/shop/api@" + D2), null)).isEmpty();
        assertThat(cache.status().current()).isTrue();

        store.close(); // the store is gone: the copy stays in force, whole, and says so
        assertThat(cache.refresh()).isFalse();
        assertThat(cache.get().hits(ref, null)).hasSize(1);
        assertThat(cache.status().current()).isFalse();
        assertThat(cache.status().problem()).contains("cannot be read").contains("enforcing the list read at");
        assertThat(cache.status().entries()).isEqualTo(1);
    }

    @StoreTest
    void aReplicaStartedWhileTheStoreIsDownEnforcesTheCopyOnDisk(Store store) throws Exception {
        java.nio.file.Path copy = java.nio.file.Files.createTempDirectory("custody-deny-").resolve("denylist.json");
        new dev.custody.store.Denylist(store).add(dev.custody.store.Denylist.Kind.DIGEST, D2, "INC-9: tampered", "test", null, "INC-9");
        var ref = dev.custody.imageref.ImageReference.parse("b.example/tool@" + D2);
        try (DenylistCache first = new DenylistCache(store, copy).start(60_000)) {
            assertThat(first.get().hits(ref, null)).hasSize(1);
        }
        assertThat(copy).exists();
        store.close();
        try (DenylistCache second = new DenylistCache(store, copy).start(60_000)) {
            assertThat(second.get().hits(ref, null)).as("the copy saved by the first replica").singleElement()
                    .satisfies(e -> assertThat(e.reason()).contains("INC-9: tampered (incident INC-9)"));
            assertThat(second.status().current()).isFalse();
            assertThat(second.status().problem()).contains("enforcing the copy in " + copy);
            assertThat(second.refresh()).isFalse();
            assertThat(second.get().hits(ref, null)).as("a failed read keeps it").hasSize(1);
            assertThat(second.status().problem()).contains("enforcing the copy in");
        }
        java.nio.file.Files.writeString(copy, "{\"readAt\": 1, \"entries\": [");
        try (DenylistCache third = new DenylistCache(store, copy).start(60_000)) {
            assertThat(third.get().isEmpty()).isTrue();
            assertThat(third.status().problem()).contains("cannot be read either");
        }
    }

    @StoreTest
    void aPolicyChangeAndANewPodEachCauseARunWithTheEngineVerdict(Store store) throws Exception {
        RuntimeInventory inventory = new RuntimeInventory(store);
        inventory.observe(List.of(pod("u1", "api", "a.example/shop/api:1", D1), pod("u2", "tool", "b.example/tool:1", D2)), 1_000);
        AtomicReference<Engine> served = new AtomicReference<>(new Engine(allow("a.example", "b.example")));
        List<Reevaluator.Run> runs = new CopyOnWriteArrayList<>();
        WorkloadReports reports = new WorkloadReports(store);
        try (Reevaluator re = new Reevaluator(store, served::get, null, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1))) {
            re.listener((run, written) -> runs.add(run)).start(20);
            await(() -> runs.size() == 1);
            assertThat(runs.get(0).trigger()).isEqualTo("start");
            assertThat(reports.list(null, null, null)).as(() -> reports.list(null, null, null).toString())
                    .extracting(WorkloadReports.Report::verdict).containsExactly("pass", "pass");

            served.set(new Engine(allow("a.example"))); // what a policy reload does
            await(() -> runs.size() == 2);
            assertThat(runs.get(1).trigger()).isEqualTo("policy");
            assertThat(reports.list(null, null, "fail")).singleElement().satisfies(r -> {
                assertThat(r.workload().name()).isEqualTo("tool");
                assertThat(r.denied()).isTrue();
                assertThat(r.results()).contains("REGISTRY_NOT_ALLOWED");
                assertThat(r.policyVersion()).isEqualTo(served.get().policies().version());
            });
            Thread.sleep(200);
            assertThat(runs).as("nothing changed: no further run").hasSize(2);

            inventory.observe(List.of(pod("u3", "late", "c.example/late:1", D1)), 2_000);
            await(() -> runs.size() == 3);
            assertThat(runs.get(2).trigger()).isEqualTo("inventory");
            assertThat(reports.list(null, null, "fail")).extracting(r -> r.workload().name()).containsExactly("late", "tool");

            assertThat(inventory.gone("east", "u2", 3_000)).isTrue();
            await(() -> runs.size() == 4);
            assertThat(reports.list(null, null, null)).extracting(r -> r.workload().name()).containsExactly("api", "late");
            assertThat(runs.get(3).replaced().removed()).isEqualTo(1);
        }
    }

    @StoreTest
    void trustRulesAreDecidedAtTheDigestThatRunsNotWhereTheTagPointsNow(Store store) {
        new RuntimeInventory(store).observe(List.of(pod("u1", "api", "registry.example.com/shop/api:1.0", D2)), 1_000);
        PolicySet set = new PolicyParser().load(Map.of("p.yaml", """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: signed}
                spec:
                  tier: dev
                  trust:
                    - name: release
                      images: [registry.example.com/shop/*]
                      authorities:
                        - name: ci
                          key: |
                """ + KEY.indent(14)));
        List<SignatureGatherer.Need> asked = new CopyOnWriteArrayList<>();
        SignatureGatherer registry = (needs, deadline) -> {
            asked.addAll(needs);
            return (SignatureLookup) (image, spec) -> image.digest() != null && image.digest().toString().equals(D2)
                    ? new SignatureVerdict(SignatureVerdict.Kind.VERIFIED, D2, List.of("ci"), "verified at the running digest")
                    : new SignatureVerdict(SignatureVerdict.Kind.UNSIGNED, null, List.of(), "asked about another digest");
        };
        Engine engine = new Engine(set);
        try (Reevaluator re = new Reevaluator(store, () -> engine, registry, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1))) {
            Reevaluator.Run run = re.run(engine, "test");
            assertThat(run.verdicts()).containsEntry("pass", 1);
        }
        assertThat(asked).singleElement().satisfies(n -> assertThat(n.image().digest().toString()).isEqualTo(D2));
        // without a gatherer (as `custody check`), the same workload's trust rule reports not checked: never a pass
        try (Reevaluator re = new Reevaluator(store, () -> engine, null, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1))) {
            re.run(engine, "test");
        }
        assertThat(new WorkloadReports(store).list(null, null, null)).singleElement()
                .satisfies(r -> assertThat(r.results()).contains("SIGNATURE_NOT_CHECKED"));
    }
}
