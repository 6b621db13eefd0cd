package dev.custody.vuln.gate;

import java.util.List;

/**
 * The stored vulnerability evidence the gate reads: findings per image digest and the exceptions that may cover
 * them. Admission reads it from memory (a cache kept fresh from the store in the background), so the gate makes no
 * network call on the hot path; the CLI and background re-evaluation read the same store through the same type, so
 * one digest gets one verdict everywhere. Implementations are thread-safe.
 */
public interface VulnEvidence {

    /** The findings of a digest, VEX applied; null when nothing is known (no SBOM of the digest is stored). */
    List<GateFinding> findings(String digest);

    /** Approved, unrevoked exceptions that may cover the digest (its own and those scoped to any digest), whatever their time. */
    List<ExceptionGrant> exceptions(String digest);

    /** The tiers the digest was promoted to (custody promote), for trust rules with {@code promotion: {from: TIER}}. */
    default java.util.Set<String> promotions(String digest) {
        return java.util.Set.of();
    }

    /** Approved break-glass grants (expired ones too, for a while, so a denial can name them), whatever their time. */
    default List<dev.custody.policy.identity.BreakGlassGrant> breakGlass() {
        return List.of();
    }

    /** The clock exceptions and SLAs are judged by, epoch milliseconds. */
    default long now() {
        return System.currentTimeMillis();
    }
}
