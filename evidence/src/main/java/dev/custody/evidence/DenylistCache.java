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
 * (one second by default, so an entry added anywhere denies within about a second, five at most), and held as a
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

    private final Store store;
    private volatile Denylisted current = Denylisted.NONE;
    private volatile int entries;
    private volatile long readAt;
    private volatile String problem = "not read yet";
    private ScheduledExecutorService poller;

    public DenylistCache(Store store) {
        this.store = store;
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
            current = view(store, active);
            entries = active.size();
            readAt = now;
            if (problem != null && !problem.equals("not read yet")) {
                Log.info("denylist read again from the store", "entries", active.size());
            }
            problem = null;
            return true;
        } catch (RuntimeException e) {
            if (problem == null) {
                Log.warn("denylist: the store cannot be read; the last list read stays in force", "error", e.getMessage(), "entries", entries);
            }
            problem = "the store cannot be read (" + e.getMessage() + "); enforcing the list read at " + java.time.Instant.ofEpochMilli(readAt);
            if (readAt == 0) {
                problem = "the store cannot be read (" + e.getMessage() + "); no list read yet";
            }
            return false;
        }
    }

    /** Reads at once, then every {@code pollMillis} on a daemon thread. */
    public DenylistCache start(long pollMillis) {
        refresh();
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "custody-denylist");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::refresh, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
        return this;
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
