package dev.custody.vuln.osv;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * One OSV advisory as matching needs it: id, aliases, times (a withdrawn record matches nothing), summary, the
 * severity vectors or label, and what it affects. Parsed from the record's JSON with every problem named by its
 * field path, so an importer can refuse a broken record whole and say why.
 */
public record OsvRecord(String id, List<String> aliases, Instant modified, Instant published, Instant withdrawn, String summary,
                        List<Severity> severity, String severityLabel, List<Affected> affected) {

    /** A {@code severity[]} entry: its type (CVSS_V2, CVSS_V3, CVSS_V4, Ubuntu) and score (a vector, or a label). */
    public record Severity(String type, String score) {}

    /** One {@code affected[]} entry. {@code ecosystem} keeps its release suffix ({@code Debian:12}). */
    public record Affected(String ecosystem, String name, String purl, List<Range> ranges, List<String> versions) {}

    /** One range: SEMVER, ECOSYSTEM or GIT, with its events in the record's order. */
    public record Range(String type, List<Event> events) {}

    /** One event: introduced, fixed, last_affected or limit, at a version. */
    public record Event(String kind, String version) {}

    /** A record that cannot be used, with the field that is wrong. */
    public static final class InvalidRecordException extends Exception {
        public InvalidRecordException(String message) {
            super(message);
        }
    }

    static final int MAX_AFFECTED = 10_000;
    static final int MAX_EVENTS = 10_000;
    static final int MAX_VERSIONS = 100_000;

    public boolean isWithdrawn() {
        return withdrawn != null;
    }

    /** Reads a record; throws naming the field when it is not an OSV record Custody can use. */
    public static OsvRecord parse(JsonNode r) throws InvalidRecordException {
        if (r == null || !r.isObject()) {
            throw new InvalidRecordException("not a JSON object");
        }
        String id = text(r, "id", true);
        Instant modified = time(r, "modified", true);
        Instant published = time(r, "published", false);
        Instant withdrawn = time(r, "withdrawn", false);
        List<String> aliases = strings(r, "aliases");
        List<Severity> severity = new ArrayList<>();
        int k = 0;
        for (JsonNode s : r.path("severity")) {
            String where = "severity[" + k++ + "]";
            if (!s.path("type").isTextual() || !s.path("score").isTextual()) {
                throw new InvalidRecordException(where + ": needs type and score strings");
            }
            severity.add(new Severity(s.get("type").asText(), s.get("score").asText()));
        }
        String label = r.path("database_specific").path("severity").isTextual() ? r.path("database_specific").path("severity").asText() : null;
        List<Affected> affected = new ArrayList<>();
        JsonNode as = r.path("affected");
        if (!as.isMissingNode() && !as.isArray()) {
            throw new InvalidRecordException("affected: not an array");
        }
        if (as.size() > MAX_AFFECTED) {
            throw new InvalidRecordException("affected: more than " + MAX_AFFECTED + " entries");
        }
        int n = 0;
        for (JsonNode a : as) {
            String where = "affected[" + n++ + "]";
            JsonNode pkg = a.path("package");
            String ecosystem = pkg.path("ecosystem").asText("");
            String name = pkg.path("name").asText("");
            String purl = pkg.path("purl").isTextual() ? pkg.path("purl").asText() : null;
            if (!pkg.isMissingNode() && (ecosystem.isEmpty() || name.isEmpty())) {
                throw new InvalidRecordException(where + ".package: needs ecosystem and name");
            }
            List<Range> ranges = new ArrayList<>();
            int m = 0;
            for (JsonNode range : a.path("ranges")) {
                String rw = where + ".ranges[" + m++ + "]";
                String type = range.path("type").asText("");
                if (!List.of("SEMVER", "ECOSYSTEM", "GIT").contains(type)) {
                    throw new InvalidRecordException(rw + ".type: SEMVER, ECOSYSTEM or GIT, found \"" + type + "\"");
                }
                List<Event> events = new ArrayList<>();
                if (range.path("events").size() > MAX_EVENTS) {
                    throw new InvalidRecordException(rw + ".events: more than " + MAX_EVENTS);
                }
                int e = 0;
                for (JsonNode ev : range.path("events")) {
                    String ew = rw + ".events[" + e++ + "]";
                    var fields = ev.fieldNames();
                    if (!ev.isObject() || !fields.hasNext()) {
                        throw new InvalidRecordException(ew + ": an event is an object with one of introduced, fixed, last_affected, limit");
                    }
                    String kind = fields.next();
                    if (!List.of("introduced", "fixed", "last_affected", "limit").contains(kind) || !ev.get(kind).isTextual()) {
                        throw new InvalidRecordException(ew + ": unknown event \"" + kind + "\"");
                    }
                    events.add(new Event(kind, ev.get(kind).asText()));
                }
                if (events.stream().noneMatch(x -> x.kind().equals("introduced"))) {
                    throw new InvalidRecordException(rw + ".events: missing 'introduced' object in event");
                }
                ranges.add(new Range(type, List.copyOf(events)));
            }
            if (a.path("versions").size() > MAX_VERSIONS) {
                throw new InvalidRecordException(where + ".versions: more than " + MAX_VERSIONS);
            }
            affected.add(new Affected(ecosystem, name, purl, List.copyOf(ranges), strings(a, "versions")));
        }
        String summary = r.path("summary").isTextual() ? r.path("summary").asText() : null;
        return new OsvRecord(id, aliases, modified, published, withdrawn, summary, List.copyOf(severity), label, List.copyOf(affected));
    }

    private static String text(JsonNode r, String field, boolean required) throws InvalidRecordException {
        JsonNode v = r.path(field);
        if (v.isTextual() && !v.asText().isBlank()) {
            return v.asText();
        }
        if (required) {
            throw new InvalidRecordException(field + ": required, a non-empty string");
        }
        return null;
    }

    private static Instant time(JsonNode r, String field, boolean required) throws InvalidRecordException {
        String t = text(r, field, required);
        if (t == null) {
            return null;
        }
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException e2) {
                throw new InvalidRecordException(field + ": not an RFC 3339 time: \"" + t + "\"");
            }
        }
    }

    private static List<String> strings(JsonNode r, String field) throws InvalidRecordException {
        JsonNode v = r.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new InvalidRecordException(field + ": not an array");
        }
        List<String> out = new ArrayList<>(v.size());
        for (JsonNode s : v) {
            if (!s.isTextual()) {
                throw new InvalidRecordException(field + ": not an array of strings");
            }
            out.add(s.asText());
        }
        return List.copyOf(out);
    }
}
