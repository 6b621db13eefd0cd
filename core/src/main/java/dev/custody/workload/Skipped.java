package dev.custody.workload;

import dev.custody.manifest.Document;
import dev.custody.manifest.FieldPath;

/** An object that was read but holds no pods, reported so nothing in the input is dropped silently. */
public record Skipped(Document document, FieldPath objectPath, String apiVersion, String kind, String name,
                      String namespace, String reason) {}
