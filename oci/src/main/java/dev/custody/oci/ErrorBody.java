package dev.custody.oci;

import com.fasterxml.jackson.databind.JsonNode;

/** The first entry of a distribution error body ({@code {"errors":[{"code":...,"message":...}]}}), for messages and codes. */
record ErrorBody(String code, String message) {

    static final ErrorBody NONE = new ErrorBody("", "");

    /** Reads what it can; a body that is not a distribution error gives {@link #NONE}. */
    static ErrorBody parse(byte[] body) {
        if (body == null || body.length == 0) {
            return NONE;
        }
        try {
            JsonNode errors = Json.read(body).get("errors");
            if (errors == null || !errors.isArray() || errors.isEmpty()) {
                return NONE;
            }
            JsonNode first = errors.get(0);
            JsonNode code = first.get("code");
            JsonNode message = first.get("message");
            return new ErrorBody(code != null && code.isTextual() ? Messages.clip(code.textValue()) : "",
                    message != null && message.isTextual() ? Messages.clip(message.textValue()) : "");
        } catch (java.io.IOException | RuntimeException e) {
            return NONE;
        }
    }

    /** " (CODE: message)", or "" when the registry gave neither. */
    String suffix() {
        if (code.isEmpty() && message.isEmpty()) {
            return "";
        }
        return " (" + code + (code.isEmpty() || message.isEmpty() ? "" : ": ") + message + ")";
    }
}
