package dev.custody.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

class DecisionLogTest {

    private static List<Long> append(Store store, int n) throws Exception {
        List<Long> seqs = new ArrayList<>();
        try (DecisionLog log = new DecisionLog(store)) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(log.append(Records.decision(i, i % 2 == 0 ? "prod" : "dev", i % 3 == 0 ? "denied" : "allowed",
                        i % 4 == 0 ? null : Records.D1)));
            }
            for (CompletableFuture<Long> f : futures) {
                seqs.add(f.get(30, TimeUnit.SECONDS));
            }
        }
        return seqs;
    }

    private static void sql(Store store, String sql) {
        store.write(c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                return p.executeUpdate();
            }
        });
    }

    @StoreTest
    void appendedRecordsFormAnIntactChain(Store store) throws Exception {
        List<Long> seqs = append(store, 500);
        assertThat(seqs).isSortedAccordingTo(Long::compare).doesNotHaveDuplicates().hasSize(500);
        Audit.Verification v = new Audit(store).verify(null);
        assertThat(v.problems()).isEmpty();
        assertThat(v.records()).isEqualTo(500);
        assertThat(v.firstSeq()).isEqualTo(1);
        assertThat(v.lastSeq()).isEqualTo(500);
        assertThat(new Audit(store).verify(v.head()).ok()).isTrue();
    }

    @StoreTest
    void concurrentWritersAndASecondLogShareOneChain(Store store) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (DecisionLog a = new DecisionLog(store, 64); DecisionLog b = new DecisionLog(store, 64)) {
            List<CompletableFuture<Long>> all = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                int k = i;
                all.add(CompletableFuture.supplyAsync(() -> (k % 2 == 0 ? a : b).append(Records.decision(k, "prod", "allowed", Records.D2)), pool)
                        .thenCompose(f -> f));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdown();
        }
        Audit.Verification v = new Audit(store).verify(null);
        assertThat(v.problems()).isEmpty();
        assertThat(v.records()).isEqualTo(2000);
    }

    @StoreTest
    void anAlteredBodyIsDetected(Store store) throws Exception {
        append(store, 50);
        sql(store, "UPDATE decision SET body = REPLACE(body, '\"verdict\":\"denied\"', '\"verdict\":\"allowed\"') WHERE seq = 10");
        Audit.Verification v = new Audit(store).verify(null);
        assertThat(v.ok()).isFalse();
        assertThat(v.problems()).anySatisfy(p -> assertThat(p).startsWith("record 10 was altered"));
    }

    @StoreTest
    void anAlteredColumnIsDetected(Store store) throws Exception {
        append(store, 20);
        sql(store, "UPDATE decision SET verdict = 'allowed' WHERE seq = 4");
        assertThat(new Audit(store).verify(null).problems()).containsExactly("record 4 was altered: column verdict differs from the hashed body");
    }

    @StoreTest
    void aRemovedRecordIsDetected(Store store) throws Exception {
        append(store, 20);
        sql(store, "DELETE FROM decision WHERE seq = 7");
        assertThat(new Audit(store).verify(null).problems())
                .anySatisfy(p -> assertThat(p).isEqualTo("records 7 are missing"))
                .anySatisfy(p -> assertThat(p).startsWith("record 8 does not follow its predecessor"));
    }

    @StoreTest
    void reorderedRecordsAreDetected(Store store) throws Exception {
        append(store, 20);
        // swap the contents of 5 and 6 (bodies, hashes and links), keeping their sequence numbers
        sql(store, "UPDATE decision SET seq = -5 WHERE seq = 5");
        sql(store, "UPDATE decision SET seq = 5 WHERE seq = 6");
        sql(store, "UPDATE decision SET seq = 6 WHERE seq = -5");
        Audit.Verification v = new Audit(store).verify(null);
        assertThat(v.ok()).isFalse();
        assertThat(v.problems()).anySatisfy(p -> assertThat(p).contains("record 5"));
    }

    @StoreTest
    void aRecomputedTailIsCaughtByASavedHead(Store store) throws Exception {
        append(store, 30);
        String head = new Audit(store).verify(null).head();
        sql(store, "DELETE FROM decision WHERE seq > 25");
        assertThat(new Audit(store).verify(null).ok()).isTrue(); // a clean cut is only visible against a saved head
        assertThat(new Audit(store).verify(head).problems()).singleElement().asString().contains("saved head");
    }

    @StoreTest
    void retentionRemovesTheOldHeadAndTheRestStillVerifies(Store store) throws Exception {
        append(store, 100);
        Audit audit = new Audit(store);
        Audit.Pruned pruned = audit.prune(1_700_000_000_000L + 40, 7); // records 1..40 have recorded_at < +40
        assertThat(pruned.records()).isEqualTo(40);
        assertThat(pruned.anchorSeq()).isEqualTo(40);
        Audit.Verification v = audit.verify(null);
        assertThat(v.problems()).isEmpty();
        assertThat(v.firstSeq()).isEqualTo(41);
        assertThat(v.records()).isEqualTo(60);
        append(store, 5); // the chain continues from the remaining tail
        assertThat(audit.verify(null).ok()).isTrue();
        audit.prune(Long.MAX_VALUE, 1000); // everything, then new records follow the anchor
        append(store, 3);
        Audit.Verification after = audit.verify(null);
        assertThat(after.problems()).isEmpty();
        assertThat(after.firstSeq()).isEqualTo(106);
    }

    @StoreTest
    void aFailingStoreFailsTheFutureNotTheWriter(Store store) throws Exception {
        try (DecisionLog log = new DecisionLog(store)) {
            sql(store, "ALTER TABLE decision_image RENAME TO decision_image_away");
            CompletableFuture<Long> f = log.append(Records.decision(1, "prod", "allowed", Records.D1));
            assertThat(f).failsWithin(30, TimeUnit.SECONDS);
            assertThat(log.lastError()).contains("decision_image");
            sql(store, "ALTER TABLE decision_image_away RENAME TO decision_image");
            assertThat(log.append(Records.decision(2, "prod", "allowed", Records.D1)).get(30, TimeUnit.SECONDS)).isEqualTo(1L); // still writing
            assertThat(log.lastError()).isNull();
        }
    }
}
