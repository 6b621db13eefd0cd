package dev.custody.store;

/** PostgreSQL advisory lock keys; SQLite serializes writers by itself. */
final class Locks {
    static final long MIGRATION = 0x637573746f6479L; // "custody"
    static final long DECISION_LOG = 0x637573746f6480L;
    static final long INCIDENTS = 0x637573746f6481L;

    private Locks() {}
}
