package dev.custody.vuln.gate;

import java.util.List;
import java.util.Locale;

/**
 * What the vulnerability gate knows about one vulnerability of one package in one image digest, from stored evidence
 * only: the SBOM's components matched against the advisory database, with VEX statements applied and exploit feeds
 * joined.
 *
 * @param purl           the component
 * @param id             the finding's leading id (an ecosystem advisory before a bare CVE)
 * @param aliases        every other id naming the same vulnerability
 * @param severity       critical, high, medium, low, none or unknown
 * @param fixed          versions that fix it (empty when no fix is known)
 * @param knownExploited listed in the known-exploited catalogue
 * @param status         affected, not_affected, fixed or under_investigation (after VEX)
 * @param firstSeen      epoch milliseconds when the store first saw this finding on this digest (SLAs count from it)
 */
public record GateFinding(String purl, String id, List<String> aliases, String severity, List<String> fixed, boolean knownExploited,
                          String status, long firstSeen) {

    public GateFinding {
        aliases = List.copyOf(aliases);
        fixed = List.copyOf(fixed);
        severity = severity == null ? "unknown" : severity.toLowerCase(Locale.ROOT);
        status = status == null ? "affected" : status;
    }

    public boolean fixAvailable() {
        return !fixed.isEmpty();
    }

    /** Whether VEX says the image is affected (or may be: under investigation counts as affected). */
    public boolean affects() {
        return status.equals("affected") || status.equals("under_investigation");
    }

    /** A package of the operating system's distribution, which comes with the base image in most images. */
    public boolean osPackage() {
        return purl.startsWith("pkg:deb/") || purl.startsWith("pkg:apk/") || purl.startsWith("pkg:rpm/");
    }

    /** Whether {@code vulnerability} is this finding's id or one of its aliases (ids compare without case). */
    public boolean names(String vulnerability) {
        if (id.equalsIgnoreCase(vulnerability)) {
            return true;
        }
        for (String a : aliases) {
            if (a.equalsIgnoreCase(vulnerability)) {
                return true;
            }
        }
        return false;
    }
}
