package dev.custody.vuln.version;

/**
 * Debian (and Ubuntu): dpkg's order. {@code [epoch:]upstream[-revision]}; the epoch compares as a number, upstream
 * and revision by dpkg's verrevcmp: alternating non-digit runs (letters before non-letters, {@code ~} before
 * everything, even the end) and digit runs (by value).
 */
final class DebianOrder implements VersionOrder {

    private record Parsed(String epoch, String upstream, String revision) {}

    static Parsed parse(String text) {
        String s = text.strip();
        String epoch = "0";
        int colon = s.indexOf(':');
        if (colon >= 0 && Numbers.isDigits(s.substring(0, colon))) {
            epoch = s.substring(0, colon);
            s = s.substring(colon + 1);
        }
        String revision = "";
        int dash = s.lastIndexOf('-');
        if (dash >= 0) {
            revision = s.substring(dash + 1);
            s = s.substring(0, dash);
        }
        return new Parsed(epoch, s, revision);
    }

    @Override
    public int compare(String a, String b) {
        Parsed x = parse(a);
        Parsed y = parse(b);
        int c = Numbers.compareDigits(x.epoch(), y.epoch());
        if (c != 0) {
            return c;
        }
        c = verrevcmp(x.upstream(), y.upstream());
        if (c != 0) {
            return c;
        }
        return verrevcmp(x.revision(), y.revision());
    }

    private static int order(char c) {
        if (Character.isDigit(c)) {
            return 0;
        }
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            return c;
        }
        if (c == '~') {
            return -1;
        }
        return c + 256;
    }

    static int verrevcmp(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() || j < b.length()) {
            int firstDiff = 0;
            while ((i < a.length() && !Character.isDigit(a.charAt(i))) || (j < b.length() && !Character.isDigit(b.charAt(j)))) {
                int ac = i < a.length() ? order(a.charAt(i)) : 0;
                int bc = j < b.length() ? order(b.charAt(j)) : 0;
                if (ac != bc) {
                    return ac < bc ? -1 : 1;
                }
                i++;
                j++;
            }
            while (i < a.length() && a.charAt(i) == '0') {
                i++;
            }
            while (j < b.length() && b.charAt(j) == '0') {
                j++;
            }
            while (i < a.length() && Character.isDigit(a.charAt(i)) && j < b.length() && Character.isDigit(b.charAt(j))) {
                if (firstDiff == 0) {
                    firstDiff = a.charAt(i) - b.charAt(j);
                }
                i++;
                j++;
            }
            if (i < a.length() && Character.isDigit(a.charAt(i))) {
                return 1;
            }
            if (j < b.length() && Character.isDigit(b.charAt(j))) {
                return -1;
            }
            if (firstDiff != 0) {
                return firstDiff < 0 ? -1 : 1;
            }
        }
        return 0;
    }
}
