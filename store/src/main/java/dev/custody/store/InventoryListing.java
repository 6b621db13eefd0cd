package dev.custody.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The runtime inventory as the web UI lists it: present containers filtered by place, team, registry, evidence and
 * drift, a page of pods at a time from a cursor, and the digests an image reference runs as.
 */
public final class InventoryListing {

    private final Store store;

    public InventoryListing(Store store) {
        this.store = store;
    }

    /**
     * What the inventory page filters on; null means no filter. {@code namespaces} (cluster and namespace pairs, from
     * a team's namespace labels) limits to those; {@code registry} is a registry host, or a repository prefix.
     */
    public record Filter(String cluster, String namespace, List<String[]> namespaces, String registry, Boolean signed, Boolean sbom,
                         boolean drift) {
        public static final Filter NONE = new Filter(null, null, null, null, null, null, false);
    }

    /** A present container with the evidence its digest has. */
    public record Listed(RuntimeInventory.Row row, boolean signed, boolean sbom) {}

    /** Where a page starts or ends: the listing's sort key of one pod. */
    public record Cursor(String cluster, String namespace, String pod, String podUid) {
        public static Cursor of(RuntimeInventory.Row r) {
            return new Cursor(r.cluster(), r.namespace(), r.pod(), r.podUid());
        }
    }

    /** One page of present containers, whether there are more on either side, and how many match in all. */
    public record Page(List<Listed> rows, int total, boolean more, boolean earlier) {}

    private static final String POD_ORDER = " ORDER BY r.cluster, r.namespace, r.name, r.uid";
    private static final String POD_ORDER_DESC = " ORDER BY r.cluster DESC, r.namespace DESC, r.name DESC, r.uid DESC";

