package dev.custody.policy.podsecurity;

/**
 * A Pod Security Standards version: {@code latest} or {@code v1.N}. Checks change only at some minors; a
 * version above the newest known one behaves as the newest, like upstream's clamping of {@code latest}.
 *
 * @param minor the Kubernetes minor version the standard is taken from
 */
public record PssVersion(int minor) {

    /**
     * The newest minor at which a check changed: v1.37 (the sysctls of k8s.io/pod-security-admission v0.37.x).
     * v1.36 changed nothing, so there {@code latest} meant v1.35; see docs/pss-reference.md.
     */
    public static final int LATEST_MINOR = 37;
    public static final PssVersion LATEST = new PssVersion(LATEST_MINOR);

    /** Parses {@code latest} or {@code v1.N}; returns null when malformed. */
    public static PssVersion parse(String s) {
        if (s == null || s.equals("latest")) {
            return LATEST;
        }
        if (!s.matches("v1\\.(0|[1-9][0-9]{0,3})")) {
            return null;
        }
        return new PssVersion(Math.min(LATEST_MINOR, Integer.parseInt(s.substring(3))));
    }

    public boolean atLeast(int m) {
        return minor >= m;
    }

    @Override
    public String toString() {
        return "v1." + minor;
    }
}
