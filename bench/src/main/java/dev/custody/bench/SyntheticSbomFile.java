package dev.custody.bench;

import dev.custody.sbom.SyntheticSbom;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a synthetic CycloneDX JSON SBOM: {@code SyntheticSbomFile COMPONENTS FILE}. */
public final class SyntheticSbomFile {
    public static void main(String[] args) throws Exception {
        Files.write(Path.of(args[1]), SyntheticSbom.cycloneDxJson(Integer.parseInt(args[0]), 42));
    }
}
