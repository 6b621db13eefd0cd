package dev.custody.admission;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Decodes admission.k8s.io/v1 AdmissionReview bodies. Bounded (size, nesting, string length) because the body
 * is untrusted; every way a review can be unusable is an {@link InvalidReviewException} whose message says
 * which field is wrong, never a stack trace.
 */
public final class AdmissionReviews {

    /** The API server sends at most 3 MiB of object; leave room for oldObject and the envelope. */
    public static final int MAX_BODY_BYTES = 7 * 1024 * 1024;
    public static final int MAX_DEPTH = 100;

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .maxDocumentLength(MAX_BODY_BYTES)
                            .maxStringLength(MAX_BODY_BYTES)
                            .build())
                    .build())
            .build();

    private AdmissionReviews() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static AdmissionRequest parse(byte[] body) {
        if (body.length == 0) {
            throw new InvalidReviewException("empty body; expected an admission.k8s.io/v1 AdmissionReview");
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new InvalidReviewException("body of " + body.length + " bytes is larger than the limit of " + MAX_BODY_BYTES);
        }
        JsonNode review;
        try {
            review = MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw new InvalidReviewException("malformed JSON at line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr())
                    + ": " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new InvalidReviewException("cannot read body: " + e.getMessage());
        }
        if (review == null || review.isNull() || review.isMissingNode()) {
            throw new InvalidReviewException("body is null; expected an admission.k8s.io/v1 AdmissionReview");
        }
        if (!review.isObject()) {
            throw new InvalidReviewException("body must be a JSON object (an AdmissionReview)");
        }
        String apiVersion = review.path("apiVersion").asText("");
        if (!apiVersion.equals("admission.k8s.io/v1") && !apiVersion.equals("admission.k8s.io/v1beta1")) {
            throw new InvalidReviewException("apiVersion must be admission.k8s.io/v1 (or v1beta1), found \"" + apiVersion + "\"");
        }
        if (!review.path("kind").asText("").equals("AdmissionReview")) {
            throw new InvalidReviewException("kind must be AdmissionReview, found \"" + review.path("kind").asText("") + "\"");
        }
        JsonNode r = review.get("request");
        if (r == null || r.isNull()) {
            throw new InvalidReviewException("request is missing or null");
        }
        if (!r.isObject()) {
            throw new InvalidReviewException("request must be an object");
        }
        String uid = text(r, "uid");
        if (uid.isEmpty()) {
            throw new InvalidReviewException("request.uid is missing");
        }
        String operation = text(r, "operation");
        if (operation.isEmpty()) {
            throw new InvalidReviewException("request.operation is missing");
        }
        // other operations than CREATE, UPDATE, DELETE and CONNECT are answered (allowed untouched), not rejected
        JsonNode kind = r.get("kind");
        if (kind == null || !kind.isObject() || text(kind, "kind").isEmpty()) {
            throw new InvalidReviewException("request.kind is missing (expected {group, version, kind})");
        }
        JsonNode object = nonNull(r.get("object"));
        JsonNode oldObject = nonNull(r.get("oldObject"));
        if ((operation.equals("CREATE") || operation.equals("UPDATE")) && object == null) {
            throw new InvalidReviewException("request.object is missing for " + operation);
        }
        if (operation.equals("UPDATE") && oldObject == null) {
            throw new InvalidReviewException("request.oldObject is missing for UPDATE");
        }
        if (object != null && !object.isObject()) {
            throw new InvalidReviewException("request.object must be an object");
        }
        return new AdmissionRequest(apiVersion, uid, text(kind, "group"), text(kind, "version"), text(kind, "kind"), text(r, "subResource"),
                text(r, "name"), text(r, "namespace"), operation, r.path("dryRun").asBoolean(false),
                r.path("userInfo").path("username").asText(""), object, oldObject, r);
    }

    private static JsonNode nonNull(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? null : n;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() ? v.asText() : "";
    }
}
