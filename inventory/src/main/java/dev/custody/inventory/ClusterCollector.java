package dev.custody.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.store.RuntimeInventory;
import dev.custody.store.RuntimeInventory.PodObservation;
import dev.custody.store.StoreException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Records what runs in one cluster. {@link #snapshot()} lists everything once; {@link #start()} keeps watching with
 * informers and writes changes in batches. Both write through {@link RuntimeInventory#replaceAll}, which is idempotent,
 * so a collector that is restarted, or whose API server was away, lists again and the store loses and duplicates
 * nothing. The one thing a listing cannot recover is a pod that came and went while nobody watched.
 */
public final class ClusterCollector implements AutoCloseable {

    /**
     * How one listing went.
     *
     * @param listMillis   listing every page (mostly the API server's time) and turning pods into observations
     * @param recordMillis writing the observations to the store
     */
    public record Snapshot(String cluster, int pods, int containers, int namespaces, int vanished, long listMillis, long recordMillis) {}

    /** What the collector knows of its cluster now. */
    public record Status(String cluster, boolean synced, boolean watching, String message, long lastWriteAt) {
        public boolean ready() {
            return synced && watching;
        }

        /** starting (first listing not recorded yet), watching, or unreachable (the API server does not answer). */
        public String state() {
            return !synced ? "starting" : watching ? "watching" : "unreachable";
        }
    }

    /** A cluster that could not be listed; the message names the cluster. */
    public static final class UnreachableException extends RuntimeException {
        UnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final int PAGE = 500;
    private static final Object GONE = new Object();

    private final String cluster;
    private final KubernetesClient client;
    private final RuntimeInventory inventory;
    private final Consumer<String> log;

    private SharedIndexInformer<Namespace> namespaces;
    private SharedIndexInformer<ReplicaSet> replicaSets;
    private SharedIndexInformer<Job> jobs;
    private SharedIndexInformer<Pod> pods;
    private ScheduledExecutorService writer;
    private final Map<String, Object> pending = new LinkedHashMap<>(); // pod uid -> Pod or GONE, newest wins
    private volatile boolean reconciled;
    private volatile String lastProblem;
    private volatile long lastWriteAt;
    private volatile String reportedState;

    public ClusterCollector(String cluster, KubernetesClient client, RuntimeInventory inventory, Consumer<String> log) {
        this.cluster = cluster;
        this.client = client;
        this.inventory = inventory;
        this.log = log;
    }

    public String cluster() {
        return cluster;
    }

    // ---------------------------------------------------------------- once

    /**
     * Lists the cluster's namespaces, ReplicaSets, Jobs (their metadata only) and pods, page by page, and records the
     * whole picture. Each page is read off the wire as JSON straight into observations and let go, so a large
     * cluster is never held as API objects: 10,000 pods are 36 MB of JSON, and several times that as typed objects.
     */
    public Snapshot snapshot() {
        long now = System.currentTimeMillis();
        long t0 = System.nanoTime();
        Map<String, Map<String, String>> nsLabels = new HashMap<>();
        Map<String, List<Owners.Ref>> owners = new HashMap<>();
        Owners lookup = (kind, ns, name) -> owners.get(kind + "/" + ns + "/" + name);
        List<PodObservation> observed = new ArrayList<>();
        ApiLists lists = new ApiLists(client, PAGE);
        try {
            lists.list("api/v1/namespaces", ApiLists.METADATA_ONLY, n -> nsLabels.put(Pods.text(n.path("metadata"), "name"), labels(n.path("metadata"))));
            lists.list("apis/apps/v1/replicasets", ApiLists.METADATA_ONLY, r -> owners.put(key("ReplicaSet", r), Owners.of(r.path("metadata").get("ownerReferences"))));
            lists.list("apis/batch/v1/jobs", ApiLists.METADATA_ONLY, j -> owners.put(key("Job", j), Owners.of(j.path("metadata").get("ownerReferences"))));
            // owners are known before the first pod
            lists.list("api/v1/pods", ApiLists.FULL, p -> observed.add(Pods.observe(cluster, p, lookup)));
        } catch (RuntimeException e) {
            String why = "cannot list cluster " + cluster + " at " + client.getConfiguration().getMasterUrl() + ": " + rootMessage(e);
            try {
                inventory.clusterState(cluster, "unreachable", why, null, now);
            } catch (StoreException ignored) {
                // the cluster error is the one to report
            }
            throw new UnreachableException(why, e);
        }
        long t1 = System.nanoTime();
        inventory.namespaces(cluster, nsLabels, true, now);
        int vanished = inventory.replaceAll(cluster, observed, now);
        inventory.clusterState(cluster, "synced", null, now, now);
        long t2 = System.nanoTime();
        return new Snapshot(cluster, observed.size(), observed.stream().mapToInt(o -> o.containers().size()).sum(), nsLabels.size(), vanished,
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
    }

    private static String key(String kind, JsonNode o) {
        return kind + "/" + Pods.text(o.path("metadata"), "namespace") + "/" + Pods.text(o.path("metadata"), "name");
    }

    // ---------------------------------------------------------------- watch

    /**
     * Starts watching. Owners and namespaces are watched first, so the first pods already resolve to their top
     * workload; once the pod informer has listed, the listing replaces the cluster's rows, and later events are
     * written every {@code flushMillis}. An API server outage leaves the informers retrying; {@link #status()} says so.
     */
    public void start(long flushMillis) {
        namespaces = client.namespaces().runnableInformer(0);
        namespaces.exceptionHandler((started, t) -> problem(t));
        namespaces.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace n) {
                write(() -> inventory.namespaces(cluster, Map.of(n.getMetadata().getName(), labels(n)), false, System.currentTimeMillis()));
            }

            @Override
            public void onUpdate(Namespace old, Namespace n) {
                onAdd(n);
            }

            @Override
            public void onDelete(Namespace n, boolean unknownFinalState) {
                write(() -> inventory.namespaceGone(cluster, n.getMetadata().getName(), System.currentTimeMillis()));
            }
        });
        replicaSets = client.apps().replicaSets().inAnyNamespace().runnableInformer(0);
        replicaSets.exceptionHandler((started, t) -> problem(t));
        jobs = client.batch().v1().jobs().inAnyNamespace().runnableInformer(0);
        jobs.exceptionHandler((started, t) -> problem(t));
        pods = client.pods().inAnyNamespace().runnableInformer(0);
        pods.exceptionHandler((started, t) -> problem(t));
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod p) {
                queue(p.getMetadata().getUid(), p);
            }

            @Override
            public void onUpdate(Pod old, Pod p) {
                queue(p.getMetadata().getUid(), p);
            }

            @Override
            public void onDelete(Pod p, boolean unknownFinalState) {
                queue(p.getMetadata().getUid(), GONE);
            }
        });
        writer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "custody-collector-" + cluster);
            t.setDaemon(true);
            return t;
        });
        // owners before pods; an owner informer that cannot list yet does not hold the pods back for ever
        var ownersSynced = java.util.concurrent.CompletableFuture.allOf(namespaces.start().toCompletableFuture(),
                replicaSets.start().toCompletableFuture(), jobs.start().toCompletableFuture());
        ownersSynced.orTimeout(30, TimeUnit.SECONDS).whenComplete((v, t) -> pods.start());
        writer.scheduleWithFixedDelay(this::flush, flushMillis, flushMillis, TimeUnit.MILLISECONDS);
    }

    private void queue(String uid, Object podOrGone) {
        synchronized (pending) {
            pending.remove(uid); // keep arrival order of the newest state
            pending.put(uid, podOrGone);
        }
    }

    private void flush() {
        try {
            long now = System.currentTimeMillis();
            if (!reconciled) {
                if (pods == null || !pods.hasSynced()) {
                    report(now);
                    return;
                }
                synchronized (pending) {
                    pending.clear(); // the informer's cache, read below, already holds every state they carried
                }
                List<PodObservation> all = pods.getStore().list().stream().map(p -> Pods.observe(cluster, p, this::ownersOf)).toList();
                int vanished = inventory.replaceAll(cluster, all, now);
                reconciled = true;
                lastWriteAt = now;
                inventory.clusterState(cluster, "watching", null, now, now);
                reportedState = "watching";
                log.accept("cluster " + cluster + ": listed " + all.size() + " pods" + (vanished > 0 ? ", " + vanished + " gone since the last run" : ""));
                return;
            }
            Map<String, Object> batch;
            synchronized (pending) {
                if (pending.isEmpty()) {
                    report(now);
                    return;
                }
                batch = new LinkedHashMap<>(pending);
                pending.clear();
            }
            try {
                List<PodObservation> changed = new ArrayList<>();
                for (var e : batch.entrySet()) {
                    if (e.getValue() instanceof Pod p) {
                        changed.add(Pods.observe(cluster, p, this::ownersOf));
                    }
                }
                inventory.observe(changed, now);
                for (var e : batch.entrySet()) {
                    if (e.getValue() == GONE) {
                        inventory.gone(cluster, e.getKey(), now);
                    }
                }
                lastWriteAt = now;
            } catch (StoreException e) {
                synchronized (pending) {
                    batch.forEach(pending::putIfAbsent); // retried next time; a newer state that arrived meanwhile wins
                }
                throw e;
            }
            report(now);
        } catch (RuntimeException e) {
            lastProblem = "store: " + e.getMessage();
            log.accept("cluster " + cluster + ": " + lastProblem);
        }
    }

    /** Writes the cluster's state to the store when it changed. */
    private void report(long now) {
        Status s = status();
        String state = s.state();
        if (!state.equals(reportedState)) {
            inventory.clusterState(cluster, state, state.equals("watching") ? null : s.message(), null, now);
            if (reportedState != null || !state.equals("starting")) {
                log.accept("cluster " + cluster + ": " + state + (s.message() != null && !state.equals("watching") ? " (" + s.message() + ")" : ""));
            }
            reportedState = state;
        }
    }

    private List<Owners.Ref> ownersOf(String kind, String namespace, String name) {
        SharedIndexInformer<? extends HasMetadata> inf = kind.equals("ReplicaSet") ? replicaSets : kind.equals("Job") ? jobs : null;
        if (inf == null) {
            return null;
        }
        HasMetadata o = inf.getIndexer().getByKey(namespace + "/" + name);
        return o == null ? null : Owners.of(o.getMetadata().getOwnerReferences());
    }

    private boolean problem(Throwable t) {
        lastProblem = rootMessage(t);
        return true; // keep retrying: an outage is survived, and reported through status()
    }

    private void write(Runnable r) {
        try {
            r.run();
        } catch (StoreException e) {
            lastProblem = "store: " + e.getMessage();
            log.accept("cluster " + cluster + ": " + lastProblem);
        }
    }

    /** Whether the first listing is recorded and every watch is up. */
    public Status status() {
        boolean watching = pods != null && pods.isWatching() && namespaces.isWatching() && replicaSets.isWatching() && jobs.isWatching();
        if (watching) {
            lastProblem = null; // a problem is reported while it lasts
        }
        String why = watching ? null : lastProblem != null ? lastProblem : reconciled
                ? "lost the watch of " + client.getConfiguration().getMasterUrl() + "; reconnecting" : "not watching yet";
        return new Status(cluster, reconciled, watching, why, lastWriteAt);
    }

    /** Writes what is queued, for a caller that is about to stop. */
    public void drain() {
        if (writer != null) {
            try {
                writer.submit(this::flush).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.accept("cluster " + cluster + ": last changes not written: " + e);
            }
        }
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.shutdownNow();
        }
        for (SharedIndexInformer<?> i : new SharedIndexInformer<?>[] {pods, jobs, replicaSets, namespaces}) {
            if (i != null) {
                i.stop();
            }
        }
    }

    private static Map<String, String> labels(Namespace n) {
        Map<String, String> l = n.getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }

    private static Map<String, String> labels(JsonNode meta) {
        Map<String, String> out = new HashMap<>();
        meta.path("labels").properties().forEach(e -> {
            if (e.getValue().isTextual()) {
                out.put(e.getKey(), e.getValue().asText());
            }
        });
        return out;
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String m = c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
        return c == t ? m : t.getMessage() + " (" + m + ")";
    }
}
