package dev.custody.admission;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * What Custody answers: allowed or not, with a status message on denial, warnings (kubectl prints them) and
 * audit annotations (the API server's audit log keeps them, prefixed with the webhook name).
 */
public record AdmissionResponse(String apiVersion, String uid, boolean allowed, int code, String message, List<String> warnings,
                                Map<String, String> auditAnnotations) {

    public static AdmissionResponse allow(AdmissionRequest req) {
        return new AdmissionResponse(req.apiVersion(), req.uid(), true, 200, null, List.of(), Map.of());
    }

    /** The whole AdmissionReview the API server expects back. */
    public ObjectNode toReview() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode review = f.objectNode();
        review.put("apiVersion", apiVersion);
        review.put("kind", "AdmissionReview");
        ObjectNode r = review.putObject("response");
        r.put("uid", uid);
        r.put("allowed", allowed);
        if (!allowed) {
            ObjectNode status = r.putObject("status");
            status.put("code", code);
            status.put("message", message);
            status.put("reason", code == 403 ? "Forbidden" : "InternalError");
        }
        if (!warnings.isEmpty()) {
            warnings.forEach(r.putArray("warnings")::add);
        }
        if (!auditAnnotations.isEmpty()) {
            ObjectNode a = r.putObject("auditAnnotations");
            auditAnnotations.forEach(a::put);
        }
        return review;
    }
}
