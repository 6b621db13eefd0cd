package dev.custody.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Decisions kept on local disk while the store cannot take them: segment files of one JSON record per line, each
 * append forced to disk before it returns, so a decision answered from the spool survives a crash of the process.
 * When the store answers again the segments are written to it in order, each record under the id it was given when
 * it was made ({@code decision.record_id} is unique), so a record whose first write did commit after all is not
 * written twice, and the hash chain is extended as by any other write.
 *
 * <p>One process owns a spool directory (a lock file says so). The spool is active from its first append until a
 * replay finds it empty; while active, the decision log appends here rather than to the store, so decisions reach the
 * store in the order they were made.
 */
public final class DecisionSpool implements AutoCloseable {

    /** A spooled record: its id in the log, and the record. */
    public record Entry(String id, DecisionRecord record) {}

    /** What a replay did. */
    public record Replay(int written, int alreadyThere, int segments) {}

    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final int REPLAY_CHUNK = 500;

    private final Path dir;
    private final long maxRecords;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private FileChannel current;
    private Path currentPath;
    private long currentRecords;
    private long spooledRecords; // in every segment not yet replayed
    private long segmentCounter;
    private boolean active;
    private long written; // tickets of writes, guarded by this
    private final Object forcing = new Object();
    private long forced; // the last ticket on disk, guarded by forcing
    private volatile long replayed;
    private volatile String lastError;

