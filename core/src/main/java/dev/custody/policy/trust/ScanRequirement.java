package dev.custody.policy.trust;

import java.time.Duration;

/**
 * What a trust rule requires of vulnerability scans: an attested scan of the digest (cosign's vuln predicate)
 * that finished no longer than {@code maxAge} ago; null {@code maxAge} accepts a scan of any age.
 */
public record ScanRequirement(Duration maxAge) {

    /** Clock difference tolerated between the scanner and Custody. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    /**
     * Null when a scan that finished at {@code finished} is fresh enough at {@code now}, else why not. A scan that
     * claims to finish in the future is never fresh: its age would be negative for as long as the claim.
     */
    public String staleness(java.time.Instant finished, java.time.Instant now) {
        if (finished.isAfter(now.plus(CLOCK_SKEW))) {
            return "the scan claims to have finished at " + finished + ", in the future";
        }
        if (maxAge == null) {
            return null;
        }
        Duration age = Duration.between(finished, now);
        return age.compareTo(maxAge) <= 0 ? null : "the newest scan finished at " + finished + ", " + human(age) + " ago; the rule allows "
                + human(maxAge);
    }

    static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s % 86_400 == 0 && s > 0) {
            return s / 86_400 + "d";
        }
        if (s >= 86_400) {
            return s / 86_400 + "d" + (s % 86_400) / 3600 + "h";
        }
        if (s % 3600 == 0 && s > 0) {
            return s / 3600 + "h";
        }
        return s >= 3600 ? s / 3600 + "h" + (s % 3600) / 60 + "m" : s / 60 + "m" + s % 60 + "s";
    }

    @Override
    public String toString() {
        return "scan[maxAge=" + (maxAge == null ? "any" : human(maxAge)) + "]";
    }
}
