package dev.custody.vuln.gate;

import dev.custody.policy.Tier;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The vulnerability gate's table: for each kind of finding, what each environment tier does with it. The defaults are
 * the mission's table; a policy overrides any cell ({@code spec.vulnerabilities.matrix}). Regulated takes
 * production's column.
 */
public final class GateMatrix {

    /** The kinds of finding, in the order a finding is classified (the first that fits). */
    public enum Category {
        /** Critical and known exploited (in the known-exploited catalogue). */
        EXPLOITED_CRITICAL("exploitedCritical"),
        /** Critical with a fixed version. */
        CRITICAL_WITH_FIX("criticalWithFix"),
        /** High with a fixed version. */
        HIGH_WITH_FIX("highWithFix"),
        /** Critical or high with no fixed version. */
        NO_FIX("noFix"),
        MEDIUM("medium"),
        /** Low, none or unknown severity. */
        LOW("low"),
        /**
         * Not a classification but an addition: a critical or high finding with a fix in a package of the operating
         * system's distribution (deb, apk, rpm), fixed by rebuilding on a newer base image.
         */
        BASE_IMAGE("baseImage");

        private final String field;

        Category(String field) {
            this.field = field;
        }

        public String field() {
            return field;
        }

        public static Category of(GateFinding f) {
            boolean critical = f.severity().equals("critical");
            boolean high = f.severity().equals("high");
            if (critical && f.knownExploited()) {
                return EXPLOITED_CRITICAL;
            }
            if ((critical || high) && !f.fixAvailable()) {
                return NO_FIX;
            }
            if (critical) {
                return CRITICAL_WITH_FIX;
            }
            if (high) {
                return HIGH_WITH_FIX;
            }
            return f.severity().equals("medium") ? MEDIUM : LOW;
        }

        /** Whether the finding also counts as a base-image issue. */
        public static boolean baseImage(GateFinding f) {
            return f.osPackage() && f.fixAvailable() && (f.severity().equals("critical") || f.severity().equals("high"));
        }
    }

    /** What a cell says. */
    public enum GateAction {
        /** Kept as evidence; the verdict passes. */
        RECORD,
        /** Admitted with a warning. */
        WARN,
        /** Admitted with a warning that a ticket is due (base-image issues in dev). */
        TICKET,
        /** Admitted with a warning that a risk review is due. */
        REVIEW,
        /** Admitted with a warning that the image must be rebuilt on a fixed base. */
        REBUILD,
        /** Warned until the severity's SLA (days from first seen) runs out, then denied unless an exception covers it. */
        SLA,
        /** Denied unless an approved, unexpired exception covers it. */
        EXCEPTION,
        /** Denied; no exception admits it, only a fix or a VEX not_affected statement. */
        BLOCK;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static final List<String> TEXTS = java.util.Arrays.stream(values()).map(GateAction::text).toList();
    }

    /** The three columns of the table. */
    public static final List<String> COLUMNS = List.of("dev", "staging", "production");

    private static final Map<Category, GateAction[]> DEFAULTS = new EnumMap<>(Category.class);

    static {
        DEFAULTS.put(Category.EXPLOITED_CRITICAL, new GateAction[] {GateAction.WARN, GateAction.BLOCK, GateAction.BLOCK});
        DEFAULTS.put(Category.CRITICAL_WITH_FIX, new GateAction[] {GateAction.WARN, GateAction.EXCEPTION, GateAction.EXCEPTION});
        DEFAULTS.put(Category.HIGH_WITH_FIX, new GateAction[] {GateAction.WARN, GateAction.WARN, GateAction.SLA});
        DEFAULTS.put(Category.NO_FIX, new GateAction[] {GateAction.RECORD, GateAction.REVIEW, GateAction.EXCEPTION});
        DEFAULTS.put(Category.MEDIUM, new GateAction[] {GateAction.RECORD, GateAction.RECORD, GateAction.RECORD});
        DEFAULTS.put(Category.LOW, new GateAction[] {GateAction.RECORD, GateAction.RECORD, GateAction.RECORD});
        DEFAULTS.put(Category.BASE_IMAGE, new GateAction[] {GateAction.TICKET, GateAction.REBUILD, GateAction.REBUILD});
    }

    /** Days to fix per severity, from first seen, by default. */
    public static final Map<String, Duration> DEFAULT_SLA = Map.of("critical", Duration.ofDays(7), "high", Duration.ofDays(30),
            "medium", Duration.ofDays(90), "low", Duration.ofDays(180));

    private final Map<Category, GateAction[]> cells;
    private final Map<String, Duration> sla;

    public static final GateMatrix DEFAULT = new GateMatrix(Map.of(), Map.of());

    /**
     * @param overrides cells that differ from the defaults: category, then column index (0 dev, 1 staging, 2 production)
     * @param sla       days to fix that differ from the defaults, by severity
     */
    public GateMatrix(Map<Category, Map<Integer, GateAction>> overrides, Map<String, Duration> sla) {
        this.cells = new EnumMap<>(Category.class);
        DEFAULTS.forEach((c, row) -> {
            GateAction[] copy = row.clone();
            overrides.getOrDefault(c, Map.of()).forEach((col, a) -> copy[col] = a);
            cells.put(c, copy);
        });
        Map<String, Duration> s = new java.util.HashMap<>(DEFAULT_SLA);
        s.putAll(sla);
        this.sla = Map.copyOf(s);
    }

    /** The column of a tier: dev 0, staging 1, production and regulated 2. */
    public static int column(Tier tier) {
        return switch (tier) {
            case DEV -> 0;
            case STAGING -> 1;
            case PRODUCTION, REGULATED -> 2;
        };
    }

    public GateAction action(Category c, Tier tier) {
        return cells.get(c)[column(tier)];
    }

    /** Days to fix a finding of this severity; null when the severity has none (none, unknown). */
    public Duration sla(String severity) {
        return sla.get(severity);
    }
}
