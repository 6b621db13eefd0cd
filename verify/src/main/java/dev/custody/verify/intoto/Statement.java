package dev.custody.verify.intoto;

import static dev.custody.verify.intoto.InvalidStatementException.Kind.DIGEST_REQUIRED;
import static dev.custody.verify.intoto.InvalidStatementException.Kind.INVALID_STATEMENT_TYPE;
import static dev.custody.verify.intoto.InvalidStatementException.Kind.PREDICATE_REQUIRED;
import static dev.custody.verify.intoto.InvalidStatementException.Kind.PREDICATE_TYPE_REQUIRED;
import static dev.custody.verify.intoto.InvalidStatementException.Kind.SUBJECT_REQUIRED;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An in-toto Statement: what an attestation says ({@code predicate}, of {@code predicateType}) about which
 * artifacts ({@code subjects}). Parsing validates it as the in-toto Go library does, so an attestation cosign or
 * the policy-controller would refuse is refused here too. The predicate is not validated; see
 * {@link ProvenanceFacts#from(Statement)} for provenance.
 *
 * @param type          {@link #TYPE_V1} or {@link #TYPE_V0_1}
 * @param subjects      at least one, each with a digest
 * @param predicateType e.g. {@code https://slsa.dev/provenance/v1}
 * @param predicate     a JSON object; shared, not to be modified
 */
public record Statement(String type, List<ResourceDescriptor> subjects, String predicateType, JsonNode predicate) {

    public static final String TYPE_V1 = "https://in-toto.io/Statement/v1";
    /** Still produced by cosign and npm; its subjects are name and digest, which v1 descriptors include. */
    public static final String TYPE_V0_1 = "https://in-toto.io/Statement/v0.1";

    /** The DSSE payload type of a statement. */
    public static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";

    /** cosign's image signature as a statement (the Sigstore bundle format), the one predicate type that may go without a predicate. */
    public static final String COSIGN_SIGN_V1 = "https://sigstore.dev/cosign/sign/v1";

    /** Bound on the size of a document: statements carry SBOMs, so it is generous. */
    public static final int MAX_BYTES = Json.MAX_BYTES;

    public Statement {
        subjects = List.copyOf(subjects);
    }

    /**
     * Reads and validates a statement.
     *
     * @param source names the document in error messages (an attestation digest, a file name)
     * @throws InvalidStatementException naming the rule and the field, e.g. {@code subject[0].digest.sha256}
     */
    public static Statement parse(byte[] json, String source) throws InvalidStatementException {
        try {
            return fromJson(Json.readObject(json, "the statement"));
        } catch (InvalidStatementException e) {
            throw e.from(source);
        }
    }

    static Statement fromJson(JsonNode root) throws InvalidStatementException {
        String type = Json.text(root, "_type", "");
        if (!TYPE_V1.equals(type) && !TYPE_V0_1.equals(type)) {
            throw new InvalidStatementException(INVALID_STATEMENT_TYPE, "_type", "must be " + TYPE_V1 + " or " + TYPE_V0_1 + ", found "
                    + (type == null ? "nothing" : "\"" + ResourceDescriptor.clip(type) + "\""));
        }
        JsonNode subject = Json.array(root, "subject", "");
        if (subject == null || subject.isEmpty()) {
            throw new InvalidStatementException(SUBJECT_REQUIRED, "subject", "at least one subject is required");
        }
        List<ResourceDescriptor> subjects = new ArrayList<>(subject.size());
        for (int i = 0; i < subject.size(); i++) {
            String at = "subject[" + i + "]";
            ResourceDescriptor rd = ResourceDescriptor.fromJson(subject.get(i), at);
            if (rd.digest().isEmpty()) {
                throw new InvalidStatementException(DIGEST_REQUIRED, at + ".digest", "a subject needs at least one digest");
            }
            subjects.add(rd);
        }
        String predicateType = Json.nonEmptyText(root, "predicateType", "");
        if (predicateType == null) {
            throw new InvalidStatementException(PREDICATE_TYPE_REQUIRED, "predicateType", "is required");
        }
        JsonNode predicate = Json.object(root, "predicate", "");
        if (predicate == null && COSIGN_SIGN_V1.equals(predicateType)) {
            // cosign's image signature in the bundle format says everything in its subject; it has no predicate
            predicate = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        if (predicate == null) {
            throw new InvalidStatementException(PREDICATE_REQUIRED, "predicate", "is required");
        }
        return new Statement(type, subjects, predicateType, predicate);
    }

    /**
     * Whether a subject has this digest, given as {@code <algorithm>:<hex>} (e.g. an image digest
     * {@code sha256:…}, or {@code sha512:…} for a package). Hex case is ignored.
     *
     * @throws IllegalArgumentException when the digest is not of that form, or not of a known algorithm and size:
     *                                  a caller's error, which must not read as "no match"
     */
    public boolean matchesSubject(String digest) {
        int colon = digest == null ? -1 : digest.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected <algorithm>:<hex>, found " + digest);
        }
        String algorithm = digest.substring(0, colon);
        String hex = digest.substring(colon + 1);
        if (!ResourceDescriptor.hex(hex) || !ResourceDescriptor.knownSize(algorithm, hex.length() / 2)) {
            throw new IllegalArgumentException("not a " + algorithm + " digest: " + ResourceDescriptor.clip(digest));
        }
        String want = hex.toLowerCase(Locale.ROOT);
        for (ResourceDescriptor s : subjects) {
            String have = s.digest(algorithm);
            if (have != null && have.toLowerCase(Locale.ROOT).equals(want)) {
                return true;
            }
        }
        return false;
    }
}
