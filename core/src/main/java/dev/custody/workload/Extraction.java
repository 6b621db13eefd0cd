package dev.custody.workload;

import dev.custody.manifest.Position;
import java.util.List;

/**
 * What the extractor found in a set of documents: workloads, skipped objects, namespace objects (their
 * labels select policies), and problems that make an object unreadable.
 */
public record Extraction(List<Workload> workloads, List<Skipped> skipped, List<NamespaceObject> namespaces,
                         List<Problem> problems) {

    /** A Namespace object of the input. */
    public record NamespaceObject(String name, java.util.Map<String, String> labels) {}

    /** An object that could not be interpreted, with where and why. */
    public record Problem(Position position, String message) {
        public String describe() {
            return (position.line() > 0 ? position.toString() : position.source()) + ": " + message;
        }
    }
}
