package dev.custody.inventory;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Which replica keeps a cluster's inventory: a {@code coordination.k8s.io/v1} Lease in that cluster, held by one
 * replica at a time and renewed while it works, as Kubernetes' own controllers elect their leader. The replica that
 * gains it runs {@code onStart}; one that loses it (it could not renew within the renew deadline, or it is closing)
 * runs {@code onStop} and stands by to try again. A replica killed without releasing leaves the Lease to expire:
 * another takes over within the lease duration.
 */
public final class Leadership implements AutoCloseable {

    /** The timings of a Lease: how long a holder's claim lasts, how long it keeps trying to renew, how often it tries. */
    public record Timings(Duration lease, Duration renewDeadline, Duration retry) {
        public Timings {
            if (renewDeadline.compareTo(lease) >= 0 || retry.compareTo(renewDeadline) >= 0) {
                throw new IllegalArgumentException("a lease needs retry < renew deadline < lease duration, found " + retry.toMillis() + " ms, "
                        + renewDeadline.toMillis() + " ms, " + lease.toMillis() + " ms");
            }
        }

        /** Timings for a lease of this duration, in the proportions of the defaults. */
        public static Timings of(Duration lease) {
            return new Timings(lease, lease.multipliedBy(2).dividedBy(3), lease.dividedBy(7).isZero() ? Duration.ofMillis(100) : lease.dividedBy(7));
        }
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String identity;
    private final Timings timings;
    private final Runnable onStart;
    private final Runnable onStop;
    private final Consumer<String> log;
    private final ExecutorService executor;
    private volatile boolean leading;
    private volatile String holder;
    private volatile boolean closing;
    private volatile LeaderElector elector;
    private volatile CompletableFuture<?> running;

    public Leadership(String cluster, KubernetesClient client, String namespace, String name, String identity, Timings timings,
                      Runnable onStart, Runnable onStop, Consumer<String> log) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.identity = identity;
        this.timings = timings;
        this.onStart = onStart;
        this.onStop = onStop;
        this.log = log;
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "custody-lease-" + cluster);
            t.setDaemon(true);
            return t;
        });
    }

    /** Whether this replica holds the Lease now. */
    public boolean leading() {
        return leading;
    }

    /** The identity of the holder as last seen, or null before any. */
    public String holder() {
        return holder;
    }

    /** {@code namespace/name} of the Lease. */
    public String lease() {
        return namespace + "/" + name;
    }

    /** Starts competing for the Lease, and again each time it is lost, until closed. */
    public Leadership start() {
        compete();
        return this;
    }

    private synchronized void compete() {
        if (closing) {
            return;
        }
        LeaderElector e = new LeaderElector(client, new LeaderElectionConfigBuilder()
                .withName(name)
                .withLock(new LeaseLock(namespace, name, identity))
                .withLeaseDuration(timings.lease())
                .withRenewDeadline(timings.renewDeadline())
                .withRetryPeriod(timings.retry())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(this::started, this::stopped, this::newLeader))
                .build(), executor);
        elector = e;
        running = e.start();
        running.whenComplete((ok, error) -> {
            if (error != null && !(error instanceof java.util.concurrent.CancellationException) && !closing) {
                log.accept("lease " + lease() + ": " + error.getMessage());
            }
            if (!closing) { // lost or failed: stand by and compete again
                executor.execute(this::compete);
            }
        });
    }

    private void started() {
        leading = true;
        holder = identity;
        log.accept("leading: holds lease " + lease());
        onStart.run();
    }

    private void stopped() {
        boolean was = leading;
        leading = false;
        if (was) {
            log.accept("standing by: lost lease " + lease());
            onStop.run();
        }
    }

    private void newLeader(String id) {
        holder = id;
    }

    /** Stops competing; a holder releases the Lease, so that another replica takes over at once. */
    @Override
    public void close() {
        synchronized (this) {
            closing = true;
        }
        LeaderElector held = elector;
        boolean was = leading;
        if (held != null && was) {
            try {
                held.release(); // empty the Lease's holder, so that a standby takes over now rather than when it expires
            } catch (RuntimeException ex) {
                log.accept("lease " + lease() + ": could not release: " + ex.getMessage());
            }
        }
        CompletableFuture<?> r = running;
        if (r != null) {
            r.cancel(true);
        }
        stopped();
        executor.shutdown();
        try {
            executor.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
