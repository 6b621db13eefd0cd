package dev.custody.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.TimeUnit;

class InventoryTest {

    @StoreTest
    void decisionsRecordTheDigestsTheySawWithRepositoryAndTag(Store store) throws Exception {
        DecisionRecord.Image pinned = new DecisionRecord.Image("app", "registry.example/shop/api:v2@" + Records.D1, Records.D1,
                "registry.example/shop/api", "v2");
        DecisionRecord.Image again = new DecisionRecord.Image("side", "registry.example/shop/api:v3@" + Records.D1, Records.D1,
                "registry.example/shop/api", "v3");
        DecisionRecord.Image tagOnly = new DecisionRecord.Image("x", "registry.example/x:latest", null, "registry.example/x", "latest");
        try (DecisionLog log = new DecisionLog(store)) {
            log.append(new DecisionRecord(1000, "admission", "u1", "bob", "CREATE", "shop", "Pod", "api", "allowed", false, "pv",
                    List.of(pinned, again, tagOnly), List.of(), List.of())).get(10, TimeUnit.SECONDS);
            log.append(new DecisionRecord(2000, "admission", "u2", "bob", "CREATE", "shop", "Pod", "api", "allowed", false, "pv",
                    List.of(pinned), List.of(), List.of())).get(10, TimeUnit.SECONDS);
        }
        Evidence.Artifact a = new Evidence(store).artifact(Records.D1, 10);
        assertThat(a.repository()).isEqualTo("registry.example/shop/api");
        assertThat(a.firstSeen()).isEqualTo(1000L);
        assertThat(a.lastSeen()).isEqualTo(2000L);
        assertThat(a.tags()).extracting(Evidence.Tag::tag).containsExactlyInAnyOrder("v2", "v3");
        assertThat(a.decisions()).hasSize(2);
        assertThat(new Audit(store).verify(null).ok()).isTrue();
    }

    @StoreTest
    void verifiedSignaturesAreEvidenceOfTheDigest(Store store) {
        Verifications v = new Verifications(store);
        v.record(new Verifications.Verified(Records.D2, "signature", null, "ci-key", null, "trust rule release (abc)", 1000, "tag .sig layer 0"));
        v.record(new Verifications.Verified(Records.D2, "signature", null, "ci-key", null, "trust rule release (abc)", 2000, "tag .sig layer 0"));
        Evidence.Artifact a = new Evidence(store).artifact(Records.D2, 5);
        assertThat(a.verifications()).singleElement().satisfies(x -> {
            assertThat(x.signerIdentity()).isEqualTo("ci-key");
            assertThat(x.verifiedAt()).isEqualTo(2000);
        });
        assertThat(a.firstSeen()).isEqualTo(1000L);
    }

    @StoreTest
    void denylistEntriesAreAccountableAndExpire(Store store) {
        Denylist deny = new Denylist(store);
        Denylist.Entry d = deny.add(Denylist.Kind.DIGEST, Records.D1, "CVE-2024-3094 backdoor", "alice", null, "INC-1");
        assertThat(deny.active(1_000L)).singleElement().extracting(Denylist.Entry::incident).isEqualTo("INC-1");
        deny.add(Denylist.Kind.PURL, "pkg:deb/debian/xz-utils", "CVE-2024-3094", "alice", 5_000L);
        assertThat(deny.active(1_000L)).hasSize(2);
        assertThat(deny.active(6_000L)).extracting(Denylist.Entry::value).containsExactly(Records.D1);
        Denylist.Entry renewed = deny.add(Denylist.Kind.DIGEST, Records.D1, "still bad", "carol", null);
        assertThat(renewed.id()).isEqualTo(d.id());
        assertThat(deny.active(6_000L)).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("still bad");
            assertThat(e.createdBy()).isEqualTo("carol");
        });
        assertThatThrownBy(() -> deny.remove(d.id(), "bob", " ")).hasMessageContaining("needs a reason");
        assertThat(deny.remove(d.id(), "bob", "fixed in 5.6.1")).isTrue();
        assertThat(deny.remove(d.id(), "bob", "again")).isFalse();
        // the history outlives the entry: added, renewed, removed, each with who and why
        assertThat(deny.history(0)).filteredOn(e -> e.entryId().equals(d.id()))
                .extracting(e -> e.action() + " " + e.actor() + " " + e.reason() + " " + e.value())
                .containsExactly("add alice CVE-2024-3094 backdoor " + Records.D1, "add carol still bad " + Records.D1,
                        "remove bob fixed in 5.6.1 " + Records.D1);
        assertThatThrownBy(() -> deny.add(Denylist.Kind.DIGEST, "sha256:xyz", "r", "a", null)).hasMessageContaining("digest must be");
        assertThatThrownBy(() -> deny.add(Denylist.Kind.PURL, "pkg:npm/x", " ", "a", null)).hasMessageContaining("needs a reason");
    }
}
