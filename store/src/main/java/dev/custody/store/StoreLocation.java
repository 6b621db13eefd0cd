package dev.custody.store;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where a store lives, as a user writes it: a file path (SQLite), {@code sqlite:PATH}, a PostgreSQL URL
 * ({@code postgresql://user[:password]@host[:port]/database[?options]}) or a JDBC URL ({@code jdbc:postgresql:...},
 * {@code jdbc:sqlite:...}). A password may also come from {@code PGPASSWORD}.
 *
 * @param dialect    which database
 * @param jdbcUrl    the JDBC URL without credentials
 * @param properties user and password for PostgreSQL; empty for SQLite
 * @param display    the location with any password removed, for messages
 */
public record StoreLocation(Dialect dialect, String jdbcUrl, Properties properties, String display) {

    public static StoreLocation parse(String location) {
        if (location == null || location.isBlank()) {
            throw new StoreException("store location is empty; give a file path or a postgresql:// URL");
        }
        String s = location.trim();
        if (s.startsWith("postgresql://") || s.startsWith("postgres://")) {
            return postgres(s);
        }
        if (s.startsWith("jdbc:postgresql:")) {
            Properties p = new Properties();
            password(p);
            return new StoreLocation(Dialect.POSTGRESQL, s, p, s.replaceAll("password=[^&]*", "password=***"));
        }
        if (s.startsWith("jdbc:sqlite:")) {
            return sqlite(Path.of(s.substring("jdbc:sqlite:".length())));
        }
        if (s.startsWith("sqlite:")) {
            return sqlite(Path.of(s.substring("sqlite:".length())));
        }
        if (s.contains("://")) {
            throw new StoreException("store location " + s + " is not supported; use a file path (SQLite) or a postgresql:// URL");
        }
        return sqlite(Path.of(s));
    }

    public static StoreLocation sqlite(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        return new StoreLocation(Dialect.SQLITE, "jdbc:sqlite:" + abs, new Properties(), abs.toString());
    }

    /** The SQLite file, for SQLite stores. */
    public Path file() {
        if (dialect != Dialect.SQLITE) {
            throw new IllegalStateException("not a SQLite store");
        }
        return Path.of(jdbcUrl.substring("jdbc:sqlite:".length()));
    }

    private static StoreLocation postgres(String s) {
        URI uri;
        try {
            uri = URI.create(s.replaceFirst("^postgres://", "postgresql://"));
        } catch (IllegalArgumentException e) {
            throw new StoreException("store URL " + redact(s) + " is malformed: " + e.getMessage());
        }
        if (uri.getHost() == null) {
            throw new StoreException("store URL " + redact(s) + " names no host");
        }
        String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "custody" : uri.getPath().substring(1);
        StringBuilder url = new StringBuilder("jdbc:postgresql://").append(uri.getHost());
        if (uri.getPort() > 0) {
            url.append(':').append(uri.getPort());
        }
        url.append('/').append(db);
        if (uri.getRawQuery() != null) {
            url.append('?').append(uri.getRawQuery());
        }
        Properties p = new Properties();
        String info = uri.getRawUserInfo();
        if (info != null) {
            int colon = info.indexOf(':');
            p.setProperty("user", decode(colon < 0 ? info : info.substring(0, colon)));
            if (colon >= 0) {
                p.setProperty("password", decode(info.substring(colon + 1)));
            }
        }
        if (!p.containsKey("password")) {
            password(p);
        }
        return new StoreLocation(Dialect.POSTGRESQL, url.toString(), p, redact(s));
    }

    private static void password(Properties p) {
        String env = System.getenv("PGPASSWORD");
        if (env != null && !env.isEmpty()) {
            p.setProperty("password", env);
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String redact(String s) {
        return s.replaceFirst("://([^:@/]+):[^@/]*@", "://$1:***@");
    }

    @Override
    public String toString() {
        return display;
    }
}
