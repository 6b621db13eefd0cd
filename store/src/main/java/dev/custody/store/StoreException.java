package dev.custody.store;

/** A store that cannot be opened, migrated, read or written; the message says which store and what failed. */
public final class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
