package dev.custody.store;

import dev.custody.sbom.PackageUrl;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * The parsed parts of a component's purl, kept in columns so that lookups compare parts (an index on name, type,
 * namespace and version), and the one-time step that fills them in for rows stored before they existed.
 */
final class PurlParts {

    private static final int PAGE = 5_000;

    private PurlParts() {}

    /** Sets namespace, name and version at {@code first}, {@code first + 1}, {@code first + 2}; nulls without a purl. */
    static void bind(PreparedStatement p, int first, PackageUrl purl) throws SQLException {
        if (purl == null) {
            p.setNull(first, Types.VARCHAR);
            p.setNull(first + 1, Types.VARCHAR);
            p.setNull(first + 2, Types.VARCHAR);
            return;
        }
        p.setString(first, purl.namespace());
        p.setString(first + 1, purl.name());
        p.setString(first + 2, purl.version());
    }

    /**
     * Fills the parts of every component that has a purl but no parts yet, and rewrites its text in the
     * specification's canonical form. A row whose canonical text is the key of another row is merged into it (its
     * SBOM memberships move over), so a package stays stored once. A purl that does not parse keeps its text.
     */
    static void backfill(Connection c) throws SQLException {
        long after = Long.MIN_VALUE;
        while (true) {
            List<long[]> ids = new ArrayList<>();
            List<String> purls = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT component_id, purl FROM component WHERE purl IS NOT NULL "
                    + "AND purl_name IS NULL AND component_id > ? ORDER BY component_id LIMIT " + PAGE)) {
                p.setLong(1, after);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        ids.add(new long[] {rs.getLong(1)});
                        purls.add(rs.getString(2));
                    }
                }
            }
            if (ids.isEmpty()) {
                return;
            }
            for (int i = 0; i < ids.size(); i++) {
                long id = ids.get(i)[0];
                after = id;
                PackageUrl purl = PackageUrl.parseOrNull(purls.get(i));
                if (purl != null) {
                    move(c, id, purl);
                }
            }
        }
    }

    private static void move(Connection c, long id, PackageUrl purl) throws SQLException {
        String text = purl.canonical();
        long to = SbomStore.id(text);
        if (to != id && exists(c, to)) {
            update(c, "UPDATE sbom_component SET component_id = ? WHERE component_id = ?", to, id);
            update(c, "DELETE FROM component WHERE component_id = ?", id);
            return;
        }
        try (PreparedStatement p = c.prepareStatement("UPDATE component SET component_id = ?, component_key = ?, purl = ?, "
                + "purl_namespace = ?, purl_name = ?, purl_version = ? WHERE component_id = ?")) {
            p.setLong(1, to);
            p.setString(2, text);
            p.setString(3, text);
            bind(p, 4, purl);
            p.setLong(7, id);
            p.executeUpdate();
        }
        if (to != id) {
            update(c, "UPDATE sbom_component SET component_id = ? WHERE component_id = ?", to, id);
        }
    }

    private static boolean exists(Connection c, long id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM component WHERE component_id = ?")) {
            p.setLong(1, id);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void update(Connection c, String sql, long... args) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                p.setLong(i + 1, args[i]);
            }
            p.executeUpdate();
        }
    }
}
