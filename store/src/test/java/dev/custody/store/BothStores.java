package dev.custody.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.opentest4j.TestAbortedException;

/** Runs each {@link StoreTest} on SQLite and on PostgreSQL. */
public final class BothStores implements TestTemplateInvocationContextProvider {

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return true;
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        return Stream.of(new Invocation(Dialect.SQLITE), new Invocation(Dialect.POSTGRESQL));
    }

    /** The PostgreSQL test server's URL, or null when none is configured. */
    public static String postgresUrl() {
        String url = System.getenv("CUSTODY_PG_URL");
        return url == null || url.isBlank() ? null : url;
    }

    /**
     * A fresh store location of a dialect: a new SQLite file under a temporary directory, or a new schema in the test
     * PostgreSQL database. Aborts (skips) the test when PostgreSQL is wanted and not configured, unless it is required.
     */
    public static StoreLocation freshLocation(Dialect dialect) throws Exception {
        if (dialect == Dialect.SQLITE) {
            Path dir = Files.createTempDirectory("custody-store-");
            return StoreLocation.sqlite(dir.resolve("custody.db"));
        }
        String url = postgresUrl();
        if (url == null) {
            if ("1".equals(System.getenv("CUSTODY_REQUIRE_PG"))) {
                throw new IllegalStateException("CUSTODY_REQUIRE_PG=1 but CUSTODY_PG_URL is not set; start one with scripts/pg/start.sh");
            }
            throw new TestAbortedException("no PostgreSQL configured (CUSTODY_PG_URL); scripts/test.sh starts one");
        }
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        StoreLocation base = StoreLocation.parse(url);
        try (Connection c = DriverManager.getConnection(base.jdbcUrl(), base.properties()); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        return StoreLocation.parse(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema);
    }

    /** Drops what {@link #freshLocation} made for PostgreSQL. */
    public static void dropLocation(StoreLocation location) {
        if (location.dialect() != Dialect.POSTGRESQL) {
            return;
        }
        String url = location.jdbcUrl();
        int at = url.indexOf("currentSchema=");
        if (at < 0) {
            return;
        }
        String schema = url.substring(at + "currentSchema=".length()).replaceAll("&.*", "");
        try (Connection c = DriverManager.getConnection(url, location.properties()); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA " + schema + " CASCADE");
        } catch (SQLException e) {
            // a leftover schema in a throwaway test database is harmless
        }
    }

    private record Invocation(Dialect dialect) implements TestTemplateInvocationContext {

        @Override
        public String getDisplayName(int invocationIndex) {
            return dialect == Dialect.SQLITE ? "sqlite" : "postgresql";
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of(new Resources(dialect));
        }
    }

    private static final class Resources implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
        private final Dialect dialect;
        private StoreLocation location;
        private Store store;

        Resources(Dialect dialect) {
            this.dialect = dialect;
        }

        @Override
        public void beforeEach(ExtensionContext context) throws Exception {
            location = freshLocation(dialect);
            store = Store.open(location);
        }

        @Override
        public void afterEach(ExtensionContext context) {
            if (store != null) {
                store.close();
            }
            if (location != null) {
                dropLocation(location);
            }
        }

        @Override
        public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
            return p.getParameter().getType() == Store.class;
        }

        @Override
        public Object resolveParameter(ParameterContext p, ExtensionContext e) {
            return store;
        }
    }
}
