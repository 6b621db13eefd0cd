package dev.custody.store;

/** The two databases Custody stores evidence in, and the little that differs between them. */
public enum Dialect {
    /** The embedded default: one file, WAL journal, one writer at a time. */
    SQLITE("BLOB"),
    /** Shared deployments: several replicas write one log, serialized by an advisory lock. */
    POSTGRESQL("BYTEA");

    private final String bytesType;

    Dialect(String bytesType) {
        this.bytesType = bytesType;
    }

    /** The migration text with the dialect's names filled in. */
    String render(String sql) {
        return sql.replace("${bytes}", bytesType);
    }
}
