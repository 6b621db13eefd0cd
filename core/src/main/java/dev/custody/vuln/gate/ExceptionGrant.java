package dev.custody.vuln.gate;

/**
 * An approved vulnerability exception as the gate reads it: what it covers and when. Each scope field is a value or
 * {@code *} (any), and a policy says which fields may be {@code *}. The gate honours a grant only between
 * {@code startsAt} and {@code expiresAt}: expiry takes effect at that instant, in every process, without a restart.
 *
 * @param id            the exception id, such as {@code EXC-20261207-1a2b3c}
 * @param digest        an image digest, or {@code *}
 * @param namespace     a namespace, or {@code *}
 * @param rule          a rule id ({@code vulnerabilities.gate}, or qualified as {@code policy/vulnerabilities.gate}), or {@code *}
 * @param vulnerability a vulnerability id or alias (CVE, GHSA, ...), or {@code *}
 * @param requestedAt   when it was requested (its length, bounded by policy, counts from approval)
 * @param startsAt      when it was approved and became active
 * @param expiresAt     when it expires
 * @param owner         the owning team
 */
public record ExceptionGrant(String id, String digest, String namespace, String rule, String vulnerability, long requestedAt, long startsAt,
                             long expiresAt, String owner) {

    public static final String ANY = "*";

    public boolean activeAt(long now) {
        return now >= startsAt && now < expiresAt;
    }

    /** Whether the grant's scope (ignoring time and policy bounds) covers a finding of this digest, namespace and rule. */
    public boolean covers(String digest, String namespace, String rule, GateFinding f) {
        return (this.digest.equals(ANY) || this.digest.equals(digest))
                && (this.namespace.equals(ANY) || this.namespace.equals(namespace))
                && (this.rule.equals(ANY) || this.rule.equals(rule) || this.rule.endsWith("/" + rule))
                && (this.vulnerability.equals(ANY) || f.names(this.vulnerability));
    }

    /** The scope fields given as {@code *}, by name. */
    public java.util.List<String> wildcards() {
        java.util.List<String> out = new java.util.ArrayList<>(4);
        if (digest.equals(ANY)) {
            out.add("digest");
        }
        if (namespace.equals(ANY)) {
            out.add("namespace");
        }
        if (rule.equals(ANY)) {
            out.add("rule");
        }
        if (vulnerability.equals(ANY)) {
            out.add("vulnerability");
        }
        return out;
    }
}
