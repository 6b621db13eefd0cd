package dev.custody;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where tests find the repository and the shared third-party corpora (../shared/corpora from the repo root). */
public final class TestPaths {

    private TestPaths() {}

    public static Path repoRoot() {
        String prop = System.getProperty("custody.repoRoot");
        Path p = prop != null ? Path.of(prop) : Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("core/pom.xml"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root from " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    public static Path corpora() {
        Path c = repoRoot().resolve("../shared/corpora").normalize();
        if (!Files.isDirectory(c)) {
            throw new IllegalStateException("the shared corpora are missing at " + c + "; tests read them in place");
        }
        return c;
    }
}
