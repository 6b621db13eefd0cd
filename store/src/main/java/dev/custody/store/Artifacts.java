package dev.custody.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** The artifact inventory row of a digest: first and last sighting, and the repository once known. */
final class Artifacts {

    private Artifacts() {}

    static final String UPSERT = "INSERT INTO artifact (digest, repository, first_seen, last_seen) VALUES (?, ?, ?, ?) "
            + "ON CONFLICT (digest) DO UPDATE SET "
            + "first_seen = CASE WHEN excluded.first_seen < artifact.first_seen THEN excluded.first_seen ELSE artifact.first_seen END, "
            + "last_seen = CASE WHEN excluded.last_seen > artifact.last_seen THEN excluded.last_seen ELSE artifact.last_seen END, "
            + "repository = COALESCE(artifact.repository, excluded.repository)";

    /** Adds one sighting to a prepared {@link #UPSERT} batch. */
    static void add(PreparedStatement upsert, String digest, String repository, long at) throws SQLException {
        upsert.setString(1, digest);
        upsert.setString(2, repository);
        upsert.setLong(3, at);
        upsert.setLong(4, at);
        upsert.addBatch();
    }

    /** Records one sighting now. */
    static void touch(Connection c, String digest, String repository, long at) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(UPSERT)) {
            add(p, digest, repository, at);
            p.executeBatch();
        }
    }
}
