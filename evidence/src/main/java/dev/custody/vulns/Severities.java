package dev.custody.vulns;

import dev.custody.vuln.osv.OsvRecord;
import java.util.Locale;
import us.springett.cvss.Cvss;

/**
 * A record's severity as one label (critical, high, medium, low, unknown) and, when a CVSS vector gives one, its
 * base score. The record's own label (GHSA's {@code database_specific.severity}, Ubuntu's priority) is taken as
 * given; else the highest CVSS v3 or v2 base score, rated as CVSS rates it. CVSS v4 vectors are not scored yet:
 * such a record without a label is {@code unknown}.
 */
public final class Severities {

    private Severities() {}

    public record Rated(String label, Double score) {}

    public static Rated of(OsvRecord r) {
        Double best = null;
        for (OsvRecord.Severity s : r.severity()) {
            if (s.type().startsWith("CVSS_V3") || s.type().equals("CVSS_V2")) {
                try {
                    Cvss cvss = Cvss.fromVector(s.score());
                    if (cvss != null) {
                        double score = cvss.calculateScore().getBaseScore();
                        best = best == null ? score : Math.max(best, score);
                    }
                } catch (RuntimeException e) {
                    // a malformed vector rates nothing; the label or another vector may
                }
            }
        }
        String label = r.severityLabel() != null ? normalize(r.severityLabel()) : null;
        if (label == null) {
            for (OsvRecord.Severity s : r.severity()) {
                if (s.type().equalsIgnoreCase("Ubuntu")) {
                    label = normalize(s.score());
                }
            }
        }
        if (label == null && best != null) {
            label = best >= 9.0 ? "critical" : best >= 7.0 ? "high" : best >= 4.0 ? "medium" : best > 0 ? "low" : "none";
        }
        return new Rated(label == null ? "unknown" : label, best);
    }

    static String normalize(String label) {
        String l = label.trim().toLowerCase(Locale.ROOT);
        return switch (l) {
            case "moderate" -> "medium";
            case "important" -> "high";
            case "negligible", "untriaged" -> "low";
            case "critical", "high", "medium", "low" -> l;
            default -> "unknown";
        };
    }
}
