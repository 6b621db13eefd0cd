package dev.custody.vuln.version;

/**
 * RPM (Red Hat, Rocky Linux, AlmaLinux, openSUSE, SUSE, Mageia): rpm's order. {@code [epoch:]version[-release]} split as
 * rpm splits it: the epoch is the leading digits before a {@code :} (0 when missing; a {@code :} after anything else is
 * part of the version), the release is what follows the last {@code -}. Each part compares by rpmvercmp: runs of ASCII
 * letters and of ASCII digits in turn, anything else only separating them; digits by value and above letters;
 * {@code ~} below everything, even the end; {@code ^} above the end but below anything else. rpm skips the release
 * when one side has none (a dependency on {@code 1.0} matches every release); an order cannot, so a version without
 * a release sorts before all of its releases.
 */
final class RpmOrder implements VersionOrder {

    private record Parsed(String epoch, String version, String release) {}

    static Parsed parse(String text) {
        String s = text == null ? "" : text.strip();
        int i = 0;
        while (i < s.length() && isDigit(s.charAt(i))) {
            i++;
        }
        String epoch = "0";
        int from = 0;
        if (i < s.length() && s.charAt(i) == ':') {
            epoch = i == 0 ? "0" : s.substring(0, i);
            from = i + 1;
        }
        int dash = s.lastIndexOf('-');
        if (dash < from) {
            return new Parsed(epoch, s.substring(from), null);
        }
        return new Parsed(epoch, s.substring(from, dash), s.substring(dash + 1));
    }

    @Override
    public int compare(String a, String b) {
        Parsed x = parse(a);
        Parsed y = parse(b);
        int c = Numbers.compareDigits(x.epoch(), y.epoch());
        if (c != 0) {
            return c;
        }
        c = rpmvercmp(x.version(), y.version());
        if (c != 0) {
            return c;
        }
        if (x.release() == null || y.release() == null) {
            return x.release() == null ? (y.release() == null ? 0 : -1) : 1;
        }
        return rpmvercmp(x.release(), y.release());
    }

    static int rpmvercmp(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() || j < b.length()) {
            i = skipSeparators(a, i);
            j = skipSeparators(b, j);
            char p = i < a.length() ? a.charAt(i) : 0;
            char q = j < b.length() ? b.charAt(j) : 0;
            if (p == '~' || q == '~') {
                if (p != q) {
                    return p == '~' ? -1 : 1;
                }
                i++;
                j++;
                continue;
            }
            if (p == '^' || q == '^') {
                // like ~, except that the end sorts lower still: 1.0 < 1.0^git1 < 1.0.1
                if (p == 0 || q == 0) {
                    return p == 0 ? -1 : 1;
                }
                if (p != q) {
                    return p == '^' ? -1 : 1;
                }
                i++;
                j++;
                continue;
            }
            if (p == 0 || q == 0) {
                break;
            }
            boolean numeric = isDigit(p);
            int ei = run(a, i, numeric);
            int ej = run(b, j, numeric);
            if (ej == j) {
                return numeric ? 1 : -1; // the other has a run of the other kind here: digits beat letters
            }
            String x = a.substring(i, ei);
            String y = b.substring(j, ej);
            int c = numeric ? Numbers.compareDigits(x, y) : Integer.signum(x.compareTo(y));
            if (c != 0) {
                return c;
            }
            i = ei;
            j = ej;
        }
        // equal as far as one goes: the one with a segment left is newer, and separators alone do not count
        boolean aLeft = i < a.length();
        boolean bLeft = j < b.length();
        return aLeft == bLeft ? 0 : aLeft ? 1 : -1;
    }

    private static int skipSeparators(String s, int i) {
        while (i < s.length() && !isAlnum(s.charAt(i)) && s.charAt(i) != '~' && s.charAt(i) != '^') {
            i++;
        }
        return i;
    }

    private static int run(String s, int i, boolean digits) {
        while (i < s.length() && (digits ? isDigit(s.charAt(i)) : isAlpha(s.charAt(i)))) {
            i++;
        }
        return i;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isAlnum(char c) {
        return isDigit(c) || isAlpha(c);
    }
}
