package dev.custody.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.store.RuntimeInventory.PodObservation;
import java.util.List;

class InventoryListingTest {

    @StoreTest
    void aPageOfTheInventoryIsFilteredByPlaceTeamRegistryEvidenceAndDrift(Store store) {
        RuntimeInventory inv = new RuntimeInventory(store);
        InventoryListing listing = new InventoryListing(store);
        List<PodObservation> east = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            east.add(RuntimeInventoryTest.pod("east", "e" + i, "api-" + i, i % 2 == 0 ? Records.D1 : Records.D2, i == 6 ? Records.D2.replace('2', '3') : null));
        }
        inv.replaceAll("east", east, 10_000);
        inv.replaceAll("west", List.of(RuntimeInventoryTest.pod("west", "w1", "api-w", Records.D1, null)), 10_000);
        new Verifications(store).record(new Verifications.Verified(Records.D1, "signature", null, "ci@example.com", null, "trust/ci", 10_000, "test"));
        new SbomStore(store).ingest(Records.sbom("7", List.of(Records.D2), "pkg:npm/left-pad@1.0.0"), "{}".getBytes(), List.of(Records.D2), "test");

        InventoryListing.Page all = listing.page(InventoryListing.Filter.NONE, null, null, 100);
        assertThat(all.total()).as("every container of every present pod").isEqualTo(16);
        assertThat(all.rows()).extracting(l -> l.row().cluster() + "/" + l.row().pod() + "/" + l.row().container()).startsWith("east/api-0/app",
                "east/api-0/init", "east/api-1/app");
        assertThat(all.more()).isFalse();
        assertThat(all.earlier()).isFalse();
        // three pods at a time, forward from each page's last pod and back from its first: every container once, in order
        List<String> walked = new java.util.ArrayList<>();
        InventoryListing.Page p = listing.page(InventoryListing.Filter.NONE, null, null, 3);
        List<InventoryListing.Page> pages = new java.util.ArrayList<>();
        while (true) {
            pages.add(p);
            p.rows().forEach(l -> walked.add(l.row().cluster() + "/" + l.row().pod() + "/" + l.row().container()));
            assertThat(p.total()).isEqualTo(16);
            if (!p.more()) {
                break;
            }
            p = listing.page(InventoryListing.Filter.NONE, InventoryListing.Cursor.of(p.rows().getLast().row()), null, 3);
            assertThat(p.earlier()).isTrue();
        }
        assertThat(walked).isEqualTo(all.rows().stream().map(l -> l.row().cluster() + "/" + l.row().pod() + "/" + l.row().container()).toList());
        assertThat(pages).extracting(x -> x.rows().size()).containsExactly(6, 6, 4);
        InventoryListing.Page back = listing.page(InventoryListing.Filter.NONE, null, InventoryListing.Cursor.of(pages.get(2).rows().getFirst().row()), 3);
        assertThat(back.rows()).isEqualTo(pages.get(1).rows());
        assertThat(back.more()).isTrue();
        assertThat(back.earlier()).isTrue();
        InventoryListing.Page first = listing.page(InventoryListing.Filter.NONE, null, InventoryListing.Cursor.of(pages.get(1).rows().getFirst().row()), 3);
        assertThat(first.rows()).isEqualTo(pages.get(0).rows());
        assertThat(first.earlier()).isFalse();
        // a filter on containers pages by the pods that have a matching one
        InventoryListing.Page d1 = listing.page(new InventoryListing.Filter(null, null, null, null, true, null, false), null, null, 2);
        assertThat(d1.rows()).extracting(l -> l.row().pod()).containsExactly("api-0", "api-2");
        assertThat(d1.more()).isTrue();
        assertThat(listing.page(new InventoryListing.Filter(null, null, null, null, true, null, false), InventoryListing.Cursor.of(d1.rows().getLast().row()),
                null, 2).rows()).extracting(l -> l.row().pod()).containsExactly("api-4", "api-6");
        assertThat(listing.page(new InventoryListing.Filter("west", null, null, null, null, null, false), null, null, 100).total()).isEqualTo(2);
        assertThat(listing.page(new InventoryListing.Filter(null, null, List.<String[]>of(new String[] {"west", "shop"}), null, null, null, false), null, null, 100)
                .total()).as("a team's namespaces").isEqualTo(2);
        assertThat(listing.page(new InventoryListing.Filter(null, null, List.of(), null, null, null, false), null, null, 100).total()).isZero();
        assertThat(listing.page(new InventoryListing.Filter(null, null, null, "registry.example/shop", null, null, false), null, null, 100).total()).isEqualTo(8);
        assertThat(listing.page(new InventoryListing.Filter(null, null, null, "registry.example", null, null, false), null, null, 100).total()).isEqualTo(16);
        assertThat(listing.page(new InventoryListing.Filter(null, null, null, "registry.ex", null, null, false), null, null, 100).total())
                .as("a registry is a whole path segment").isZero();
        InventoryListing.Page signed = listing.page(new InventoryListing.Filter(null, null, null, null, true, null, false), null, null, 100);
        assertThat(signed.rows()).hasSize(5).allSatisfy(l -> {
            assertThat(l.row().digest()).isEqualTo(Records.D1);
            assertThat(l.signed()).isTrue();
            assertThat(l.sbom()).isFalse();
        });
        InventoryListing.Page unsigned = listing.page(new InventoryListing.Filter(null, null, null, null, false, true, false), null, null, 100);
        assertThat(unsigned.rows()).hasSize(3).allSatisfy(l -> assertThat(l.sbom()).isTrue());
        assertThat(listing.page(new InventoryListing.Filter(null, null, null, null, null, null, true), null, null, 100).rows()).singleElement()
                .satisfies(l -> assertThat(l.row().pod()).isEqualTo("api-6"));
        assertThat(listing.digestsOfImage("registry.example/shop/api")).containsExactlyInAnyOrder(Records.D1, Records.D2);
        assertThat(listing.digestsOfImage("registry.example/shop/api@" + Records.D1)).containsExactly(Records.D1);
        assertThat(listing.digestsOfImage("registry.example/shop")).isEmpty();
        assertThat(listing.digestsOfImage("registry.example/shop/a%")).as("LIKE wildcards are literal").isEmpty();
    }
}
