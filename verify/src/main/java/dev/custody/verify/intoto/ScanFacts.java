package dev.custody.verify.intoto;

import static dev.custody.verify.intoto.InvalidStatementException.Kind.INVALID_TIMESTAMP;
import static dev.custody.verify.intoto.InvalidStatementException.Kind.MALFORMED;
import static dev.custody.verify.intoto.InvalidStatementException.Kind.UNSUPPORTED_PREDICATE_TYPE;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * What a policy reads from a vulnerability scan attestation (cosign's {@code vuln} predicate, written by
 * {@code cosign attest --type vuln}): which scanner and database ran, and when the scan finished. The scan's
 * findings ({@code scanner.result}) stay in the statement; freshness is what admission checks.
 *
 * @param scannerUri     e.g. {@code pkg:github/aquasecurity/trivy@244fd47}; may be null
 * @param scannerVersion may be null
 * @param dbUri          the vulnerability database; may be null
 * @param dbVersion      may be null
 * @param startedOn      may be null
 * @param finishedOn     always present: a scan without a finish time cannot be judged fresh, and is refused
 */
public record ScanFacts(String scannerUri, String scannerVersion, String dbUri, String dbVersion, Instant startedOn, Instant finishedOn) {

    /** cosign's predicate type for vulnerability scans. */
    public static final String PREDICATE_TYPE = "https://cosign.sigstore.dev/attestation/vuln/v1";

    /** Go's zero time, which cosign writes for a scan time the predicate file did not give. */
    private static final Instant GO_ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

    /**
     * Reads the facts of a vuln statement.
     *
     * @throws InvalidStatementException naming the field, when the predicate is not a scan or has no finish time
     */
    public static ScanFacts from(Statement statement) throws InvalidStatementException {
        if (!PREDICATE_TYPE.equals(statement.predicateType())) {
            throw new InvalidStatementException(UNSUPPORTED_PREDICATE_TYPE, "predicateType", "expected " + PREDICATE_TYPE + ", found "
                    + statement.predicateType());
        }
        JsonNode p = statement.predicate();
        if (p == null || !p.isObject()) {
            throw new InvalidStatementException(MALFORMED, "predicate", "must be an object");
        }
        JsonNode scanner = Json.object(p, "scanner", "predicate");
        JsonNode db = scanner == null ? null : Json.object(scanner, "db", "predicate.scanner");
        JsonNode metadata = Json.object(p, "metadata", "predicate");
        Instant started = metadata == null ? null : time(metadata, "scanStartedOn");
        Instant finished = metadata == null ? null : time(metadata, "scanFinishedOn");
        if (finished == null) {
            throw new InvalidStatementException(INVALID_TIMESTAMP, "predicate.metadata.scanFinishedOn",
                    "the scan states no finish time, so its age cannot be judged");
        }
        return new ScanFacts(scanner == null ? null : Json.nonEmptyText(scanner, "uri", "predicate.scanner"),
                scanner == null ? null : Json.nonEmptyText(scanner, "version", "predicate.scanner"),
                db == null ? null : Json.nonEmptyText(db, "uri", "predicate.scanner.db"),
                db == null ? null : Json.nonEmptyText(db, "version", "predicate.scanner.db"), started, finished);
    }

    private static Instant time(JsonNode metadata, String name) throws InvalidStatementException {
        String text = Json.nonEmptyText(metadata, name, "predicate.metadata");
        if (text == null) {
            return null;
        }
        try {
            Instant t = OffsetDateTime.parse(text).toInstant();
            return t.equals(GO_ZERO_TIME) ? null : t;
        } catch (DateTimeParseException e) {
            throw new InvalidStatementException(INVALID_TIMESTAMP, "predicate.metadata." + name, "is not an RFC 3339 time: " + text);
        }
    }
}