    /**
     * The containers that pass the filter of {@code pods} present pods, in (cluster, namespace, pod, container) order:
     * the first pods, or those after {@code after}, or those before {@code before}. The pods are found by a walk of
     * the listing index from the cursor that stops when the page is full, so a late page costs what the first does
     * (an offset would join, sort and skip every container before it).
     */
    public Page page(Filter f, Cursor after, Cursor before, int pods) {
        // set-based rather than a lookup per container: each set is read once per query
        String signed = "k.digest IN (" + covered("verification", "e.kind = 'signature'") + ")";
        String sbom = "k.digest IN (" + covered("sbom_link", "1 = 1") + ")";
        StringBuilder podWhere = new StringBuilder("r.present = 1");
        List<String> podArgs = new ArrayList<>();
        if (f.cluster() != null) {
            podWhere.append(" AND r.cluster = ?");
            podArgs.add(f.cluster());
        }
        if (f.namespace() != null) {
            podWhere.append(" AND r.namespace = ?");
            podArgs.add(f.namespace());
        }
        if (f.namespaces() != null) {
            if (f.namespaces().isEmpty()) {
                return new Page(List.of(), 0, false, false);
            }
            podWhere.append(" AND (").append(String.join(" OR ", java.util.Collections.nCopies(f.namespaces().size(), "(r.cluster = ? AND r.namespace = ?)")))
                    .append(")");
            for (String[] cn : f.namespaces()) {
                podArgs.add(cn[0]);
                podArgs.add(cn[1]);
            }
        }
        StringBuilder containerWhere = new StringBuilder();
        List<String> containerArgs = new ArrayList<>();
        if (f.registry() != null) {
            containerWhere.append(" AND (k.image = ? OR k.image LIKE ? ESCAPE '\\')");
            containerArgs.add(f.registry());
            containerArgs.add(f.registry().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + (f.registry().endsWith("/") ? "%" : "/%"));
        }
        if (f.signed() != null) {
            containerWhere.append(f.signed() ? " AND " : " AND NOT ").append(signed);
        }
        if (f.sbom() != null) {
            containerWhere.append(f.sbom() ? " AND " : " AND NOT ").append(sbom);
        }
        if (f.drift()) {
            containerWhere.append(" AND k.digest IS NOT NULL AND k.declared_digest IS NOT NULL AND k.digest <> k.declared_digest");
        }
        String count = "SELECT COUNT(*) FROM runtime_container k JOIN runtime_pod r ON r.cluster = k.cluster AND r.uid = k.pod_uid WHERE " + podWhere
                + containerWhere;
        List<String> countArgs = new ArrayList<>(podArgs);
        countArgs.addAll(containerArgs);
        Cursor at = after != null ? after : before;
        boolean backwards = after == null && before != null;
        StringBuilder chosen = new StringBuilder("SELECT r.* FROM runtime_pod r WHERE ").append(podWhere);
        List<String> pageArgs = new ArrayList<>(podArgs);
        if (at != null) {
            chosen.append(" AND (r.cluster, r.namespace, r.name, r.uid) ").append(backwards ? "<" : ">").append(" (?, ?, ?, ?)");
            pageArgs.addAll(List.of(at.cluster(), at.namespace(), at.pod(), at.podUid()));
        }
        if (!containerWhere.isEmpty()) {
            chosen.append(" AND EXISTS (SELECT 1 FROM runtime_container k WHERE k.cluster = r.cluster AND k.pod_uid = r.uid").append(containerWhere).append(")");
            pageArgs.addAll(containerArgs);
        }
        chosen.append(backwards ? POD_ORDER_DESC : POD_ORDER).append(" LIMIT ").append(Math.max(0, pods) + 1);
        pageArgs.addAll(containerArgs);
        String select = RuntimeInventory.ROW.replace("JOIN runtime_pod r ON", "JOIN (" + chosen + ") r ON");
        int from = select.indexOf(" FROM runtime_container k ");
        String sql = select.substring(0, from) + ", CASE WHEN " + signed + " THEN 1 ELSE 0 END, CASE WHEN " + sbom + " THEN 1 ELSE 0 END"
                + select.substring(from) + "WHERE 1 = 1" + containerWhere + POD_ORDER + ", k.container";
        return store.read(c -> {
            int total;
            try (PreparedStatement p = c.prepareStatement(count)) {
                for (int i = 0; i < countArgs.size(); i++) {
                    p.setString(i + 1, countArgs.get(i));
                }
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    total = rs.getInt(1);
                }
            }
            List<Listed> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement(sql)) {
                for (int i = 0; i < pageArgs.size(); i++) {
                    p.setString(i + 1, pageArgs.get(i));
                }
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Listed(RuntimeInventory.row(rs), rs.getInt(23) == 1, rs.getInt(24) == 1));
                    }
                }
            }
            // one pod beyond the page was read to know whether there are more: it is dropped, at the far end of the walk
            java.util.LinkedHashSet<String> seen = new java.util.LinkedHashSet<>();
            out.forEach(l -> seen.add(l.row().cluster() + "\u0000" + l.row().podUid()));
            boolean beyond = seen.size() > pods;
            if (beyond) {
                List<String> keys = List.copyOf(seen);
                String drop = backwards ? keys.getFirst() : keys.getLast();
                out.removeIf(l -> (l.row().cluster() + "\u0000" + l.row().podUid()).equals(drop));
            }
            return backwards ? new Page(List.copyOf(out), total, true, beyond) : new Page(List.copyOf(out), total, beyond, at != null);
        });
    }

    /**
     * The digests evidence in {@code table} (rows {@code e} where {@code condition}) is about, as RuntimeInventory reads evidence about a running digest
     * reads it: the digest itself, its index (a parent), and its platform images (children).
     */
    private static String covered(String table, String condition) {
        return "SELECT e.digest FROM " + table + " e WHERE " + condition
                + " UNION SELECT a.parent_digest FROM artifact a JOIN " + table + " e ON e.digest = a.digest WHERE " + condition
                + " AND a.parent_digest IS NOT NULL"
                + " UNION SELECT a.digest FROM artifact a JOIN " + table + " e ON e.digest = a.parent_digest WHERE " + condition;
    }

    /**
     * Digests of present containers whose image is {@code reference}, or is {@code reference} with a tag or digest
     * (a repository given without either matches every tag and digest of it).
     */
    public List<String> digestsOfImage(String reference) {
        String like = reference.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT DISTINCT k.digest FROM runtime_container k JOIN runtime_pod r ON r.cluster = k.cluster "
                    + "AND r.uid = k.pod_uid WHERE r.present = 1 AND k.digest IS NOT NULL AND (k.image = ? OR k.image LIKE ? ESCAPE '\\' "
                    + "OR k.image LIKE ? ESCAPE '\\') ORDER BY k.digest LIMIT 500")) {
                p.setString(1, reference);
                p.setString(2, like + "@%");
                p.setString(3, like + ":%");
                List<String> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }
        });
    }
}
