package dev.custody.vuln.osv;

import dev.custody.vuln.version.VersionOrder;
import dev.custody.vuln.version.VersionOrders;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether a version of a package is affected by an OSV {@code affected[]} entry, as the OSV schema's evaluation
 * says: listed in {@code versions}, or inside a SEMVER or ECOSYSTEM range. A range's events are sorted by the
 * ecosystem's order ({@code introduced: "0"} first) and applied in turn: introduced opens, fixed closes at the fixed
 * version, last_affected closes after it. GIT ranges name commits, not versions, and are decided by {@code versions}
 * only. An ecosystem without an order here is matched by {@code versions} only.
 */
public final class RangeMatcher {

    private RangeMatcher() {}

    /** The result for one version: affected or not, and the fixed versions the entry names. */
    public record Verdict(boolean affected, List<String> fixed) {}

    public static Verdict evaluate(OsvRecord.Affected a, String version) {
        List<String> fixed = new ArrayList<>();
        for (OsvRecord.Range r : a.ranges()) {
            for (OsvRecord.Event e : r.events()) {
                if (e.kind().equals("fixed") && !fixed.contains(e.version())) {
                    fixed.add(e.version());
                }
            }
        }
        if (version == null || version.isBlank()) {
            return new Verdict(false, fixed); // nothing to compare: not claimed affected (reported apart by callers)
        }
        if (a.versions().contains(version)) {
            return new Verdict(true, fixed);
        }
        return new Verdict(byRanges(a, version), fixed);
    }

    /** Whether a SEMVER or ECOSYSTEM range of the entry holds the version (its {@code versions} list aside). */
    public static boolean byRanges(OsvRecord.Affected a, String version) {
        Optional<VersionOrder> order = VersionOrders.forEcosystem(a.ecosystem());
        if (order.isEmpty()) {
            return false;
        }
        for (OsvRecord.Range r : a.ranges()) {
            if (!r.type().equals("GIT") && inRange(order.get(), r.events(), version)) {
                return true;
            }
        }
        return false;
    }

    static boolean inRange(VersionOrder o, List<OsvRecord.Event> events, String version) {
        List<OsvRecord.Event> sorted = new ArrayList<>(events);
        sorted.removeIf(e -> e.kind().equals("limit"));
        sorted.sort((x, y) -> {
            boolean x0 = x.kind().equals("introduced") && x.version().equals("0");
            boolean y0 = y.kind().equals("introduced") && y.version().equals("0");
            if (x0 || y0) {
                return x0 == y0 ? 0 : x0 ? -1 : 1;
            }
            return o.compare(x.version(), y.version());
        });
        boolean affected = false;
        for (OsvRecord.Event e : sorted) {
            switch (e.kind()) {
                case "introduced" -> {
                    if (e.version().equals("0") || o.compare(version, e.version()) >= 0) {
                        affected = true;
                    }
                }
                case "fixed" -> {
                    if (o.compare(version, e.version()) >= 0) {
                        affected = false;
                    }
                }
                case "last_affected" -> {
                    if (o.compare(version, e.version()) > 0) {
                        affected = false;
                    }
                }
                default -> { }
            }
        }
        return affected;
    }
}
