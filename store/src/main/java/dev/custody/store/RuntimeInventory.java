package dev.custody.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What runs: pods and their containers as collectors saw them, per cluster, with history. Writes are idempotent (keyed
 * by cluster and pod uid), so a collector may list a cluster again at any time, after a restart or an outage, and the
 * store ends up holding each pod once.
 */
public final class RuntimeInventory {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The workload a pod belongs to: the top of its owner chain (a bare pod is its own workload). */
    public record WorkloadRef(String kind, String name) {}

    /**
     * A pod as the API server holds it now.
     *
     * @param ownerChain the owners from the top workload down to the pod, as {@code Kind/name > Kind/name}
     * @param object     the pod's JSON (metadata and spec) as the engine reads a manifest, for re-evaluation
     */
    public record PodObservation(String cluster, String uid, String namespace, String name, WorkloadRef workload, String ownerChain,
                                 String node, String serviceAccount, String phase, Long createdAt, String object,
                                 List<ContainerObservation> containers) {}

    /**
     * One container of a pod.
     *
     * @param list           containers, initContainers or ephemeralContainers
     * @param declaredDigest the digest the spec's image reference pins, or null for a tag
     * @param imageId        the kubelet's {@code containerStatuses[].imageID}, or null before the image was pulled
     * @param digest         the manifest digest read from imageId, or null when it names none
     */
    public record ContainerObservation(String name, String list, String image, String declaredDigest, String imageId, String digest,
                                       boolean running, int restarts, Long startedAt, Long stoppedAt) {}

    /** One container row joined with its pod and namespace, as queries return it. */
    public record Row(String cluster, String namespace, String pod, String podUid, String container, String list, WorkloadRef workload,
                      String ownerChain, String image, String imageId, String digest, String declaredDigest, String node,
                      String serviceAccount, boolean running, boolean podPresent, Long startedAt, Long stoppedAt, long firstSeen,
                      long lastSeen, Map<String, String> namespaceLabels) {}

    /** A pod that is still present, with what re-evaluating it needs. */
    public record PresentPod(String cluster, String uid, String namespace, String name, WorkloadRef workload, String object,
                             Map<String, String> namespaceLabels, Map<String, String> runningDigests) {

        /** The digest the kubelet reports for the containers declaring {@code image} (as written in the spec), or null. */
        public String runningDigest(String image) {
            return runningDigests.get(image);
        }
    }

    /** A cluster's collector state. */
    public record ClusterState(String cluster, Long syncedAt, long seenAt, String state, String message, long presentPods) {}

    private final Store store;

    public RuntimeInventory(Store store) {
        this.store = store;
    }

    // ---------------------------------------------------------------- writes

    /** Records pods as observed now (insert or update; first_seen is kept). One transaction for the batch. */
    public void observe(Collection<PodObservation> pods, long now) {
        if (pods.isEmpty()) {
            return;
        }
        store.write(c -> {
            upsert(c, pods, now);
            return null;
        });
    }

