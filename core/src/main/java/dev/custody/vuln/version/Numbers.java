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
}
