package dev.custody.decision;

/** What an enforce rule does when it cannot be evaluated: deny (closed) or admit with a warning (open). */
public enum FailureMode {
    CLOSED, OPEN;

    public String label() {
        return name().toLowerCase();
    }
}
