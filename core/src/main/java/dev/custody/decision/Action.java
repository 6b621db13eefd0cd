package dev.custody.decision;

/** What a broken rule does: deny (enforce), warn the user (warn), or only record (audit). */
public enum Action {
    AUDIT, WARN, ENFORCE;

    public String label() {
        return name().toLowerCase();
    }

    public static Action parse(String s) {
        return switch (s) {
            case "audit" -> AUDIT;
            case "warn" -> WARN;
            case "enforce" -> ENFORCE;
            default -> throw new IllegalArgumentException(s);
        };
    }
}
