package dev.custody.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.store.RuntimeInventory.ContainerObservation;
import dev.custody.store.RuntimeInventory.PodObservation;
import dev.custody.store.RuntimeInventory.WorkloadRef;
import java.util.List;
import java.util.Map;

class RuntimeInventoryTest {

    static PodObservation pod(String cluster, String uid, String name, String digest, String declared) {
        return new PodObservation(cluster, uid, "shop", name, new WorkloadRef("Deployment", "api"),
                "Deployment/api > ReplicaSet/api-7f9 > Pod/" + name, "node-1", "api", "Running", 1000L, "{\"kind\":\"Pod\"}",
                List.of(new ContainerObservation("app", "containers", "registry.example/shop/api@" + (declared != null ? declared : digest),
                                declared, "registry.example/shop/api@" + digest, digest, true, 0, 1500L, null),
                        new ContainerObservation("init", "initContainers", "registry.example/tools:1", null, null, null, false, 0, null, 1400L)));
    }

    @StoreTest
    void listingAgainUpdatesTheSameRowsAndMarksWhatVanished(Store store) {
        RuntimeInventory inv = new RuntimeInventory(store);
        inv.replaceAll("east", List.of(pod("east", "u1", "api-1", Records.D1, null), pod("east", "u2", "api-2", Records.D1, null)), 10_000);
        assertThat(inv.byDigest(Records.D1, false)).hasSize(2).allSatisfy(r -> {
            assertThat(r.running()).isTrue();
            assertThat(r.workload()).isEqualTo(new WorkloadRef("Deployment", "api"));
            assertThat(r.firstSeen()).isEqualTo(10_000);
        });
        // a restarted collector lists again: u2 was deleted meanwhile, u1 is unchanged
        int vanished = inv.replaceAll("east", List.of(pod("east", "u1", "api-1", Records.D1, null)), 20_000);
        assertThat(vanished).isEqualTo(1);
        assertThat(inv.byDigest(Records.D1, false)).singleElement().satisfies(r -> {
            assertThat(r.pod()).isEqualTo("api-1");
            assertThat(r.firstSeen()).as("first sighting kept").isEqualTo(10_000);
            assertThat(r.lastSeen()).isEqualTo(20_000);
        });
        assertThat(inv.byDigest(Records.D1, true)).hasSize(2).filteredOn(r -> r.pod().equals("api-2")).singleElement().satisfies(r -> {
            assertThat(r.podPresent()).isFalse();
            assertThat(r.running()).isFalse();
            assertThat(r.stoppedAt()).isEqualTo(20_000L);
        });
        assertThat(count(store, "runtime_pod")).isEqualTo(2);
        assertThat(count(store, "runtime_container")).isEqualTo(4);
        // another cluster's listing leaves east alone
        inv.replaceAll("west", List.of(pod("west", "u1", "api-1", Records.D2, null)), 30_000);
        assertThat(inv.byDigest(Records.D1, false)).hasSize(1);
        assertThat(inv.present(null)).extracting(RuntimeInventory.Row::cluster).containsOnly("east", "west");
    }

