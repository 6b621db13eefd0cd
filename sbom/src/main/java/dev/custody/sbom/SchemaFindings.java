package dev.custody.sbom;

import com.networknt.schema.JsonNodePath;
import com.networknt.schema.ValidationMessage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What schema validation found in one CycloneDX JSON document, sorted into errors, which refuse it, and
 * {@link Deviation}s, which Custody tolerates: a value the schema wants as an IRI reference that is not one, at a
 * place that is not part of the document's identity. Everything else is an error, so the invalid spec test vectors
 * stay refused.
 */
final class SchemaFindings {

    static final int MAX_REPORTED_ERRORS = 5;
    /** Deviations kept with the document; the count goes on. A flood of them must not bloat the quality record. */
    static final int MAX_RECORDED_DEVIATIONS = 100;
    private static final int MAX_MESSAGE = 240;

    /**
     * Fields that make up what a component (or the subject) is: a deviation there would change what Custody
     * records, so it is never tolerated, whatever kind it is.
     */
    private static final Set<String> IDENTITY_FIELDS = Set.of("name", "group", "version", "purl", "hashes", "type", "bom-ref");

    private final List<String> errors = new ArrayList<>();
    private int errorCount;
    private final List<Deviation> deviations = new ArrayList<>();
    private int deviationCount;

    /**
     * Sorts the messages validation gave for one node. Messages at one path are judged together: in 1.5 and 1.6 a
     * URL may be an IRI reference or a BOM-Link, so one bad URL fails the iri-reference format and both BOM-Link
     * patterns, and is one deviation. Returns whether any of them is an error.
     */
    boolean add(Collection<ValidationMessage> messages) {
        if (messages.isEmpty()) {
            return false;
        }
        Map<JsonNodePath, List<ValidationMessage>> byPath = new LinkedHashMap<>();
        for (ValidationMessage m : messages) {
            byPath.computeIfAbsent(m.getInstanceLocation(), p -> new ArrayList<>()).add(m);
        }
        boolean fatal = false;
        for (Map.Entry<JsonNodePath, List<ValidationMessage>> e : byPath.entrySet()) {
            if (isInvalidIriReference(e.getValue()) && !identity(e.getKey())) {
                deviation(new Deviation(e.getKey().toString(), Deviation.Reason.IRI_REFERENCE_INVALID,
                        JsonInput.describe(e.getValue().getFirst().getInstanceNode()) + " is not an RFC 3987 IRI reference"));
            } else {
                e.getValue().forEach(m -> error(m.getMessage()));
                fatal = true;
            }
        }
        return fatal;
    }

    /** An error found outside the schema (a component that is not an object). */
    void error(String message) {
        if (errors.size() < MAX_REPORTED_ERRORS) {
            // "not in the enumeration [...]" lists all 600 SPDX license ids
            errors.add(message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "...");
        }
        errorCount++;
    }

    private void deviation(Deviation d) {
        if (deviations.size() < MAX_RECORDED_DEVIATIONS) {
            deviations.add(d);
        }
        deviationCount++;
    }

    boolean hasErrors() {
        return errorCount > 0;
    }

    /** The first few errors and how many more there were. */
    String errors() {
        return String.join("; ", errors) + (errorCount > errors.size() ? "; and " + (errorCount - errors.size()) + " more" : "");
    }

    List<Deviation> deviations() {
        return List.copyOf(deviations);
    }

    int deviationCount() {
        return deviationCount;
    }

    /** The iri-reference format failed, and nothing else did but the BOM-Link alternatives to it. */
    private static boolean isInvalidIriReference(List<ValidationMessage> atOnePath) {
        boolean iri = false;
        for (ValidationMessage m : atOnePath) {
            if ("format".equals(m.getType()) && "format.iri-reference".equals(m.getMessageKey())) {
                iri = true;
            } else if (!("pattern".equals(m.getType()) && bomLink(m))) {
                return false;
            }
        }
        return iri;
    }

    private static boolean bomLink(ValidationMessage m) {
        String where = m.getSchemaLocation().toString();
        return where.endsWith("#/definitions/bomLinkDocumentType/pattern") || where.endsWith("#/definitions/bomLinkElementType/pattern");
    }

    /**
     * Whether the path is the document's header, the components array, a component (at any depth, the subject
     * metadata.component included) or one of a component's {@link #IDENTITY_FIELDS}.
     */
    static boolean identity(JsonNodePath path) {
        int n = path.getNameCount();
        if (n == 0) {
            return true;
        }
        Object first = path.getElement(0);
        if ("bomFormat".equals(first) || "specVersion".equals(first)) {
            return true;
        }
        int owner = -1; // the index just after the innermost component that holds the path
        for (int i = 0; i < n; i++) {
            Object e = path.getElement(i);
            if ("components".equals(e)) {
                if (i + 1 == n) {
                    return true;
                }
                if (path.getElement(i + 1) instanceof Integer) {
                    owner = i + 2;
                    i++;
                }
            } else if (i == 1 && "component".equals(e) && "metadata".equals(first)) {
                owner = 2;
            }
        }
        return owner >= 0 && (owner == n || IDENTITY_FIELDS.contains(String.valueOf(path.getElement(owner))));
    }
}
