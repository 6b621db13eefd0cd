package dev.custody.cli;

import java.nio.file.Path;

/** The user's data directory for Custody: $CUSTODY_HOME, else $XDG_DATA_HOME/custody, else ~/.local/share/custody. */
final class DataDir {

    private DataDir() {}

    static Path resolve(String child) {
        String home = System.getenv("CUSTODY_HOME");
        if (home != null && !home.isEmpty()) {
            return Path.of(home).resolve(child);
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("custody").resolve(child);
    }
}
