package dev.custody.policy;

/**
 * Environment tiers. Each carries the mission's defaults for image rules, which a policy may override rule
 * by rule: dev allows tags; staging and production require digests and deny latest; regulated also requires
 * a signature and provenance.
 */
public enum Tier {
    DEV(false, false, false, false),
    STAGING(true, true, false, false),
    PRODUCTION(true, true, false, false),
    REGULATED(true, true, true, true);

    private final boolean requireDigest;
    private final boolean denyLatest;
    private final boolean requireSignature;
    private final boolean requireProvenance;

    Tier(boolean requireDigest, boolean denyLatest, boolean requireSignature, boolean requireProvenance) {
        this.requireDigest = requireDigest;
        this.denyLatest = denyLatest;
        this.requireSignature = requireSignature;
        this.requireProvenance = requireProvenance;
    }

    public boolean requiresDigest() {
        return requireDigest;
    }

    public boolean deniesLatest() {
        return denyLatest;
    }

    public boolean requiresSignature() {
        return requireSignature;
    }

    public boolean requiresProvenance() {
        return requireProvenance;
    }

    public String label() {
        return name().toLowerCase();
    }
}
