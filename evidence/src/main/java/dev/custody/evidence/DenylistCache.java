package dev.custody.evidence;

import dev.custody.engine.Denylisted;
import dev.custody.logfmt.Log;
import dev.custody.store.Denylist;
import dev.custody.store.Evidence;
import dev.custody.store.Store;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The emergency denylist as every {@code custody serve} replica enforces it: read from the shared store every poll
 * (half a second in serve, so an entry added anywhere denies within about half a second, five at most), and held as a
 * local copy in between. The copy fails closed: when the store cannot be read, the last list read stays in force,
 * whole, and {@link #status()} says so; an entry leaves only when a successful read no longer has it (removed or
 * expired). A package entry is enforced as the digests whose stored SBOMs list the package, found again on every
 * read, so an SBOM stored later is covered by the next one.
 */
public final class DenylistCache implements Supplier<Denylisted>, AutoCloseable {

    /** What the copy holds and how fresh it is, for /readyz. */
    public record Status(int entries, int digests, long readAt, String problem) {
        /** Whether the last read of the store succeeded. */
        public boolean current() {
            return problem == null && readAt > 0;
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final long MAX_COPY_BYTES = 64L << 20;

    private final Store store;
    private final java.nio.file.Path copy;
    private volatile Denylisted current = Denylisted.NONE;
    private volatile int entries;
    private volatile long readAt;
    private volatile String problem = "not read yet";
    private volatile String enforcing = "nothing: no list was read yet";
    private ScheduledExecutorService poller;

    public DenylistCache(Store store) {
        this(store, null);
    }

    /**
     * @param copy a file that keeps the last list read (digests expanded) across restarts, so a replica started while
     *             the store is down enforces it; null for none
     */
    public DenylistCache(Store store, java.nio.file.Path copy) {
        this.store = store;
        this.copy = copy;
    }

    @Override
    public Denylisted get() {
        return current;
    }

    /** Reads the store now; on failure keeps the copy and records why. Returns whether the read succeeded. */
    public boolean refresh() {
        long now = System.currentTimeMillis();
        try {
            List<Denylist.Entry> active = new Denylist(store).active(now);
            Denylisted read = view(store, active);
            if (copy != null && (readAt == 0 || !read.entries().equals(current.entries()))) {
                save(read, now);
            }
            current = read;
            entries = active.size();
            readAt = now;
            enforcing = "the list read at " + java.time.Instant.ofEpochMilli(now);
            if (problem != null && !problem.equals("not read yet")) {
                Log.info("denylist read again from the store", "entries", active.size());
            }
            problem = null;
            return true;
        } catch (RuntimeException e) {
            if (problem == null) {
                Log.warn("denylist: the store cannot be read; the last list read stays in force", "error", e.getMessage(), "entries", entries);
            }
            problem = "the store cannot be read (" + e.getMessage() + "); enforcing " + enforcing;
            return false;
        }
    }

    /**
     * Reads at once (or, when the store cannot be read, enforces the copy on disk if there is one), then every
     * {@code pollMillis} on a daemon thread.
     */
    public DenylistCache start(long pollMillis) {
        if (!refresh() && copy != null && java.nio.file.Files.isRegularFile(copy)) {
            load();
        }
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "custody-denylist");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::refresh, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
        return this;
    }

    record Saved(long readAt, List<Denylisted.Entry> entries) {}

    private void save(Denylisted list, long at) {
        try {
            java.nio.file.Path dir = copy.toAbsolutePath().getParent();
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Path tmp = java.nio.file.Files.createTempFile(dir, ".denylist-", ".json");
            JSON.writeValue(tmp.toFile(), new Saved(at, list.entries()));
            java.nio.file.Files.move(tmp, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException | RuntimeException e) {
            Log.warn("denylist: cannot keep the copy on disk; the copy in memory is enforced", "file", copy.toString(), "error", e.getMessage());
        }
    }

    /** Enforces the copy on disk; a copy that cannot be read is reported and leaves the list as it was. */
    private void load() {
        try {
            if (java.nio.file.Files.size(copy) > MAX_COPY_BYTES) {
                throw new java.io.IOException("larger than " + MAX_COPY_BYTES + " bytes");
            }
            Saved saved = JSON.readValue(copy.toFile(), Saved.class);
            List<Denylisted.Entry> entries = saved.entries() == null ? List.of() : saved.entries();
            current = new Denylisted(entries);
            this.entries = (int) entries.stream().map(Denylisted.Entry::id).distinct().count();
            enforcing = "the copy in " + copy + ", saved at " + java.time.Instant.ofEpochMilli(saved.readAt());
            problem = "the store cannot be read; enforcing " + enforcing;
            Log.warn("denylist: the store cannot be read; enforcing the copy on disk", "file", copy.toString(), "entries", entries.size());
        } catch (java.io.IOException | RuntimeException e) {
            problem = problem + "; the copy in " + copy + " cannot be read either: " + e.getMessage();
            Log.error("denylist: neither the store nor the copy on disk can be read", "file", copy.toString(), "error", e.getMessage());
        }
    }

    public Status status() {
        return new Status(entries, current.size(), readAt, problem);
    }

    /** The engine's view of store entries: digests and repositories as they are, packages as the digests carrying them. */
    public static Denylisted view(Store store, List<Denylist.Entry> active) {
        List<Denylisted.Entry> out = new ArrayList<>(active.size());
        Evidence evidence = null;
        for (Denylist.Entry e : active) {
            String why = e.incident() == null ? e.reason() : e.reason() + " (incident " + e.incident() + ")";
            switch (e.kind()) {
                case DIGEST -> out.add(new Denylisted.Entry(e.id(), Denylisted.Kind.DIGEST, e.value(), why));
                case REPOSITORY -> out.add(new Denylisted.Entry(e.id(), Denylisted.Kind.REPOSITORY, e.value(), why));
                case VULNERABILITY -> {
                    for (String d : dev.custody.vulns.VulnerableDigests.of(store, e.value()).digests()) {
                        out.add(new Denylisted.Entry(e.id(), Denylisted.Kind.DIGEST, d, "affected by " + e.value() + ": " + why));
                    }
                }
                case PURL -> {
                    if (evidence == null) {
                        evidence = new Evidence(store);
                    }
                    Set<String> digests = new LinkedHashSet<>();
                    for (Evidence.ComponentHit hit : evidence.componentsByPurl(e.value())) {
                        digests.addAll(hit.digests());
                    }
                    for (String d : digests) {
                        out.add(new Denylisted.Entry(e.id(), Denylisted.Kind.DIGEST, d, "its SBOM lists " + e.value() + ": " + why));
                    }
                }
            }
        }
        return new Denylisted(out);
    }

    @Override
    public void close() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }
}
