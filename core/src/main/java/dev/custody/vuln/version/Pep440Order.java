package dev.custody.vuln.version;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * PyPI: PEP 440 as the {@code packaging} library orders versions. A version is {@code [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]},
 * read case-insensitively with the spellings PEP 440 normalizes ({@code alpha}, {@code c}, {@code pre}, {@code rev},
 * {@code 1.0-1}, {@code -}/{@code _}/{@code .} separators, a leading {@code v}); it compares by epoch, release (trailing
 * zeros ignored), pre, post, dev, then local. A string that is not PEP 440 orders as packaging's old
 * {@code LegacyVersion} did (before every valid version, among themselves by setuptools' old parts scheme), since
 * PyPI still holds such releases and the OSV vectors were sorted that way.
 */
final class Pep440Order implements VersionOrder {

    /** Pre-release labels, longest first so that {@code preview} is not read as {@code pre} + {@code view}. */
    private static final String[] PRE_LABELS = {"preview", "alpha", "beta", "pre", "rc", "a", "b", "c"};

    private static final String[] POST_LABELS = {"post", "rev", "r"};

    /** Ranks of the pre slot: a dev release of the release itself sorts before its alphas, no pre after every rc. */
    private static final int DEV_ONLY = -1;
    private static final int ALPHA = 0;
    private static final int BETA = 1;
    private static final int RC = 2;
    private static final int FINAL = 3;

    /** A valid version; {@code post}, {@code dev} and {@code local} are null when absent. */
    record Parsed(String epoch, List<String> release, int preRank, String preNumber, String post, String dev, List<String> local) {}

    @Override
    public int compare(String a, String b) {
        String x = a.strip();
        String y = b.strip();
        Parsed p = parse(x);
        Parsed q = parse(y);
        if (p == null || q == null) {
            if (p != null || q != null) {
                return p == null ? -1 : 1; // LegacyVersion's epoch of -1 put it before every real version
            }
            return compareLegacy(legacyParts(x), legacyParts(y));
        }
        return compareValid(p, q);
    }

    // ---- PEP 440 proper

    /** The version, or null when the text does not match PEP 440's pattern (read by hand, so that no input can blow a regex stack). */
    static Parsed parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        int i = 0;
        if (s.startsWith("v")) {
            i = 1;
        }
        String epoch = "0";
        int e = digitsEnd(s, i);
        if (e > i && e < s.length() && s.charAt(e) == '!') {
            epoch = s.substring(i, e);
            i = e + 1;
        }
        List<String> release = new ArrayList<>();
        e = digitsEnd(s, i);
        if (e == i) {
            return null;
        }
        release.add(s.substring(i, e));
        i = e;
        while (i + 1 < s.length() && s.charAt(i) == '.' && isDigit(s.charAt(i + 1))) {
            e = digitsEnd(s, i + 1);
            release.add(s.substring(i + 1, e));
            i = e;
        }

        int preRank = FINAL;
        String preNumber = "0";
        int j = skipSeparator(s, i);
        String label = labelAt(s, j, PRE_LABELS);
        if (label != null) {
            j = skipSeparator(s, j + label.length());
            e = digitsEnd(s, j);
            preRank = switch (label) {
                case "a", "alpha" -> ALPHA;
                case "b", "beta" -> BETA;
                default -> RC;
            };
            preNumber = e > j ? s.substring(j, e) : "0";
            i = e;
        }

        String post = null;
        if (i + 1 < s.length() && s.charAt(i) == '-' && isDigit(s.charAt(i + 1))) {
            e = digitsEnd(s, i + 1); // the implicit post release of 1.0-1
            post = s.substring(i + 1, e);
            i = e;
        } else {
            j = skipSeparator(s, i);
            label = labelAt(s, j, POST_LABELS);
            if (label != null) {
                j = skipSeparator(s, j + label.length());
                e = digitsEnd(s, j);
                post = e > j ? s.substring(j, e) : "0";
                i = e;
            }
        }

        String dev = null;
        j = skipSeparator(s, i);
        if (s.startsWith("dev", j)) {
            j = skipSeparator(s, j + 3);
            e = digitsEnd(s, j);
            dev = e > j ? s.substring(j, e) : "0";
            i = e;
        }

        List<String> local = null;
        if (i < s.length() && s.charAt(i) == '+') {
            local = new ArrayList<>();
            int start = i + 1;
            for (int k = start; k <= s.length(); k++) {
                if (k == s.length() || isSeparator(s.charAt(k))) {
                    if (k == start) {
                        return null; // an empty part: "+", "+a..b", "+a."
                    }
                    local.add(s.substring(start, k));
                    start = k + 1;
                } else if (!isDigit(s.charAt(k)) && !(s.charAt(k) >= 'a' && s.charAt(k) <= 'z')) {
                    return null;
                }
            }
            i = s.length();
        }
        if (i != s.length()) {
            return null;
        }
        if (preRank == FINAL && post == null && dev != null) {
            preRank = DEV_ONLY;
        }
        return new Parsed(epoch, release, preRank, preNumber, post, dev, local);
    }

    private static int compareValid(Parsed p, Parsed q) {
        int c = Numbers.compareDigits(p.epoch(), q.epoch());
        if (c != 0) {
            return c;
        }
        // trailing zeros do not count (1.0 == 1.0.0), so a missing component reads as 0
        int n = Math.max(p.release().size(), q.release().size());
        for (int k = 0; k < n; k++) {
            c = Numbers.compareDigits(k < p.release().size() ? p.release().get(k) : "0", k < q.release().size() ? q.release().get(k) : "0");
            if (c != 0) {
                return c;
            }
        }
        if (p.preRank() != q.preRank()) {
            return p.preRank() < q.preRank() ? -1 : 1;
        }
        c = Numbers.compareDigits(p.preNumber(), q.preNumber());
        if (c != 0) {
            return c;
        }
        c = compareAbsentFirst(p.post(), q.post());
        if (c != 0) {
            return c;
        }
        c = compareAbsentLast(p.dev(), q.dev());
        if (c != 0) {
            return c;
        }
        return compareLocal(p.local(), q.local());
    }

    /** The post slot: no post release sorts before any. */
    private static int compareAbsentFirst(String x, String y) {
        if (x == null || y == null) {
            return x == null ? (y == null ? 0 : -1) : 1;
        }
        return Numbers.compareDigits(x, y);
    }

    /** The dev slot: a dev release comes before the release it leads to. */
    private static int compareAbsentLast(String x, String y) {
        if (x == null || y == null) {
            return x == null ? (y == null ? 0 : 1) : -1;
        }
        return Numbers.compareDigits(x, y);
    }

    private static int compareLocal(List<String> x, List<String> y) {
        if (x == null || y == null) {
            return x == null ? (y == null ? 0 : -1) : 1; // a local version sorts after its public one
        }
        int n = Math.min(x.size(), y.size());
        for (int k = 0; k < n; k++) {
            String p = x.get(k);
            String q = y.get(k);
            boolean pn = Numbers.isDigits(p);
            boolean qn = Numbers.isDigits(q);
            int c;
            if (pn && qn) {
                c = Numbers.compareDigits(p, q);
            } else if (pn != qn) {
                c = pn ? 1 : -1; // PEP 440: numeric local segments sort after alphanumeric ones
            } else {
                c = Integer.signum(p.compareTo(q));
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.size(), y.size());
    }

    // ---- packaging's LegacyVersion, for what PEP 440 rejects

    /**
     * The parts LegacyVersion compared: runs of digits (zero-padded to 8, as strings, so a longer number compares
     * as text just as it did there) and of letters, other text as is, with {@code pre}/{@code preview}/{@code rc} read
     * as {@code c}, {@code dev} as {@code @} (before all letters), {@code -} as {@code final-}, and a closing
     * {@code *final}; zeros ending a run of numbers, and a {@code -} before a pre-release word, dropped.
     */
    static List<String> legacyParts(String text) {
        String s = text.toLowerCase(Locale.ROOT);
        List<String> parts = new ArrayList<>();
        int i = 0;
        int other = 0; // start of the current stretch of text that is none of the four kinds
        while (i < s.length()) {
            char c = s.charAt(i);
            int end;
            if (Character.isDigit(c)) {
                end = i + 1;
                while (end < s.length() && Character.isDigit(s.charAt(end))) {
                    end++;
                }
            } else if (c >= 'a' && c <= 'z') {
                end = i + 1;
                while (end < s.length() && s.charAt(end) >= 'a' && s.charAt(end) <= 'z') {
                    end++;
                }
            } else if (c == '.' || c == '-') {
                end = i + 1;
            } else {
                i++;
                continue;
            }
            addLegacyPart(parts, s.substring(other, i));
            addLegacyPart(parts, s.substring(i, end));
            i = end;
            other = end;
        }
        addLegacyPart(parts, s.substring(other));
        push(parts, "*final"); // so that a trailing pre-release word sorts before the bare version
        return parts;
    }

    private static void addLegacyPart(List<String> parts, String raw) {
        String part = switch (raw) {
            case "pre", "preview", "rc" -> "c";
            case "-" -> "final-";
            case "dev" -> "@";
            default -> raw;
        };
        if (part.isEmpty() || part.equals(".")) {
            return;
        }
        push(parts, part.charAt(0) >= '0' && part.charAt(0) <= '9' ? "0".repeat(Math.max(0, 8 - part.length())) + part : "*" + part);
    }

    private static void push(List<String> parts, String part) {
        if (part.startsWith("*")) {
            if (part.compareTo("*final") < 0) {
                while (!parts.isEmpty() && parts.getLast().equals("*final-")) {
                    parts.removeLast();
                }
            }
            while (!parts.isEmpty() && parts.getLast().equals("00000000")) {
                parts.removeLast();
            }
        }
        parts.add(part);
    }

    private static int compareLegacy(List<String> x, List<String> y) {
        int n = Math.min(x.size(), y.size());
        for (int k = 0; k < n; k++) {
            int c = x.get(k).compareTo(y.get(k));
            if (c != 0) {
                return Integer.signum(c);
            }
        }
        return Integer.compare(x.size(), y.size());
    }

    // ---- scanning helpers

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isSeparator(char c) {
        return c == '.' || c == '-' || c == '_';
    }

    private static int digitsEnd(String s, int from) {
        int e = from;
        while (e < s.length() && isDigit(s.charAt(e))) {
            e++;
        }
        return e;
    }

    private static int skipSeparator(String s, int at) {
        return at < s.length() && isSeparator(s.charAt(at)) ? at + 1 : at;
    }

    private static String labelAt(String s, int at, String[] labels) {
        for (String label : labels) {
            if (s.startsWith(label, at)) {
                return label;
            }
        }
        return null;
    }
}
