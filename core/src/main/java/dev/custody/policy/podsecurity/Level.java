package dev.custody.policy.podsecurity;

/** Pod Security Standards levels; privileged means no checks. */
public enum Level {
    BASELINE, RESTRICTED;

    public String label() {
        return name().toLowerCase();
    }
}
