package dev.custody.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.store.RuntimeInventory.WorkloadRef;
import dev.custody.store.WorkloadReports.Report;
import java.util.List;

class WorkloadReportsTest {

    private static Report report(String ns, String name, String verdict, String results) {
        return new Report("east", ns, new WorkloadRef("Deployment", name), verdict, verdict.equals("fail"), 2, "v1", "policy", 0, 0, results);
    }

    @StoreTest
    void aRunReplacesTheSetAndKeepsWhenUnchangedResultsFirstChanged(Store store) {
        WorkloadReports reports = new WorkloadReports(store);
        WorkloadReports.Replaced first = reports.replaceAll(List.of(report("shop", "api", "pass", "[]"), report("shop", "web", "fail", "[1]"),
                report("ops", "cron", "warn", "[2]")), 1_000);
        assertThat(first).isEqualTo(new WorkloadReports.Replaced(3, 0, 0));
        // the next run: api unchanged, web now passes, cron stopped running
        WorkloadReports.Replaced second = reports.replaceAll(List.of(report("shop", "api", "pass", "[]"), report("shop", "web", "pass", "[]")), 5_000);
        assertThat(second).isEqualTo(new WorkloadReports.Replaced(1, 1, 1));
        List<Report> now = reports.list(null, null, null);
        assertThat(now).extracting(r -> r.workload().name()).containsExactly("api", "web");
        assertThat(now.get(0).changedAt()).as("unchanged since the first run").isEqualTo(1_000);
        assertThat(now.get(0).evaluatedAt()).isEqualTo(5_000);
        assertThat(now.get(1).changedAt()).isEqualTo(5_000);
        assertThat(reports.list("east", "shop", "fail")).isEmpty();
        assertThat(reports.list(null, "shop", "pass")).hasSize(2);
        assertThat(reports.list("west", null, null)).isEmpty();
    }

    @StoreTest
    void presentPodsCarryTheDigestTheKubeletReportsForEachDeclaredImage(Store store) {
        RuntimeInventory inv = new RuntimeInventory(store);
        inv.observe(List.of(RuntimeInventoryTest.pod("east", "u1", "api-1", Records.D2, Records.D1)), 1_000);
        assertThat(inv.presentPods()).singleElement().satisfies(p -> {
            assertThat(p.runningDigest("registry.example/shop/api@" + Records.D1)).isEqualTo(Records.D2);
            assertThat(p.runningDigest("registry.example/tools:1")).as("an init container that reported no imageID").isNull();
        });
    }
}