    @StoreTest
    void aLargeFirstListingIsPlannedFromItsOwnStatistics(Store store) {
        RuntimeInventory inv = new RuntimeInventory(store);
        List<PodObservation> pods = new java.util.ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            pods.add(pod("east", "u" + i, "api-" + i, String.format("sha256:%064x", i % 600), null));
        }
        inv.replaceAll("east", pods, 10_000);
        assertThat(inv.byDigest(String.format("sha256:%064x", 7), false)).hasSize(5);
        if (store.dialect() == Dialect.POSTGRESQL) {
            // without fresh statistics the planner walked every present pod of the cluster for each container found
            double estimate = store.read(c -> {
                try (var s = c.createStatement(); var rs = s.executeQuery("SELECT reltuples FROM pg_class WHERE oid = to_regclass('runtime_pod')")) {
                    rs.next();
                    return rs.getDouble(1);
                }
            });
            assertThat(estimate).as("runtime_pod analyzed after the listing").isGreaterThanOrEqualTo(3_000);
            String plan = store.read(c -> {
                try (var p = c.prepareStatement("EXPLAIN SELECT r.name FROM runtime_container k JOIN runtime_pod r ON r.cluster = k.cluster "
                        + "AND r.uid = k.pod_uid WHERE k.digest = ? AND r.present = 1")) {
                    p.setString(1, String.format("sha256:%064x", 7));
                    StringBuilder out = new StringBuilder();
                    try (var rs = p.executeQuery()) {
                        while (rs.next()) {
                            out.append(rs.getString(1)).append('\n');
                        }
                    }
                    return out.toString();
                }
            });
            assertThat(plan).contains("runtime_pod_pkey").contains("runtime_container_digest");
        }
    }

    @StoreTest
    void aDeletedPodStopsAndRetentionRemovesItsHistory(Store store) {
        RuntimeInventory inv = new RuntimeInventory(store);
        inv.observe(List.of(pod("east", "u1", "api-1", Records.D1, null)), 1_000);
        assertThat(inv.gone("east", "u1", 5_000)).isTrue();
        assertThat(inv.gone("east", "u1", 6_000)).as("only once").isFalse();
        assertThat(inv.byDigest(Records.D1, false)).isEmpty();
        assertThat(inv.prune(5_000)).isZero();
        assertThat(inv.prune(5_001)).isEqualTo(1);
        assertThat(inv.byDigest(Records.D1, true)).isEmpty();
        assertThat(count(store, "runtime_container")).isZero();
    }

    @StoreTest
    void aRunningDigestOtherThanThePinnedOneIsAMismatch(Store store) {
        RuntimeInventory inv = new RuntimeInventory(store);
        inv.observe(List.of(pod("east", "u1", "ok", Records.D1, Records.D1), pod("east", "u2", "drifted", Records.D2, Records.D1)), 1_000);
        assertThat(inv.digestMismatches()).singleElement().satisfies(r -> {
            assertThat(r.pod()).isEqualTo("drifted");
            assertThat(r.declaredDigest()).isEqualTo(Records.D1);
            assertThat(r.digest()).isEqualTo(Records.D2);
        });
    }

    @StoreTest
    void namespaceLabelsJoinTheRowsAndAFullListMarksDeletedNamespaces(Store store) {
        RuntimeInventory inv = new RuntimeInventory(store);
        inv.namespaces("east", Map.of("shop", Map.of("team", "payments"), "old", Map.of()), true, 1_000);
        inv.observe(List.of(pod("east", "u1", "api-1", Records.D1, null)), 1_000);
        assertThat(inv.byDigest(Records.D1, false)).singleElement()
                .satisfies(r -> assertThat(r.namespaceLabels()).containsEntry("team", "payments"));
        inv.namespaces("east", Map.of("shop", Map.of("team", "checkout")), true, 2_000);
        assertThat(inv.presentPods()).singleElement().satisfies(p -> {
            assertThat(p.namespaceLabels()).containsEntry("team", "checkout");
            assertThat(p.object()).isEqualTo("{\"kind\":\"Pod\"}");
        });
        int oldPresent = store.read(c -> {
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT present FROM runtime_namespace WHERE name = 'old'")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(oldPresent).isZero();
    }

    @StoreTest
    void clusterStateKeepsTheLastSyncThroughAnOutage(Store store) {
        RuntimeInventory inv = new RuntimeInventory(store);
        inv.clusterState("east", "synced", null, 1_000L, 1_000);
        inv.clusterState("east", "unreachable", "connection refused", null, 2_000);
        assertThat(inv.clusters()).singleElement().satisfies(s -> {
            assertThat(s.syncedAt()).isEqualTo(1_000L);
            assertThat(s.state()).isEqualTo("unreachable");
            assertThat(s.message()).isEqualTo("connection refused");
        });
    }

    @StoreTest
    void runningContainersJoinTheirProvenanceSbomsAndSignatures(Store store) throws Exception {
        RuntimeInventory inv = new RuntimeInventory(store);
        inv.observe(List.of(pod("east", "u1", "api-1", Records.D1, null), pod("east", "u2", "api-2", Records.D2, null)), 1_000);
        Verifications v = new Verifications(store);
        v.record(new Verifications.Verified(Records.D1, "attestation", "https://slsa.dev/provenance/v1", "ci", null, "trust rule ci", 900, "referrer"),
                new Verifications.Provenance("https://github.com/actions/runner", "buildkit", "git+https://github.com/acme/shop.git",
                        "refs/heads/main", "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12"));
        v.record(new Verifications.Verified(Records.D2, "signature", null, "ci-key", null, "trust rule release", 900, "tag .sig"));
        new SbomStore(store).ingest(Records.sbom("a", List.of()), "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), List.of(Records.D1), "test");

        assertThat(inv.builtFrom(List.of("git+https://github.com/acme/shop.git"), "ab12cd3")).singleElement().satisfies(b -> {
            assertThat(b.row().pod()).isEqualTo("api-1");
            assertThat(b.row().container()).isEqualTo("app");
            assertThat(b.sourceRef()).isEqualTo("refs/heads/main");
            assertThat(b.builderId()).isEqualTo("https://github.com/actions/runner");
        });
        assertThat(inv.builtFrom(null, "ffff")).isEmpty();
        assertThat(inv.builtFrom(List.of(), null)).isEmpty();
        assertThat(inv.sourceRepositories()).containsExactly("git+https://github.com/acme/shop.git");

        assertThat(inv.runningWithout(RuntimeInventory.EvidenceKind.SBOM)).extracting(RuntimeInventory.Row::pod).containsExactly("api-2");
        assertThat(inv.runningWithout(RuntimeInventory.EvidenceKind.SIGNATURE)).extracting(RuntimeInventory.Row::pod).containsExactly("api-1");
        assertThat(inv.runningWithout(RuntimeInventory.EvidenceKind.PROVENANCE)).extracting(RuntimeInventory.Row::pod).containsExactly("api-2");
    }

    @StoreTest
    void podsCarryingAPackageAreFoundByAnySpellingOfItsPurl(Store store) {
        RuntimeInventory inv = new RuntimeInventory(store);
        inv.observe(List.of(pod("east", "u1", "api-1", Records.D1, null), pod("east", "u2", "api-2", Records.D2, null)), 1_000);
        SbomStore sboms = new SbomStore(store);
        sboms.ingest(Records.sbom("a", List.of(), "pkg:deb/debian/xz-utils@5.6.0-0.2?arch=amd64", "pkg:npm/left-pad@1.3.0"), new byte[] {1},
                List.of(Records.D1), "test");
        sboms.ingest(Records.sbom("b", List.of(), "pkg:deb/debian/xz-utils@5.4.1-0.2?arch=amd64"), new byte[] {2}, List.of(Records.D2), "test");
        assertThat(inv.runningWithPackage(dev.custody.sbom.PackageUrl.parse("pkg:deb/debian/xz-utils")))
                .extracting(c -> c.row().pod() + " " + c.purl())
                .containsExactly("api-1 pkg:deb/debian/xz-utils@5.6.0-0.2?arch=amd64", "api-2 pkg:deb/debian/xz-utils@5.4.1-0.2?arch=amd64");
        assertThat(inv.runningWithPackage(dev.custody.sbom.PackageUrl.parse("PKG:deb/debian/xz-utils@5.6.0-0.2")))
                .extracting(c -> c.row().pod()).containsExactly("api-1");
        assertThat(inv.runningWithPackage(dev.custody.sbom.PackageUrl.parse("pkg:deb/debian/xz-utils?arch=arm64"))).isEmpty();
        inv.gone("east", "u1", 2_000);
        assertThat(inv.runningWithPackage(dev.custody.sbom.PackageUrl.parse("pkg:npm/left-pad"))).as("only what runs").isEmpty();
    }

    @StoreTest
    void podsAreMatchedToTheAdmissionThatLetThemIn(Store store) throws Exception {
        RuntimeInventory inv = new RuntimeInventory(store);
        inv.observe(List.of(pod("east", "u1", "api-1", Records.D1, null), pod("east", "u2", "api-2", Records.D1, null),
                pod("east", "u3", "api-3", Records.D1, null)), 1_000_000);
        long created = 1_000; // the fixture's creationTimestamp
        try (DecisionLog log = new DecisionLog(store)) {
            // api-1 admitted just before it was created; api-2 only long before (another pod of that name); api-3 under pv2
            log.append(admission("api-1", created - 2_000, "pv1")).get();
            log.append(admission("api-2", created - 3_600_000, "pv1")).get();
            log.append(admission("api-3", created - 1_000, "pv2")).get();
            var denied = admission("api-2", created - 500, "pv2");
            log.append(new DecisionRecord(denied.recordedAt(), "admission", "uid-d", "kube", "CREATE", "shop", "Pod", "api-2", "denied", false, "pv2",
                    denied.images(), List.of(), List.of())).get();
        }
        assertThat(inv.neverAdmitted()).extracting(RuntimeInventory.Row::pod).as("a denial let nothing in").containsExactly("api-2", "api-2");
        assertThat(inv.newestAdmissionPolicyVersion()).isEqualTo("pv2");
        assertThat(inv.admittedUnderOtherPolicy("pv2")).extracting(a -> a.row().pod() + "/" + a.row().container() + "@" + a.policyVersion())
                .containsExactly("api-1/app@pv1", "api-1/init@pv1");
    }

    static DecisionRecord admission(String pod, long at, String policyVersion) {
        return new DecisionRecord(at, "admission", "uid-" + pod + at, "system:serviceaccount:kube-system:replicaset-controller", "CREATE", "shop",
                "Pod", pod, "allowed", false, policyVersion, List.of(new DecisionRecord.Image("app", "registry.example/shop/api@" + Records.D1,
                Records.D1)), List.of(), List.of());
    }

    static long count(Store store, String table) {
        return store.read(c -> {
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
