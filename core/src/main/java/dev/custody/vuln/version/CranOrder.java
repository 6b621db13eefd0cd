package dev.custody.vuln.version;

import java.util.ArrayList;
import java.util.List;

/**
 * CRAN: R's {@code package_version}, a list of non-negative integers written with {@code .} or {@code -} between
 * them, compared number by number; a version that equals another's prefix sorts before it ({@code 0.1.0 < 0.1.0.0}).
 * Leading zeros do not count ({@code 0.01.0 = 0.1-0}). R rejects anything else; here any non-digit separates numbers.
 */
final class CranOrder implements VersionOrder {

    @Override
    public int compare(String a, String b) {
        return compareNumberLists(numbers(a), numbers(b));
    }

    /** The runs of digits in {@code text}, in order. */
    static List<String> numbers(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            if (isDigit(text.charAt(i))) {
                int start = i;
                while (i < text.length() && isDigit(text.charAt(i))) {
                    i++;
                }
                out.add(text.substring(start, i));
            } else {
                i++;
            }
        }
        return out;
    }

    /** Lexicographic by value; a proper prefix sorts first. */
    static int compareNumberLists(List<String> x, List<String> y) {
        int n = Math.min(x.size(), y.size());
        for (int k = 0; k < n; k++) {
            int c = Numbers.compareDigits(x.get(k), y.get(k));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.size(), y.size());
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
