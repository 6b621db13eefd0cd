package dev.custody.vuln.version;

/** Decimal digit strings compared as numbers of any length, without parsing them. */
final class Numbers {

    private Numbers() {}

    /** Compares two strings of ASCII digits by value; leading zeros do not count. */
    static int compareDigits(String a, String b) {
        int i = 0;
        while (i < a.length() - 1 && a.charAt(i) == '0') {
            i++;
        }
        int j = 0;
        while (j < b.length() - 1 && b.charAt(j) == '0') {
            j++;
        }
        int la = a.length() - i;
        int lb = b.length() - j;
        if (la != lb) {
            return la < lb ? -1 : 1;
        }
        for (int k = 0; k < la; k++) {
            char x = a.charAt(i + k);
            char y = b.charAt(j + k);
            if (x != y) {
                return x < y ? -1 : 1;
            }
        }
        return 0;
    }

    static boolean isDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * SemVer 2.0 precedence of two prerelease identifier lists (both non-empty): numeric identifiers by value and
     * before alphanumeric ones, alphanumeric ones by ASCII (upper-cased first when {@code ignoreCase}, as NuGet
     * compares), and a shorter list first when one is a prefix of the other.
     */
    static int comparePrerelease(java.util.List<String> a, java.util.List<String> b, boolean ignoreCase) {
        int n = Math.min(a.size(), b.size());
        for (int k = 0; k < n; k++) {
            String p = a.get(k);
            String q = b.get(k);
            boolean pn = isDigits(p);
            boolean qn = isDigits(q);
            int c;
            if (pn && qn) {
                c = compareDigits(p, q);
            } else if (pn != qn) {
                c = pn ? -1 : 1;
            } else if (ignoreCase) {
                c = Integer.signum(p.toUpperCase(java.util.Locale.ROOT).compareTo(q.toUpperCase(java.util.Locale.ROOT)));
            } else {
                c = Integer.signum(p.compareTo(q));
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }
}