    /**
     * Records a complete listing of a cluster's pods: every pod listed is upserted, and every pod the store held as
     * present that the listing lacks is marked gone (it was deleted while nobody watched). Returns how many were marked.
     */
    public int replaceAll(String cluster, Collection<PodObservation> pods, long now) {
        int marked = store.write(c -> {
            upsert(c, pods, now);
            Set<String> live = new HashSet<>();
            pods.forEach(p -> live.add(p.uid()));
            List<String> vanished = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT uid FROM runtime_pod WHERE cluster = ? AND present = 1")) {
                p.setString(1, cluster);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        if (!live.contains(rs.getString(1))) {
                            vanished.add(rs.getString(1));
                        }
                    }
                }
            }
            for (String uid : vanished) {
                markGone(c, cluster, uid, now);
            }
            return vanished.size();
        });
        store.analyzeIfGrown("runtime_pod", pods.size());
        store.analyzeIfGrown("runtime_container", pods.stream().mapToLong(p -> p.containers().size()).sum());
        return marked;
    }

    /** Records that a pod was deleted. Returns whether a present pod was marked. */
    public boolean gone(String cluster, String uid, long now) {
        return store.write(c -> markGone(c, cluster, uid, now));
    }

    private static boolean markGone(Connection c, String cluster, String uid, long now) throws SQLException {
        int n;
        try (PreparedStatement p = c.prepareStatement(
                "UPDATE runtime_pod SET present = 0, stopped_at = ?, last_seen = ? WHERE cluster = ? AND uid = ? AND present = 1")) {
            p.setLong(1, now);
            p.setLong(2, now);
            p.setString(3, cluster);
            p.setString(4, uid);
            n = p.executeUpdate();
        }
        try (PreparedStatement p = c.prepareStatement("UPDATE runtime_container SET running = 0, stopped_at = COALESCE(stopped_at, ?) "
                + "WHERE cluster = ? AND pod_uid = ? AND running = 1")) {
            p.setLong(1, now);
            p.setString(2, cluster);
            p.setString(3, uid);
            p.executeUpdate();
        }
        return n == 1;
    }

    private static void upsert(Connection c, Collection<PodObservation> pods, long now) throws SQLException {
        try (PreparedStatement pod = c.prepareStatement("INSERT INTO runtime_pod (cluster, uid, namespace, name, workload_kind, workload_name, "
                + "owner_chain, node, service_account, phase, present, created_at, first_seen, last_seen, stopped_at, object) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, NULL, ?) ON CONFLICT (cluster, uid) DO UPDATE SET "
                + "namespace = excluded.namespace, name = excluded.name, workload_kind = excluded.workload_kind, "
                + "workload_name = excluded.workload_name, owner_chain = excluded.owner_chain, node = excluded.node, "
                + "service_account = excluded.service_account, phase = excluded.phase, present = 1, created_at = excluded.created_at, "
                + "last_seen = excluded.last_seen, stopped_at = NULL, object = excluded.object");
             PreparedStatement ctr = c.prepareStatement("INSERT INTO runtime_container (cluster, pod_uid, container, list, image, "
                     + "declared_digest, image_id, digest, running, restarts, started_at, stopped_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                     + "ON CONFLICT (cluster, pod_uid, container) DO UPDATE SET list = excluded.list, image = excluded.image, "
                     + "declared_digest = excluded.declared_digest, image_id = COALESCE(excluded.image_id, runtime_container.image_id), "
                     + "digest = COALESCE(excluded.digest, runtime_container.digest), running = excluded.running, "
                     + "restarts = excluded.restarts, started_at = COALESCE(excluded.started_at, runtime_container.started_at), "
                     + "stopped_at = excluded.stopped_at")) {
            int batched = 0;
            for (PodObservation o : pods) {
                pod.setString(1, o.cluster());
                pod.setString(2, o.uid());
                pod.setString(3, o.namespace());
                pod.setString(4, o.name());
                pod.setString(5, o.workload().kind());
                pod.setString(6, o.workload().name());
                pod.setString(7, o.ownerChain());
                pod.setString(8, o.node());
                pod.setString(9, o.serviceAccount());
                pod.setString(10, o.phase());
                setLong(pod, 11, o.createdAt());
                pod.setLong(12, now);
                pod.setLong(13, now);
                pod.setString(14, o.object());
                pod.addBatch();
                for (ContainerObservation k : o.containers()) {
                    ctr.setString(1, o.cluster());
                    ctr.setString(2, o.uid());
                    ctr.setString(3, k.name());
                    ctr.setString(4, k.list());
                    ctr.setString(5, k.image());
                    ctr.setString(6, k.declaredDigest());
                    ctr.setString(7, k.imageId());
                    ctr.setString(8, k.digest());
                    ctr.setInt(9, k.running() ? 1 : 0);
                    ctr.setInt(10, k.restarts());
                    setLong(ctr, 11, k.startedAt());
                    setLong(ctr, 12, k.stoppedAt());
                    ctr.addBatch();
                }
                if (++batched % 500 == 0) {
                    pod.executeBatch();
                    ctr.executeBatch();
                }
            }
            pod.executeBatch();
            ctr.executeBatch();
        }
    }

    /**
     * Records a cluster's namespaces. With {@code complete}, the list is all of them and any other namespace the
     * store held as present is marked gone.
     */
    public void namespaces(String cluster, Map<String, Map<String, String>> labelsByName, boolean complete, long now) {
        store.write(c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO runtime_namespace (cluster, name, labels, present, last_seen) "
                    + "VALUES (?, ?, ?, 1, ?) ON CONFLICT (cluster, name) DO UPDATE SET labels = excluded.labels, present = 1, "
                    + "last_seen = excluded.last_seen")) {
                for (var e : labelsByName.entrySet()) {
                    p.setString(1, cluster);
                    p.setString(2, e.getKey());
                    p.setString(3, json(new TreeMap<>(e.getValue())));
                    p.setLong(4, now);
                    p.addBatch();
                }
                p.executeBatch();
            }
            if (complete) {
                List<String> gone = new ArrayList<>();
                try (PreparedStatement p = c.prepareStatement("SELECT name FROM runtime_namespace WHERE cluster = ? AND present = 1")) {
                    p.setString(1, cluster);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            if (!labelsByName.containsKey(rs.getString(1))) {
                                gone.add(rs.getString(1));
                            }
                        }
                    }
                }
                for (String ns : gone) {
                    namespaceGone(c, cluster, ns, now);
                }
            }
            return null;
        });
    }

    /** Records that a namespace was deleted. */
    public void namespaceGone(String cluster, String name, long now) {
        store.write(c -> {
            namespaceGone(c, cluster, name, now);
            return null;
        });
    }

    private static void namespaceGone(Connection c, String cluster, String name, long now) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE runtime_namespace SET present = 0, last_seen = ? WHERE cluster = ? AND name = ?")) {
            p.setLong(1, now);
            p.setString(2, cluster);
            p.setString(3, name);
            p.executeUpdate();
        }
    }

    /** Records a cluster collector's state: "synced", "watching", "unreachable", with a message for the last. */
    public void clusterState(String cluster, String state, String message, Long syncedAt, long now) {
        store.write(c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO runtime_cluster (cluster, synced_at, seen_at, state, message) "
                    + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (cluster) DO UPDATE SET synced_at = COALESCE(excluded.synced_at, runtime_cluster.synced_at), "
                    + "seen_at = excluded.seen_at, state = excluded.state, message = excluded.message")) {
                p.setString(1, cluster);
                setLong(p, 2, syncedAt);
                p.setLong(3, now);
                p.setString(4, state);
                p.setString(5, message);
                return p.executeUpdate();
            }
        });
    }

    /** Removes the history of pods that stopped before a time (retention). Returns how many pods were removed. */
    public int prune(long stoppedBefore) {
        return store.write(c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM runtime_container WHERE EXISTS (SELECT 1 FROM runtime_pod r "
                    + "WHERE r.cluster = runtime_container.cluster AND r.uid = runtime_container.pod_uid AND r.present = 0 AND r.stopped_at < ?)")) {
                p.setLong(1, stoppedBefore);
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("DELETE FROM runtime_pod WHERE present = 0 AND stopped_at < ?")) {
                p.setLong(1, stoppedBefore);
                return p.executeUpdate();
            }
        });
    }

    // ---------------------------------------------------------------- reads

    static final String ROW = "SELECT r.cluster, r.namespace, r.name, r.uid, k.container, k.list, r.workload_kind, r.workload_name, "
            + "r.owner_chain, k.image, k.image_id, k.digest, k.declared_digest, r.node, r.service_account, k.running, r.present, "
            + "k.started_at, k.stopped_at, r.first_seen, r.last_seen, n.labels FROM runtime_container k "
            + "JOIN runtime_pod r ON r.cluster = k.cluster AND r.uid = k.pod_uid "
            + "LEFT JOIN runtime_namespace n ON n.cluster = r.cluster AND n.name = r.namespace ";
    private static final String ORDER = " ORDER BY r.cluster, r.namespace, r.name, k.container";

    /** Containers running (or, with history, ever seen running) a digest. */
    public List<Row> byDigest(String digest, boolean history) {
        return rows(ROW + "WHERE k.digest = ?" + (history ? "" : " AND r.present = 1") + ORDER, digest);
    }

    /** One container of a present pod running a digest, with what a blast radius shows and nothing more. */
    public record Running(String cluster, String namespace, String pod, String podUid, String container, String workloadKind, String workloadName,
                          String image, String digest, String node, boolean running) {}

    /**
     * The containers of present pods running any of the digests, unordered: the blast radius's read, lean enough for
     * a digest every pod of a fleet runs (namespace labels come apart, from {@link #namespaceLabels}).
     */
    public List<Running> runningAny(Collection<String> digests) {
        List<String> ds = List.copyOf(new java.util.TreeSet<>(digests));
        List<Running> out = new ArrayList<>();
        store.read(c -> {
            for (int from = 0; from < ds.size(); from += 500) {
                List<String> chunk = ds.subList(from, Math.min(ds.size(), from + 500));
                try (PreparedStatement p = c.prepareStatement("SELECT r.cluster, r.namespace, r.name, r.uid, k.container, r.workload_kind, "
                        + "r.workload_name, k.image, k.digest, r.node, k.running FROM runtime_container k JOIN runtime_pod r ON r.cluster = k.cluster "
                        + "AND r.uid = k.pod_uid WHERE k.digest IN (" + String.join(",", java.util.Collections.nCopies(chunk.size(), "?"))
                        + ") AND r.present = 1")) {
                    for (int i = 0; i < chunk.size(); i++) {
                        p.setString(i + 1, chunk.get(i));
                    }
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            out.add(new Running(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                                    rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getInt(11) == 1));
                        }
                    }
                }
            }
            return null;
        });
        return out;
    }

    /** The labels of every namespace the collectors saw, by cluster then name. */
    public Map<String, Map<String, Map<String, String>>> namespaceLabels() {
        return store.read(c -> {
            Map<String, Map<String, Map<String, String>>> out = new java.util.HashMap<>();
            try (PreparedStatement p = c.prepareStatement("SELECT cluster, name, labels FROM runtime_namespace"); ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new java.util.HashMap<>()).put(rs.getString(2), cachedLabels(rs.getString(3)));
                }
            }
            return out;
        });
    }

    /** Every container of every present pod, optionally of one cluster. */
    public List<Row> present(String cluster) {
        return cluster == null ? rows(ROW + "WHERE r.present = 1" + ORDER) : rows(ROW + "WHERE r.present = 1 AND r.cluster = ?" + ORDER, cluster);
    }

    /** Containers of present pods whose running digest is not the digest their spec pins. */
    public List<Row> digestMismatches() {
        return rows(ROW + "WHERE r.present = 1 AND k.digest IS NOT NULL AND k.declared_digest IS NOT NULL AND k.digest <> k.declared_digest"
                + ORDER);
    }

    /** A present container whose image's SBOM lists a package. */
    public record Carrying(Row row, String purl) {}

    /**
     * Containers of present pods whose running digest has an SBOM that lists a package matching {@code query} (compared
     * by parsed parts as {@link Evidence#componentsByPurl} does; without a version, every version): the incident's
     * "which pods carry this package".
     */
    public List<Carrying> runningWithPackage(dev.custody.sbom.PackageUrl query) {
        return store.read(c -> {
            Map<Long, String> components = new LinkedHashMap<>();
            try (PreparedStatement p = c.prepareStatement("SELECT k.component_id, k.purl FROM component k WHERE k.purl_name = ? AND k.purl_type = ? "
                    + "AND k.purl_namespace = ?" + (query.version() == null ? "" : " AND k.purl_version = ?"))) {
                p.setString(1, query.name());
                p.setString(2, query.type());
                p.setString(3, query.namespace());
                if (query.version() != null) {
                    p.setString(4, query.version());
                }
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        dev.custody.sbom.PackageUrl stored = dev.custody.sbom.PackageUrl.parseOrNull(rs.getString(2));
                        if (stored != null && query.matches(stored)) {
                            components.put(rs.getLong(1), rs.getString(2));
                        }
                    }
                }
            }
            Map<String, Set<String>> purlsByDigest = new TreeMap<>();
            List<Long> ids = List.copyOf(components.keySet());
            for (int from = 0; from < ids.size(); from += 500) {
                List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
                try (PreparedStatement p = c.prepareStatement("SELECT DISTINCT l.digest, m.component_id FROM sbom_component m JOIN sbom_link l "
                        + "ON l.doc_id = m.doc_id WHERE m.component_id IN (" + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ")")) {
                    for (int i = 0; i < chunk.size(); i++) {
                        p.setLong(i + 1, chunk.get(i));
                    }
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            purlsByDigest.computeIfAbsent(rs.getString(1), k -> new java.util.TreeSet<>()).add(components.get(rs.getLong(2)));
                        }
                    }
                }
            }
            List<Carrying> out = new ArrayList<>();
            List<String> digests = List.copyOf(purlsByDigest.keySet());
            for (int from = 0; from < digests.size(); from += 500) {
                List<String> chunk = digests.subList(from, Math.min(digests.size(), from + 500));
                try (PreparedStatement p = c.prepareStatement(ROW + "WHERE r.present = 1 AND k.digest IN ("
                        + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ")" + ORDER)) {
                    for (int i = 0; i < chunk.size(); i++) {
                        p.setString(i + 1, chunk.get(i));
                    }
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            Row row = row(rs);
                            for (String purl : purlsByDigest.get(row.digest())) {
                                out.add(new Carrying(row, purl));
                            }
                        }
                    }
                }
            }
            out.sort(java.util.Comparator.comparing((Carrying x) -> x.row().cluster()).thenComparing(x -> x.row().namespace())
                    .thenComparing(x -> x.row().pod()).thenComparing(x -> x.row().container()).thenComparing(Carrying::purl));
            return out;
        });
    }

    /**
     * Where evidence about a running digest may be filed: under the digest itself, under the platform manifests of an
     * index that runs (their parent is the running digest), or under the index a running platform manifest belongs to.
     */
    private static String aboutRunning(String column) {
        return "(" + column + " = k.digest OR " + column + " IN (SELECT a.digest FROM artifact a WHERE a.parent_digest = k.digest) OR "
                + column + " IN (SELECT a.parent_digest FROM artifact a WHERE a.digest = k.digest AND a.parent_digest IS NOT NULL))";
    }

    /** The provenance a running container was built with. */
    public record Built(Row row, String sourceRepository, String sourceCommit, String sourceRef, String builderId) {}

    /**
     * Containers of present pods whose image provenance names one of {@code repositories} (exact stored spellings; null:
     * any) and a commit starting with {@code commitPrefix} (null: any).
     */
    public List<Built> builtFrom(Collection<String> repositories, String commitPrefix) {
        if (repositories != null && repositories.isEmpty()) {
            return List.of();
        }
        StringBuilder where = new StringBuilder();
        List<String> args = new ArrayList<>();
        if (repositories != null) {
            where.append(" AND p.source_repository IN (").append(String.join(",", java.util.Collections.nCopies(repositories.size(), "?")))
                    .append(")");
            args.addAll(repositories);
        }
        if (commitPrefix != null) {
            where.append(" AND p.source_commit LIKE ?");
            args.add(commitPrefix.toLowerCase(java.util.Locale.ROOT) + "%");
        }
        String sql = ROW.replace(" FROM runtime_container k ", ", p.source_repository, p.source_commit, p.source_ref, p.builder_id "
                + "FROM runtime_container k ") + "JOIN provenance p ON " + aboutRunning("p.digest") + " WHERE r.present = 1" + where + ORDER
                + ", p.source_commit";
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                for (int i = 0; i < args.size(); i++) {
                    p.setString(i + 1, args.get(i));
                }
                java.util.LinkedHashMap<String, Built> out = new java.util.LinkedHashMap<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        Row row = row(rs);
                        Built b = new Built(row, rs.getString(23), rs.getString(24), rs.getString(25), rs.getString(26));
                        out.putIfAbsent(row.cluster() + "/" + row.podUid() + "/" + row.container() + "/" + b.sourceRepository() + "@"
                                + b.sourceCommit(), b);
                    }
                }
                return List.copyOf(out.values());
            }
        });
    }

    /** Every source repository spelling the provenance records hold (to match a user's spelling against). */
    public List<String> sourceRepositories() {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT DISTINCT source_repository FROM provenance WHERE source_repository IS NOT NULL");
                 ResultSet rs = p.executeQuery()) {
                List<String> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
                return out;
            }
        });
    }

    /** Evidence a running image may lack. */
    public enum EvidenceKind {
        SBOM("SELECT 1 FROM sbom_link e WHERE " + "%s"),
        SIGNATURE("SELECT 1 FROM verification e WHERE e.kind = 'signature' AND %s"),
        PROVENANCE("SELECT 1 FROM provenance e WHERE %s");

        private final String exists;

        EvidenceKind(String exists) {
            this.exists = exists;
        }
    }

    /**
     * Containers of present pods whose running digest has no evidence of that kind in the store (a container whose
     * digest is not known yet, before its image was pulled, is not listed: there is nothing to look up).
     */
    public List<Row> runningWithout(EvidenceKind kind) {
        return rows(ROW + "WHERE r.present = 1 AND k.digest IS NOT NULL AND NOT EXISTS (" + kind.exists.formatted(aboutRunning("e.digest")) + ")"
                + ORDER);
    }

    /** How long before a pod's creation its admission may have been decided, and after (clocks of two machines). */
    static final long ADMITTED_BEFORE = 10 * 60_000L;
    static final long ADMITTED_AFTER = 60_000L;

    private static final String ADMISSION = "FROM decision d WHERE d.source = 'admission' AND d.kind = 'Pod' AND d.namespace = r.namespace "
            + "AND d.name = r.name AND d.verdict <> 'denied' AND d.operation = 'CREATE' AND r.created_at IS NOT NULL "
            + "AND d.recorded_at BETWEEN r.created_at - " + ADMITTED_BEFORE + " AND r.created_at + " + ADMITTED_AFTER;

    /**
     * Containers of present pods that no admission decision let in: created while the webhook was not registered, was
     * failing open, or excluded their namespace. A pod is matched to the decision on its namespace and name made around
     * its creation time (the API server names a pod before validating webhooks see it).
     */
    public List<Row> neverAdmitted() {
        return rows(ROW + "WHERE r.present = 1 AND NOT EXISTS (SELECT 1 " + ADMISSION + ")" + ORDER);
    }

    /** A present container with the admission decision that let its pod in and the policy version then (nulls: none found). */
    public record Admitted(Row row, Long decisionSeq, String policyVersion, Long admittedAt) {}

    /** Containers of present pods whose admission decision was made under another policy version than {@code current}. */
    public List<Admitted> admittedUnderOtherPolicy(String current) {
        String sql = ROW.replace(" FROM runtime_container k ", ", d.seq, d.policy_version, d.recorded_at FROM runtime_container k ")
                + "JOIN decision d ON d.seq = (SELECT MAX(d.seq) " + ADMISSION + ") WHERE r.present = 1 AND (d.policy_version IS NULL OR "
                + "d.policy_version <> ?)" + ORDER;
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                p.setString(1, current);
                List<Admitted> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Admitted(row(rs), rs.getLong(23), rs.getString(24), rs.getLong(25)));
                    }
                }
                return out;
            }
        });
    }

    /**
     * The containers running {@code digest} now, each with the admission decision that let its pod in (the newest Pod
     * CREATE decision around its creation) and the policy version it was made under; a pod admission never saw has nulls.
     */
    public List<Admitted> runningWithAdmission(String digest) {
        String sql = ROW.replace(" FROM runtime_container k ", ", d.seq, d.policy_version, d.recorded_at FROM runtime_container k ")
                + "LEFT JOIN decision d ON d.seq = (SELECT MAX(d.seq) " + ADMISSION + ") WHERE r.present = 1 AND k.running = 1 AND k.digest = ?" + ORDER;
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                p.setString(1, digest);
                List<Admitted> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Admitted(row(rs), getLong(rs, 23), rs.getString(24), getLong(rs, 25)));
                    }
                }
                return out;
            }
        });
    }

    /** The policy version of the newest admission decision, or null when admission decided nothing yet. */
    public String newestAdmissionPolicyVersion() {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT policy_version FROM decision WHERE source = 'admission' ORDER BY seq DESC LIMIT 1");
                 ResultSet rs = p.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        });
    }

    private List<Row> rows(String sql, String... args) {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    p.setString(i + 1, args[i]);
                }
                List<Row> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(row(rs));
                    }
                }
                return out;
            }
        });
    }

    /** Parsed namespace labels by their JSON: a query's rows share a few namespaces, so each is parsed once. */
    private static final int LABEL_CACHE = 4096;
    private static final Map<String, Map<String, String>> LABELS = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Map<String, String>> eldest) {
                    return size() > LABEL_CACHE;
                }
            });

    private static Map<String, String> cachedLabels(String json) {
        if (json == null) {
            return Map.of();
        }
        Map<String, String> m = LABELS.get(json);
        if (m == null) {
            m = java.util.Collections.unmodifiableMap(labels(json));
            LABELS.put(json, m);
        }
        return m;
    }

    static Row row(ResultSet rs) throws SQLException {
        return new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                new WorkloadRef(rs.getString(7), rs.getString(8)), rs.getString(9), rs.getString(10), rs.getString(11),
                rs.getString(12), rs.getString(13), rs.getString(14), rs.getString(15), rs.getInt(16) == 1, rs.getInt(17) == 1,
                getLong(rs, 18), getLong(rs, 19), rs.getLong(20), rs.getLong(21), cachedLabels(rs.getString(22)));
    }

    /** Every present pod with its object and namespace labels, in a stable order, for re-evaluation. */
    public List<PresentPod> presentPods() {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT r.cluster, r.uid, r.namespace, r.name, r.workload_kind, r.workload_name, "
                    + "r.object, n.labels FROM runtime_pod r LEFT JOIN runtime_namespace n ON n.cluster = r.cluster AND n.name = r.namespace "
                    + "WHERE r.present = 1 ORDER BY r.cluster, r.namespace, r.workload_kind, r.workload_name, r.name")) {
                Map<String, Map<String, String>> digests = new java.util.HashMap<>();
                try (PreparedStatement q = c.prepareStatement("SELECT k.cluster, k.pod_uid, k.image, k.digest FROM runtime_container k "
                        + "JOIN runtime_pod r ON r.cluster = k.cluster AND r.uid = k.pod_uid WHERE r.present = 1 AND k.digest IS NOT NULL");
                     ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        digests.computeIfAbsent(rs.getString(1) + "\u0000" + rs.getString(2), k -> new java.util.HashMap<>())
                                .putIfAbsent(rs.getString(3), rs.getString(4));
                    }
                }
                List<PresentPod> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        Map<String, String> running = digests.get(rs.getString(1) + "\u0000" + rs.getString(2));
                        out.add(new PresentPod(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                new WorkloadRef(rs.getString(5), rs.getString(6)), rs.getString(7), labels(rs.getString(8)),
                                running == null ? Map.of() : Map.copyOf(running)));
                    }
                }
                return out;
            }
        });
    }

    /** Every cluster a collector reported, with its count of present pods. */
    public List<ClusterState> clusters() {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT k.cluster, k.synced_at, k.seen_at, k.state, k.message, "
                    + "(SELECT COUNT(*) FROM runtime_pod r WHERE r.cluster = k.cluster AND r.present = 1) FROM runtime_cluster k ORDER BY k.cluster")) {
                List<ClusterState> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new ClusterState(rs.getString(1), getLong(rs, 2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getLong(6)));
                    }
                }
                return out;
            }
        });
    }

    // ---------------------------------------------------------------- helpers

    private static void setLong(PreparedStatement p, int i, Long v) throws SQLException {
        if (v == null) {
            p.setNull(i, Types.BIGINT);
        } else {
            p.setLong(i, v);
        }
    }

    private static Long getLong(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }

    private static String json(Map<String, String> m) {
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> labels(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() {});
        } catch (JsonProcessingException e) {
            throw new StoreException("runtime_namespace.labels is not a JSON object of strings: " + e.getOriginalMessage(), e);
        }
    }
}
