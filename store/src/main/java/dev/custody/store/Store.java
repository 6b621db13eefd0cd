package dev.custody.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The evidence store: an embedded SQLite file (WAL journal, synchronous commits) or a shared PostgreSQL database,
 * migrated to the current schema when opened. Thread-safe; connections come from a small HikariCP pool.
 */
public final class Store implements AutoCloseable {

    /** A unit of work on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    static {
        // HikariCP logs pool start and stop at INFO; Custody reports store problems itself
        System.setProperty("org.slf4j.simpleLogger.log.com.zaxxer.hikari",
                System.getProperty("org.slf4j.simpleLogger.log.com.zaxxer.hikari", "warn"));
    }

    /**
     * How long the decision log waits for a PostgreSQL connection before it counts the store as down. The general
     * pool waits 10 s (an API read may queue behind others); a decision the store cannot take within this goes to the
     * replica's spool instead, so an unreachable server must be noticed well inside an admission deadline.
     */
    static final long LOG_CONNECT_MILLIS = 500;
    /** A statement of the decision log that has not returned in this long has lost its server (a hung or cut link). */
    static final int LOG_SOCKET_SECONDS = 5;

    private final StoreLocation location;
    private final HikariDataSource pool;
    private volatile HikariDataSource logPool;

    private Store(StoreLocation location, HikariDataSource pool) {
        this.location = location;
        this.pool = pool;
    }

    /** Opens (creating and migrating as needed) the store at a location as a user writes it. */
    public static Store open(String location) {
        return open(StoreLocation.parse(location));
    }

    public static Store open(StoreLocation location) {
        HikariConfig cfg = new HikariConfig();
        cfg.setPoolName("custody-store");
        cfg.setAutoCommit(true);
        cfg.setInitializationFailTimeout(-1); // report failures ourselves, below, with the location in the message
        cfg.setConnectionTimeout(10_000);
        if (location.dialect() == Dialect.SQLITE) {
            Path file = location.file();
            try {
                if (file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
            } catch (IOException e) {
                throw new StoreException("cannot create the directory of store " + file + ": " + e.getMessage(), e);
            }
            cfg.setDataSource(sqlite(location.jdbcUrl()));
            cfg.setMaximumPoolSize(4);
            cfg.setMinimumIdle(1);
        } else {
            postgresql(cfg, location, "custody");
            cfg.setMaximumPoolSize(8);
            cfg.setMinimumIdle(1);
        }
        HikariDataSource pool = new HikariDataSource(cfg);
        Store store = new Store(location, pool);
        try (Connection c = pool.getConnection()) {
            Migrations.apply(c, location.dialect(), location.display());
        } catch (SQLException e) {
            pool.close();
            throw new StoreException("cannot open store " + location.display() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return store;
    }

    /** A PostgreSQL pool's connection settings, under an application name the server's activity view shows. */
    private static void postgresql(HikariConfig cfg, StoreLocation location, String application) {
        cfg.setJdbcUrl(location.jdbcUrl());
        cfg.setDataSourceProperties(location.properties());
        cfg.addDataSourceProperty("reWriteBatchedInserts", "true");
        cfg.addDataSourceProperty("ApplicationName", application);
    }

    private static DataSource sqlite(String url) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // FULL: a commit is on disk when it returns, so a decision acknowledged as durable survives power loss too.
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(15_000);
        // Writers take the write lock when they begin, not at their first write: no deadlock between two upgraders.
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        // LIKE compares case-sensitively, as PostgreSQL's does: purl and rule searches match the same on both
        config.enableCaseSensitiveLike(true);
        SQLiteDataSource ds = new SQLiteDataSource(config);
        ds.setUrl(url);
        return ds;
    }

    public Dialect dialect() {
        return location.dialect();
    }

    public StoreLocation location() {
        return location;
    }

    /** Runs work on a pooled connection in autocommit mode (reads, single statements). */
    public <T> T read(Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException("store " + location.display() + ": " + e.getMessage(), e);
        }
    }

    /** Runs work in one transaction, committed when it returns and rolled back when it throws. */
    public <T> T write(Work<T> work) {
        return write(pool, work);
    }

    /**
     * Runs work in one transaction on the decision log's own connections: for PostgreSQL a pool of two that fails
     * within {@link #LOG_CONNECT_MILLIS} when the server is unreachable and within {@link #LOG_SOCKET_SECONDS} when it
     * stops answering; for SQLite the general pool (the file is local).
     */
    public <T> T writeLog(Work<T> work) {
        if (location.dialect() != Dialect.POSTGRESQL) {
            return write(work);
        }
        return write(logPool(), work);
    }

    private HikariDataSource logPool() {
        HikariDataSource p = logPool;
        if (p == null) {
            synchronized (this) {
                p = logPool;
                if (p == null) {
                    HikariConfig cfg = new HikariConfig();
                    cfg.setPoolName("custody-decision-log");
                    cfg.setAutoCommit(true);
                    cfg.setInitializationFailTimeout(-1);
                    cfg.setConnectionTimeout(LOG_CONNECT_MILLIS);
                    cfg.setValidationTimeout(250);
                    postgresql(cfg, location, "custody-decision-log");
                    cfg.addDataSourceProperty("connectTimeout", "1");
                    cfg.addDataSourceProperty("socketTimeout", Integer.toString(LOG_SOCKET_SECONDS));
                    cfg.setMaximumPoolSize(2);
                    cfg.setMinimumIdle(1);
                    p = new HikariDataSource(cfg);
                    logPool = p;
                }
            }
        }
        return p;
    }

    private <T> T write(HikariDataSource from, Work<T> work) {
        try (Connection c = from.getConnection()) {
            c.setAutoCommit(false);
            try {
                T out = work.run(c);
                c.commit();
                return out;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("store " + location.display() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refreshes the planner's statistics of a table that now holds many more rows than its statistics say (at least
     * {@code rows}, against the planner's estimate), so that a query right after a bulk load (a collector's first
     * listing of 10,000 pods) is planned from the rows it will meet. PostgreSQL's autovacuum analyzes such a table
     * too, but up to a minute later; until then the planner guessed a scan of every present pod per container for
     * the inventory joins (3 ms instead of 0.3 ms per "pods running digest X"). The estimate is read from the
     * catalogue, not from the activity counters, which a backend publishes only about once a second. SQLite plans
     * from its indexes without statistics, so there this does nothing. A failure is not the caller's: statistics are
     * a hint, and autovacuum will come.
     */
    public void analyzeIfGrown(String table, long rows) {
        if (location.dialect() != Dialect.POSTGRESQL || rows < 500) {
            return;
        }
        try (Connection c = pool.getConnection()) {
            double estimate;
            try (var p = c.prepareStatement("SELECT reltuples FROM pg_class WHERE oid = to_regclass(?)")) {
                p.setString(1, table);
                try (var rs = p.executeQuery()) {
                    if (!rs.next()) {
                        return;
                    }
                    estimate = rs.getDouble(1); // -1: never analyzed
                }
            }
            if (estimate < 0 || rows > estimate * 1.2 + 500) {
                try (var s = c.createStatement()) {
                    s.execute("ANALYZE " + table); // one of the store's own table names, never input
                }
            }
        } catch (SQLException e) {
            // the statistics are a hint: leave them to autovacuum
        }
    }

    /** The schema version this store is at. */
    public int schemaVersion() {
        return read(c -> {
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT MAX(version) FROM custody_schema")) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        });
    }

    @Override
    public void close() {
        HikariDataSource p = logPool;
        if (p != null) {
            p.close();
        }
        pool.close();
    }

    @Override
    public String toString() {
        return location.display();
    }
}
