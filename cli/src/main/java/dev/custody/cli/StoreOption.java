package dev.custody.cli;

import dev.custody.store.Store;
import picocli.CommandLine.Option;

/** {@code --store PATH|URL}: which evidence store; the embedded default lives in the user's data directory. */
final class StoreOption {

    @Option(names = "--store", paramLabel = "PATH|URL",
            description = "Evidence store: a SQLite file path or a postgresql:// URL (default: $CUSTODY_STORE, else custody.db in the user's data directory).")
    String store;

    /** The location as given, else $CUSTODY_STORE, else the embedded default. */
    String location() {
        if (store != null && !store.isBlank()) {
            return store;
        }
        String env = System.getenv("CUSTODY_STORE");
        if (env != null && !env.isBlank()) {
            return env;
        }
        return DataDir.resolve("custody.db").toString();
    }

    /** Whether the user named a store (flag or environment), as opposed to the default. */
    boolean given() {
        String env = System.getenv("CUSTODY_STORE");
        return (store != null && !store.isBlank()) || (env != null && !env.isBlank());
    }

    Store open() {
        return Store.open(location());
    }
}
