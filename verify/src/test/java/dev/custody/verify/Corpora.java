package dev.custody.verify;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the shared Sigstore corpora are: read in place, {@code <repoRoot>/../shared/corpora/sigstore}. */
final class Corpora {

    private Corpora() {}

    static Path sigstore() {
        String prop = System.getProperty("custody.repoRoot");
        Path repo = prop != null ? Path.of(prop) : Path.of("").toAbsolutePath().getParent();
        Path dir = repo.resolve("../shared/corpora/sigstore").normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("the Sigstore corpus is missing at " + dir + "; tests read it in place");
        }
        return dir;
    }
}