    private DecisionSpool(Path dir, long maxRecords, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.maxRecords = maxRecords;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Opens (creating) a spool directory; segments left by an earlier run make it active, to be replayed. */
    public static DecisionSpool open(Path dir, long maxRecords) {
        try {
            Files.createDirectories(dir);
            FileChannel ch = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                ch.close();
                throw new StoreException("decision spool " + dir + " is in use by another process; give each replica its own spool directory");
            }
            DecisionSpool spool = new DecisionSpool(dir, maxRecords, ch, lock);
            for (Path p : spool.segments()) {
                spool.spooledRecords += countLines(p);
                spool.segmentCounter = Math.max(spool.segmentCounter, sequence(p));
            }
            spool.active = !spool.segments().isEmpty();
            return spool;
        } catch (IOException e) {
            throw new StoreException("cannot open decision spool " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens the first spool directory of {@code base}, {@code base-2}, ... {@code base-<slots>} that no running process
     * holds. Several replicas on one host and store each get their own, and a replica started after one died takes the
     * lowest free slot, so what a dead replica left in it is replayed.
     */
    public static DecisionSpool openFree(Path base, int slots, long maxRecords) {
        StoreException last = null;
        for (int i = 1; i <= slots; i++) {
            Path dir = i == 1 ? base : base.resolveSibling(base.getFileName() + "-" + i);
            try {
                return open(dir, maxRecords);
            } catch (StoreException e) {
                if (!e.getMessage().contains("in use")) {
                    throw e;
                }
                last = e;
            }
        }
        throw new StoreException("every decision spool slot " + base + "[-2.." + slots + "] is in use (" + last.getMessage()
                + "); give --spool-dir");
    }

    public Path directory() {
        return dir;
    }

    /** Records on disk, waiting for the store. */
    public synchronized long spooled() {
        return spooledRecords;
    }

    /** Records written from the spool to the store since this process started. */
    public long replayed() {
        return replayed;
    }

    /** Whether decisions go here rather than to the store (the store failed, and the spool has not been emptied since). */
    public synchronized boolean active() {
        return active;
    }

    /** The last replay error, or null. */
    public String lastError() {
        return lastError;
    }

    /** Appends records and forces them to disk; the spool is active from now on. Throws when it cannot, or is full. */
    public void append(List<Entry> entries) {
        long ticket;
        synchronized (this) {
            active = true;
            ticket = write(entries);
        }
        force(ticket);
    }

    /** Appends when the spool is active and returns true; returns false (and writes nothing) when it is not. */
    public boolean appendIfActive(List<Entry> entries) {
        long ticket;
        synchronized (this) {
            if (!active) {
                return false;
            }
            ticket = write(entries);
        }
        force(ticket);
        return true;
    }

    /** Writes the lines (not yet forced); returns the write's ticket for {@link #force}. */
    private long write(List<Entry> entries) {
        if (entries.isEmpty()) {
            return written;
        }
        if (spooledRecords + entries.size() > maxRecords) {
            throw new StoreException("decision spool " + dir + " is full (" + spooledRecords + " records waiting for the store)");
        }
        StringBuilder sb = new StringBuilder(entries.size() * 512);
        try {
            for (Entry e : entries) {
                sb.append(JSON.writeValueAsString(e)).append('\n');
            }
            if (current == null) {
                currentPath = dir.resolve(String.format("segment-%012d.jsonl", ++segmentCounter));
                current = FileChannel.open(currentPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                currentRecords = 0;
            }
            ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                current.write(buf);
            }
        } catch (IOException e) {
            throw new StoreException("cannot write decision spool " + dir + ": " + e.getMessage(), e);
        }
        currentRecords += entries.size();
        spooledRecords += entries.size();
        return ++written;
    }

    /**
     * Returns once the write with this ticket is on disk. Writers that arrive while one forces the file wait for it
     * and are covered by the next force together: one fsync for all of them, as the store's group commit does.
     */
    private void force(long ticket) {
        synchronized (forcing) {
            if (forced >= ticket) {
                return;
            }
            FileChannel ch;
            long upTo;
            synchronized (this) {
                ch = current;
                upTo = written;
            }
            if (ch != null) {
                try {
                    ch.force(false);
                } catch (java.nio.channels.ClosedChannelException e) {
                    // a replay closed the segment, forcing it first
                } catch (IOException e) {
                    throw new StoreException("cannot write decision spool " + dir + ": " + e.getMessage(), e);
                }
            }
            forced = upTo;
        }
    }

    /**
     * Writes every spooled record to the store, oldest segment first, and deletes each segment once it is in. Returns
     * what it did; the spool stops being active when nothing is left. A store failure is thrown, leaving the segment
     * that failed (and those after it) in place for the next replay.
     */
    public Replay replay(Store store) {
        try {
            return replayAll(store);
        } catch (RuntimeException e) {
            lastError = e.getMessage();
            throw e;
        }
    }

    private Replay replayAll(Store store) {
        int written = 0;
        int there = 0;
        int segments = 0;
        while (true) {
            List<Path> closed;
            synchronized (this) {
                if (current != null && currentRecords > 0) {
                    closeCurrent(); // new appends go to a new segment while this one is replayed
                }
                closed = segments();
                if (closed.isEmpty()) {
                    active = false;
                    spooledRecords = current == null ? 0 : currentRecords;
                    lastError = unreadable();
                    return new Replay(written, there, segments);
                }
            }
            for (Path p : closed) {
                List<Entry> entries = read(p);
                for (int i = 0; i < entries.size(); i += REPLAY_CHUNK) {
                    List<Entry> chunk = entries.subList(i, Math.min(entries.size(), i + REPLAY_CHUNK));
                    int n = store.writeLog(c -> DecisionLog.writeOnce(store, c, chunk));
                    written += n;
                    there += chunk.size() - n;
                    replayed += n;
                }
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new StoreException("cannot remove replayed decision spool segment " + p + ": " + e.getMessage(), e);
                }
                synchronized (this) {
                    spooledRecords -= entries.size();
                }
                segments++;
            }
        }
    }

    private void closeCurrent() {
        try {
            current.force(false);
            current.close();
        } catch (IOException ignored) {
            // forced at every append: nothing is left to flush
        }
        current = null;
        currentPath = null;
        currentRecords = 0;
    }

    private List<Path> segments() {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().matches("segment-\\d+\\.jsonl") && !p.equals(currentPath)).sorted().forEach(out::add);
        } catch (IOException e) {
            throw new StoreException("cannot list decision spool " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * The entries of a segment. A last line without its newline is a write the process did not finish (it was not
     * acknowledged, so it was never answered from): it is left out. Any other unreadable line stops the replay, with the
     * segment moved aside under a name that says so, so that nothing is dropped silently.
     */
    static List<Entry> read(Path p) {
        List<Entry> out = new ArrayList<>();
        String text;
        try {
            text = Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StoreException("cannot read decision spool segment " + p + ": " + e.getMessage(), e);
        }
        int line = 0;
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                break; // torn tail
            }
            line++;
            String s = text.substring(start, end);
            start = end + 1;
            try {
                out.add(JSON.readValue(s, Entry.class));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                Path aside = p.resolveSibling(p.getFileName() + ".unreadable");
                try {
                    Files.move(p, aside, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException ignored) {
                    // the error below names the segment either way
                }
                throw new StoreException("decision spool segment " + p + " line " + line + " is unreadable (" + e.getOriginalMessage()
                        + "); the segment is kept as " + aside.getFileName() + " for a person to look at");
            }
        }
        return out;
    }

    /** Whole lines: a torn last line is not a record. */
    private static long countLines(Path p) throws IOException {
        long n = 0;
        try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            int c;
            while ((c = r.read()) >= 0) {
                if (c == '\n') {
                    n++;
                }
            }
        }
        return n;
    }

    /** A message naming the segments set aside as unreadable, or null when there are none. */
    private String unreadable() {
        try (Stream<Path> s = Files.list(dir)) {
            long n = s.filter(p -> p.getFileName().toString().endsWith(".unreadable")).count();
            return n == 0 ? null : n + " unreadable segment(s) kept in " + dir + " (not written to the store)";
        } catch (IOException e) {
            return "cannot list decision spool " + dir + ": " + e.getMessage();
        }
    }

    private static long sequence(Path p) {
        String n = p.getFileName().toString();
        return Long.parseLong(n.substring("segment-".length(), n.length() - ".jsonl".length()));
    }

    @Override
    public synchronized void close() {
        if (current != null) {
            closeCurrent();
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException ignored) {
            // the lock goes with the process anyway
        }
    }
}
