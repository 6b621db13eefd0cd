package dev.custody.policy;

import dev.custody.manifest.Position;

/** One problem in a policy file: where it is, which field, and what is wrong. */
public record PolicyError(Position position, String field, String message) {

    /** {@code file:line:col: field: message}. */
    public String describe() {
        String where = position.line() > 0 ? position.toString() : position.source();
        return where + ": " + (field == null || field.isEmpty() ? "" : field + ": ") + message;
    }
}
