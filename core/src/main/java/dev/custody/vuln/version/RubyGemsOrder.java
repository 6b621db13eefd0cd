package dev.custody.vuln.version;

import java.util.ArrayList;
import java.util.List;

/**
 * RubyGems: {@code Gem::Version#<=>}. The version (blank read as {@code 0}, each {@code -} as {@code .pre.}) is cut
 * into runs of digits and runs of letters; a letter segment marks a prerelease and sorts before any number, letters
 * compare case-sensitively as bytes, numbers by value. Zeros are dropped from the end of the leading numeric segments
 * and from the end of the rest, as Gem::Version's canonical segments do, so {@code 1.0.a} equals {@code 1.a} and
 * {@code 1.0} equals {@code 1}. Text Gem::Version would reject is read the same lenient way.
 */
final class RubyGemsOrder implements VersionOrder {

    /** A digit run or a letter run; which one is told by its first character. */
    static List<String> canonicalSegments(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            s = "0";
        }
        s = s.replace("-", ".pre.");
        List<String> segments = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int end = i + 1;
            if (isDigit(c)) {
                while (end < s.length() && isDigit(s.charAt(end))) {
                    end++;
                }
            } else if (isLetter(c)) {
                while (end < s.length() && isLetter(s.charAt(end))) {
                    end++;
                }
            } else {
                i++; // separators and anything else only split segments
                continue;
            }
            segments.add(s.substring(i, end));
            i = end;
        }
        int firstString = 0;
        while (firstString < segments.size() && isNumber(segments.get(firstString))) {
            firstString++;
        }
        List<String> canonical = new ArrayList<>(segments.size());
        canonical.addAll(dropTrailingZeros(segments.subList(0, firstString)));
        canonical.addAll(dropTrailingZeros(segments.subList(firstString, segments.size())));
        return canonical;
    }

    @Override
    public int compare(String a, String b) {
        List<String> x = canonicalSegments(a);
        List<String> y = canonicalSegments(b);
        int n = Math.max(x.size(), y.size());
        for (int k = 0; k < n; k++) {
            String p = k < x.size() ? x.get(k) : "0";
            String q = k < y.size() ? y.get(k) : "0";
            boolean pn = isNumber(p);
            boolean qn = isNumber(q);
            int c;
            if (pn && qn) {
                c = Numbers.compareDigits(p, q);
            } else if (pn != qn) {
                c = pn ? 1 : -1; // a prerelease word sorts before any number in the same place
            } else {
                c = Integer.signum(p.compareTo(q));
            }
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static List<String> dropTrailingZeros(List<String> segments) {
        int end = segments.size();
        while (end > 0 && isNumber(segments.get(end - 1)) && Numbers.compareDigits(segments.get(end - 1), "0") == 0) {
            end--;
        }
        return segments.subList(0, end);
    }

    private static boolean isNumber(String segment) {
        return isDigit(segment.charAt(0));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
