package dev.custody.policy.identity;

/**
 * An approved break-glass grant: for a time, {@code subject} (a user name) may write workloads in {@code namespace}
 * ("*" for any) outside the GitOps controller. It has the state machine and audit of a vulnerability exception.
 */
public record BreakGlassGrant(String id, String subject, String namespace, String approver, long approvedAt, long expiresAt, String reason,
                              long requestedAt) {

    public static final String ANY = "*";

    public boolean covers(String user, String ns) {
        return subject.equals(user) && (namespace.equals(ANY) || namespace.equals(ns));
    }

    /** How long it was asked to run, from the request. */
    public java.time.Duration length() {
        return java.time.Duration.ofMillis(expiresAt - requestedAt);
    }

    public boolean activeAt(long now) {
        return now >= approvedAt && now < expiresAt;
    }
}
