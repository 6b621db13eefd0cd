package dev.custody.sbom;

/** A "from depends on to" edge between two components, by their document-local refs. */
public record Dependency(String from, String to) {
}
