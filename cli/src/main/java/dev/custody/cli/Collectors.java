package dev.custody.cli;

import dev.custody.inventory.ClusterCollector;
import dev.custody.inventory.Clusters;
import dev.custody.inventory.Leadership;
import dev.custody.logfmt.Log;
import dev.custody.server.CollectorState;
import dev.custody.store.RuntimeInventory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The inventory collectors of {@code custody serve --collect}: one per cluster, either always running or, with
 * {@code --leader-elect}, running only on the replica that holds the cluster's Lease.
 */
final class Collectors implements AutoCloseable {

    /** The Lease's name in each collected cluster. */
    static final String LEASE = "custody-collector";

    private final List<Clusters.Connection> clusters;
    private final RuntimeInventory inventory;
    private final Map<String, ClusterCollector> running = new ConcurrentHashMap<>();
    private final Map<String, Leadership> leases = new ConcurrentHashMap<>();

    Collectors(List<Clusters.Connection> clusters, RuntimeInventory inventory) {
        this.clusters = clusters;
        this.inventory = inventory;
    }

    /** Starts every collector now. */
    Collectors start() {
        clusters.forEach(this::startCollector);
        return this;
    }

    /** Competes for each cluster's Lease, in {@code namespace}, and collects the clusters whose Lease this replica holds. */
    Collectors elect(String namespace, String identity, Leadership.Timings timings) {
        for (Clusters.Connection c : clusters) {
            leases.put(c.name(), new Leadership(c.name(), c.client(), namespace, LEASE, identity, timings, () -> startCollector(c),
                    () -> stopCollector(c.name()), m -> Log.info("collector", "cluster", c.name(), "message", m)).start());
        }
        return this;
    }

    /** Whether background work that one replica does should run here: no election, or this replica leads a cluster. */
    boolean leading() {
        return leases.isEmpty() || leases.values().stream().anyMatch(Leadership::leading);
    }

    List<String> names() {
        return clusters.stream().map(Clusters.Connection::name).toList();
    }

    /** Each cluster's collector state; a standby replica names the Lease's holder. */
    List<CollectorState> states() {
        List<CollectorState> out = new ArrayList<>();
        for (Clusters.Connection c : clusters) {
            ClusterCollector col = running.get(c.name());
            if (col != null) {
                var st = col.status();
                out.add(new CollectorState(st.cluster(), st.state(), st.message(), st.lastWriteAt()));
            } else {
                Leadership l = leases.get(c.name());
                String holder = l == null ? null : l.holder();
                out.add(new CollectorState(c.name(), "standby", "lease " + (l == null ? LEASE : l.lease()) + " held by "
                        + (holder == null || holder.isEmpty() ? "nobody yet" : holder), 0));
            }
        }
        return out;
    }

    private void startCollector(Clusters.Connection c) {
        ClusterCollector collector = new ClusterCollector(c.name(), c.client(), inventory, m -> Log.info("collector", "cluster", c.name(), "message", m));
        collector.start(250);
        ClusterCollector old = running.put(c.name(), collector);
        if (old != null) {
            old.close();
        }
    }

    private void stopCollector(String cluster) {
        ClusterCollector col = running.remove(cluster);
        if (col != null) {
            col.drain();
            col.close();
        }
    }

    /** Writes what the collectors hold, stops them, and releases held Leases so another replica takes over at once. */
    @Override
    public void close() {
        running.values().forEach(ClusterCollector::drain); // written before the Lease goes to another replica
        leases.values().forEach(Leadership::close); // a holder's onStop closes its collector
        running.keySet().forEach(this::stopCollector); // those started without an election
    }

    /** This replica's name in a Lease: the pod's name where Kubernetes gives it, else the host's, with the process id. */
    static String identity() {
        String pod = System.getenv("POD_NAME");
        if (pod != null && !pod.isBlank()) {
            return pod;
        }
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "custody";
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    /** The namespace of the Lease by default: the pod's own (POD_NAMESPACE, or its ServiceAccount's), else "default". */
    static String defaultNamespace() {
        String ns = System.getenv("POD_NAMESPACE");
        if (ns != null && !ns.isBlank()) {
            return ns;
        }
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace")).strip();
        } catch (java.io.IOException e) {
            return "default";
        }
    }
}
