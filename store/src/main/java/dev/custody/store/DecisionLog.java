package dev.custody.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The decision log writer. Callers {@link #append} records and get a future that completes once the record is
 * committed (its sequence number) or fails. One writer thread takes whatever is queued, up to {@code maxBatch}
 * records, and commits them in one transaction: a group commit, so one fsync covers many decisions and the log
 * keeps up with bursts. Durable callers wait for the future before answering; asynchronous ones do not.
 *
 * <p>The chain tail is read inside each transaction (under PostgreSQL's advisory lock, or SQLite's write lock), so
 * several writers (replicas, a CLI run beside a server) extend one chain without forking it.
 *
 * <p>With a {@link DecisionSpool}, a batch the store does not take goes to local disk instead, and so does every batch
 * after it until a background replay has written the spool to the store: the callers' futures complete with
 * {@link #SPOOLED}. A durable caller that cannot wait longer spools its own record ({@link #appendDurable}). Each record
 * carries an id made here, unique in the store, so a record written both ways is kept once.
 */
public final class DecisionLog implements AutoCloseable {

    /** When a decision counts as recorded. */
    public enum Mode {
        /** Committed before the caller's response is sent. */
        DURABLE,
        /** Queued; committed shortly after. A crash can lose the queued tail. */
        ASYNC
    }

    private record Pending(String id, DecisionRecord record, CompletableFuture<Long> done) {
        DecisionSpool.Entry entry() {
            return new DecisionSpool.Entry(id, record);
        }
    }

    /** The sequence number a future completes with when its record went to the local spool rather than the store. */
    public static final long SPOOLED = 0;

    private record Tail(long seq, String hash) {}

    static final int QUEUE_CAPACITY = 100_000;

    private final Store store;
    private final int maxBatch;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread writer;
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final DecisionSpool spool;
    private final Thread replayer;
    private volatile boolean closing;
    private volatile String lastError;

    public DecisionLog(Store store) {
        this(store, 1024, null);
    }

    public DecisionLog(Store store, int maxBatch) {
        this(store, maxBatch, null);
    }

    /**
     * A log that spools to local disk what the store does not take (spool may be null: then such batches fail). The
     * log owns the spool and closes it.
     */
    public DecisionLog(Store store, int maxBatch, DecisionSpool spool) {
        this.store = store;
        this.maxBatch = maxBatch;
        this.spool = spool;
        this.writer = new Thread(this::run, "custody-decision-log");
        writer.setDaemon(true);
        writer.start();
        if (spool != null) {
            replayer = new Thread(this::replayLoop, "custody-decision-spool");
            replayer.setDaemon(true);
            replayer.start();
        } else {
            replayer = null;
        }
    }

    /** Queues a record; the future completes with its sequence number once it is committed, or {@link #SPOOLED}. */
    public CompletableFuture<Long> append(DecisionRecord record) {
        return enqueue(record).done();
    }

    private Pending enqueue(DecisionRecord record) {
        Pending p = new Pending(java.util.UUID.randomUUID().toString(), record, new CompletableFuture<>());
        if (closing) {
            p.done().completeExceptionally(new StoreException("decision log is closed"));
        } else if (!queue.offer(p)) {
            p.done().completeExceptionally(new StoreException("decision log queue is full (" + QUEUE_CAPACITY + " records waiting)"));
        }
        return p;
    }

    /**
     * Queues a record and waits for it: its sequence number once committed, or {@link #SPOOLED}. When the writer has
     * not settled it within {@code spoolAfter} and there is a spool, the caller writes it to the spool itself (the
     * store may still commit it too: the record id keeps it once). Throws the store's or the spool's error, or a
     * {@link java.util.concurrent.TimeoutException} when nothing settled it within {@code budget}.
     */
    public long appendDurable(DecisionRecord record, java.time.Duration spoolAfter, java.time.Duration budget)
            throws java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException, InterruptedException {
        Pending p = enqueue(record);
        long first = spool == null ? budget.toMillis() : Math.min(spoolAfter.toMillis(), budget.toMillis());
        try {
            return p.done().get(Math.max(1, first), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            if (spool == null) {
                throw e;
            }
        }
        spool(List.of(p));
        return p.done().get(Math.max(1, budget.toMillis() - first), TimeUnit.MILLISECONDS);
    }

    /** The spool, or null. */
    public DecisionSpool spool() {
        return spool;
    }

    /** Writes the unsettled records of a batch to the spool and settles them; the spool's error settles them otherwise. */
    private void spool(List<Pending> batch) {
        List<Pending> open = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            if (!p.done().isDone()) {
                open.add(p);
            }
        }
        if (open.isEmpty()) {
            return;
        }
        try {
            spool.append(open.stream().map(Pending::entry).toList());
        } catch (RuntimeException e) {
            open.forEach(p -> p.done().completeExceptionally(e));
            return;
        }
        open.forEach(p -> p.done().complete(SPOOLED));
    }

    private void replayLoop() {
        while (!closing) {
            try {
                if (spool.active()) {
                    spool.replay(store);
                }
            } catch (RuntimeException e) {
                // the spool keeps the error (its lastError, in /readyz); the next pass tries again
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Records committed by this writer since it started. */
    public long committed() {
        return committed.get();
    }

    /** Transactions committed by this writer since it started. */
    public long batches() {
        return batches.get();
    }

    /** Batches that failed to commit (their callers got the error). */
    public long failures() {
        return failures.get();
    }

    /** The last write error, or null when the last batch committed. */
    public String lastError() {
        return lastError;
    }

    public int queued() {
        return queue.size();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (true) {
            try {
                Pending first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                commit(batch);
            } catch (InterruptedException e) {
                if (closing) {
                    return;
                }
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Pending> batch) {
        if (spool != null && spool.active()) { // checked first so that an idle spool costs the hot path nothing
            try {
                if (spool.appendIfActive(batch.stream().map(Pending::entry).toList())) {
                    batch.forEach(p -> p.done().complete(SPOOLED));
                    return;
                }
            } catch (RuntimeException e) {
                batch.forEach(p -> p.done().completeExceptionally(e));
                return;
            }
        }
        long[] seqs;
        try {
            seqs = store.writeLog(c -> write(c, batch));
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            lastError = e.getMessage();
            if (spool != null) {
                spool(batch);
                return;
            }
            for (Pending p : batch) {
                p.done().completeExceptionally(e);
            }
            try {
                Thread.sleep(50); // the database is failing; do not spin
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        lastError = null;
        committed.addAndGet(batch.size());
        batches.incrementAndGet();
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).done().complete(seqs[i]);
        }
    }

    private long[] write(Connection c, List<Pending> batch) throws SQLException {
        List<DecisionRecord> records = new ArrayList<>(batch.size());
        List<String> ids = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            records.add(p.record());
            ids.add(p.id());
        }
        lock(store, c);
        return write(c, records, ids);
    }

    /**
     * Appends one record inside a transaction the caller holds, so an audited act (an exception approved, say) and its
     * record in the hash chain commit together or not at all. Returns its sequence number.
     */
    public static long appendWithin(Store store, Connection c, DecisionRecord record) throws SQLException {
        lock(store, c);
        return write(c, List.of(record), List.of(java.util.UUID.randomUUID().toString()))[0];
    }

    /** Writes spooled entries whose ids the log does not hold yet; returns how many it wrote. */
    static int writeOnce(Store store, Connection c, List<DecisionSpool.Entry> entries) throws SQLException {
        lock(store, c);
        java.util.Set<String> there = new java.util.HashSet<>();
        StringBuilder q = new StringBuilder("SELECT record_id FROM decision WHERE record_id IN (");
        for (int i = 0; i < entries.size(); i++) {
            q.append(i == 0 ? "?" : ", ?");
        }
        try (PreparedStatement p = c.prepareStatement(q.append(")").toString())) {
            for (int i = 0; i < entries.size(); i++) {
                p.setString(i + 1, entries.get(i).id());
            }
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    there.add(rs.getString(1));
                }
            }
        }
        List<DecisionRecord> records = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (DecisionSpool.Entry e : entries) {
            if (there.add(e.id())) { // add: a segment holding one id twice (a caller and the writer both spooled it) writes it once
                records.add(e.record());
                ids.add(e.id());
            }
        }
        if (!records.isEmpty()) {
            write(c, records, ids);
        }
        return records.size();
    }

    private static void lock(Store store, Connection c) throws SQLException {
        if (store.dialect() == Dialect.POSTGRESQL) {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + Locks.DECISION_LOG + ")");
            }
        }
    }

    private static long[] write(Connection c, List<DecisionRecord> batch, List<String> ids) throws SQLException {
        Tail tail = tail(c);
        long seq = tail.seq();
        String prev = tail.hash();
        long[] seqs = new long[batch.size()];
        try (PreparedStatement d = c.prepareStatement("INSERT INTO decision (seq, recorded_at, source, request_uid, username, operation, "
                + "namespace, kind, name, verdict, policy_version, body, prev_hash, hash, record_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement img = c.prepareStatement("INSERT INTO decision_image (seq, ordinal, image, digest, signed) VALUES (?, ?, ?, ?, ?)");
             PreparedStatement rule = c.prepareStatement("INSERT INTO decision_rule (seq, ordinal, rule, outcome, reason) VALUES (?, ?, ?, ?, ?)")) {
            boolean images = false;
            boolean rules = false;
            for (int i = 0; i < batch.size(); i++) {
                DecisionRecord r = batch.get(i);
                seq++;
                String body = Chain.body(seq, r);
                String hash = Chain.hash(prev, body);
                d.setLong(1, seq);
                d.setLong(2, r.recordedAt());
                d.setString(3, r.source());
                d.setString(4, r.requestUid());
                d.setString(5, r.username());
                d.setString(6, r.operation());
                d.setString(7, r.namespace());
                d.setString(8, r.kind());
                d.setString(9, r.name());
                d.setString(10, r.verdict());
                d.setString(11, r.policyVersion());
                d.setString(12, body);
                d.setString(13, prev);
                d.setString(14, hash);
                d.setString(15, ids.get(i));
                d.addBatch();
                int n = 0;
                for (DecisionRecord.Image im : r.images()) {
                    img.setLong(1, seq);
                    img.setInt(2, n++);
                    img.setString(3, im.image());
                    img.setString(4, im.digest());
                    img.setInt(5, r.signed(im.digest()) ? 1 : 0);
                    img.addBatch();
                    images = true;
                }
                n = 0;
                for (DecisionRecord.RuleOutcome ro : r.rules()) {
                    int ordinal = n++;
                    if (ro.passed()) {
                        continue;
                    }
                    rule.setLong(1, seq);
                    rule.setInt(2, ordinal);
                    rule.setString(3, ro.qualified());
                    rule.setString(4, ro.outcome());
                    rule.setString(5, ro.reason());
                    rule.addBatch();
                    rules = true;
                }
                seqs[i] = seq;
                prev = hash;
            }
            d.executeBatch();
            if (images) {
                img.executeBatch();
            }
            if (rules) {
                rule.executeBatch();
            }
        }
        sightings(c, batch);
        return seqs;
    }

    /** Keeps the artifact inventory: every pinned digest a decision saw, with its repository and tag. */
    private static void sightings(Connection c, List<DecisionRecord> batch) throws SQLException {
        java.util.Map<String, DecisionRecord.Image> digests = new java.util.LinkedHashMap<>();
        java.util.Map<String, DecisionRecord.Image> tags = new java.util.LinkedHashMap<>();
        long now = 0;
        for (DecisionRecord rec : batch) {
            now = Math.max(now, rec.recordedAt());
            for (DecisionRecord.Image im : rec.images()) {
                if (im.digest() == null) {
                    continue;
                }
                digests.putIfAbsent(im.digest(), im); // one row per key: PostgreSQL refuses one statement updating a row twice
                if (im.repository() != null && im.tag() != null) {
                    tags.putIfAbsent(im.digest() + " " + im.repository() + " " + im.tag(), im);
                }
            }
        }
        if (digests.isEmpty()) {
            return;
        }
        try (PreparedStatement a = c.prepareStatement(Artifacts.UPSERT)) {
            for (DecisionRecord.Image im : digests.values()) {
                Artifacts.add(a, im.digest(), im.repository(), now);
            }
            a.executeBatch();
        }
        if (tags.isEmpty()) {
            return;
        }
        try (PreparedStatement t = c.prepareStatement("INSERT INTO artifact_tag (digest, repository, tag, first_seen, last_seen) "
                + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (digest, repository, tag) DO UPDATE SET last_seen = excluded.last_seen")) {
            for (DecisionRecord.Image im : tags.values()) {
                t.setString(1, im.digest());
                t.setString(2, im.repository());
                t.setString(3, im.tag());
                t.setLong(4, now);
                t.setLong(5, now);
                t.addBatch();
            }
            t.executeBatch();
        }
    }

    private static Tail tail(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT seq, hash FROM decision ORDER BY seq DESC LIMIT 1")) {
            if (rs.next()) {
                return new Tail(rs.getLong(1), rs.getString(2));
            }
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT seq, hash FROM chain_anchor WHERE id = 1")) {
            if (rs.next()) {
                return new Tail(rs.getLong(1), rs.getString(2));
            }
        }
        return new Tail(0, Chain.GENESIS);
    }

    /** Stops taking records, commits what is queued, and stops the writer. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(30_000);
            if (replayer != null) {
                replayer.interrupt();
                replayer.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Pending p;
        while ((p = queue.poll()) != null) {
            p.done().completeExceptionally(new StoreException("decision log closed before this record was written"));
        }
        if (spool != null) {
            spool.close();
        }
    }
}
