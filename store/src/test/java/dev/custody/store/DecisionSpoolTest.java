package dev.custody.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decision spool. The store's failure is made real by renaming the decision table away, so that every insert the
 * log tries fails as it would against a store that refuses writes, then renaming it back.
 */
class DecisionSpoolTest {

    @TempDir
    Path tmp;

    private static void sql(Store store, String sql) {
        store.write(c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                return p.executeUpdate();
            }
        });
    }

    private static long count(Store store, String sql) {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement(sql); ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private static void await(java.util.function.BooleanSupplier done) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 30 s").isLessThan(until);
            Thread.sleep(50);
        }
    }

    @StoreTest
    void decisionsTheStoreRefusesAreSpooledAndWrittenOnceWhenItAnswers(Store store) throws Exception {
        for (int i = 0; i < 20; i++) { // a chain to extend
            new DecisionLog(store).append(Records.decision(i, "prod", "allowed", Records.D1)).get(30, TimeUnit.SECONDS);
        }
        sql(store, "ALTER TABLE decision RENAME TO decision_away");
        DecisionSpool spool = DecisionSpool.open(tmp.resolve("spool"), 10_000);
        try (DecisionLog log = new DecisionLog(store, 64, spool)) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                futures.add(log.append(Records.decision(100 + i, "prod", i % 3 == 0 ? "denied" : "allowed", Records.D2)));
            }
            for (CompletableFuture<Long> f : futures) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(DecisionLog.SPOOLED);
            }
            assertThat(spool.spooled()).isEqualTo(300);
            assertThat(spool.active()).isTrue();
            sql(store, "ALTER TABLE decision_away RENAME TO decision");
            await(() -> !spool.active());
            assertThat(spool.spooled()).isZero();
            assertThat(spool.replayed()).isEqualTo(300);
            // once the spool is empty, the log writes to the store again
            long seq = log.append(Records.decision(999, "prod", "allowed", Records.D1)).get(30, TimeUnit.SECONDS);
            assertThat(seq).isEqualTo(321);
        }
        assertThat(count(store, "SELECT COUNT(*) FROM decision")).isEqualTo(321);
        assertThat(count(store, "SELECT COUNT(DISTINCT record_id) FROM decision")).isEqualTo(321);
        Audit.Verification v = new Audit(store).verify(null);
        assertThat(v.problems()).isEmpty();
        assertThat(v.records()).isEqualTo(321);
        try (var dir = Files.list(tmp.resolve("spool"))) {
            assertThat(dir.map(p -> p.getFileName().toString())).containsExactly("lock");
        }
    }

    @StoreTest
    void aRecordWrittenBothToTheStoreAndToTheSpoolIsKeptOnce(Store store) throws Exception {
        List<DecisionSpool.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            entries.add(new DecisionSpool.Entry("id-" + i, Records.decision(i, "prod", "allowed", Records.D1)));
        }
        // the store took the first six (say the commit landed but its answer was lost), and the spool holds all ten,
        // the seventh twice (a caller and the writer both spooled it)
        int first = store.write(c -> DecisionLog.writeOnce(store, c, entries.subList(0, 6)));
        assertThat(first).isEqualTo(6);
        DecisionSpool spool = DecisionSpool.open(tmp.resolve("spool"), 1000);
        spool.append(entries);
        spool.append(List.of(entries.get(6)));
        var replay = spool.replay(store);
        assertThat(replay.written()).isEqualTo(4);
        assertThat(replay.alreadyThere()).isEqualTo(7);
        assertThat(count(store, "SELECT COUNT(*) FROM decision")).isEqualTo(10);
        assertThat(new Audit(store).verify(null).problems()).isEmpty();
        spool.close();
    }

    @StoreTest
    void aRestartReplaysWhatTheLastProcessSpooled(Store store) throws Exception {
        sql(store, "ALTER TABLE decision RENAME TO decision_away");
        Path dir = tmp.resolve("spool");
        try (DecisionLog log = new DecisionLog(store, 64, DecisionSpool.open(dir, 1000))) {
            for (int i = 0; i < 25; i++) {
                assertThat(log.appendDurable(Records.decision(i, "prod", "allowed", Records.D1), Duration.ofMillis(750), Duration.ofSeconds(9)))
                        .isEqualTo(DecisionLog.SPOOLED);
            }
        }
        sql(store, "ALTER TABLE decision_away RENAME TO decision");
        DecisionSpool again = DecisionSpool.open(dir, 1000);
        assertThat(again.active()).isTrue();
        assertThat(again.spooled()).isEqualTo(25);
        try (DecisionLog log = new DecisionLog(store, 64, again)) {
            await(() -> !again.active());
        }
        assertThat(count(store, "SELECT COUNT(*) FROM decision")).isEqualTo(25);
    }

    @Test
    void aTornLastLineIsLeftOutAndAnUnreadableLineStopsTheReplayLosingNothing() throws Exception {
        Path dir = tmp.resolve("spool");
        DecisionSpool spool = DecisionSpool.open(dir, 1000);
        spool.append(List.of(new DecisionSpool.Entry("a", Records.decision(1, "prod", "allowed", Records.D1))));
        spool.close();
        Path segment = dir.resolve("segment-000000000001.jsonl");
        String good = Files.readString(segment);
        Files.writeString(segment, good + "{\"id\":\"b\",\"rec"); // the process died inside this write
        assertThat(DecisionSpool.read(segment)).extracting(DecisionSpool.Entry::id).containsExactly("a");
        try (DecisionSpool reopened = DecisionSpool.open(dir, 1000)) {
            assertThat(reopened.spooled()).as("the torn line is not a record").isEqualTo(1);
            assertThat(reopened.active()).isTrue();
        }

        Files.writeString(segment, good + "not json\n" + good);
        assertThatThrownBy(() -> DecisionSpool.read(segment)).isInstanceOf(StoreException.class)
                .hasMessageContaining("line 2").hasMessageContaining("segment-000000000001.jsonl.unreadable");
        assertThat(dir.resolve("segment-000000000001.jsonl.unreadable")).exists();
    }

    @Test
    void oneProcessOwnsASpoolDirectory() throws Exception {
        Path dir = tmp.resolve("spool");
        try (DecisionSpool first = DecisionSpool.open(dir, 10)) {
            assertThatThrownBy(() -> DecisionSpool.open(dir, 10)).isInstanceOf(StoreException.class).hasMessageContaining("in use");
            List<DecisionSpool.Entry> eleven = new ArrayList<>();
            for (int i = 0; i < 11; i++) {
                eleven.add(new DecisionSpool.Entry("e" + i, Records.decision(i, "prod", "allowed", Records.D1)));
            }
            assertThatThrownBy(() -> first.append(eleven)).isInstanceOf(StoreException.class).hasMessageContaining("full");
            assertThat(first.spooled()).isZero();
            try (DecisionSpool second = DecisionSpool.openFree(dir, 3, 10)) {
                assertThat(second.directory()).isEqualTo(tmp.resolve("spool-2"));
            }
        }
    }
}
