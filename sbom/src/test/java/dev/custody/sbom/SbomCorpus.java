package dev.custody.sbom;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The shared SBOM corpus (../shared/corpora/sbom from the repository root), read in place. */
final class SbomCorpus {

    private SbomCorpus() {}

    static Path root() {
        String prop = System.getProperty("custody.repoRoot");
        Path repo = prop != null ? Path.of(prop) : Path.of("").toAbsolutePath();
        while (repo != null && !Files.isDirectory(repo.resolve("../shared/corpora/sbom"))) {
            repo = repo.getParent();
        }
        if (repo == null) {
            throw new IllegalStateException("the shared SBOM corpus is missing next to " + prop + "; tests read it in place");
        }
        return repo.resolve("../shared/corpora/sbom").normalize();
    }

    static Path guac(String name) {
        return root().resolve("guac-exampledata/internal/testing/testdata/exampledata").resolve(name);
    }

    static Path spdxExample(String name) {
        return root().resolve("spdx-spec-2.3-examples").resolve(name);
    }

    /** Every file that could be an SBOM document: not READMEs, licenses, CSVs, the manifest or the schemas. */
    static List<Path> documents() {
        Path root = root();
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !root.relativize(p).startsWith("schemas"))
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        return !n.endsWith(".md") && !n.equals("LICENSE") && !n.equals("COPYING") && !n.endsWith(".csv");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String relative(Path p) {
        return root().relativize(p).toString();
    }

    static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Sbom read(Path p) throws SbomException {
        return SbomReader.read(bytes(p), p.getFileName().toString());
    }
}
