package dev.custody.vuln.version;

import java.util.ArrayList;
import java.util.List;

/**
 * Packagist: PHP's {@code version_compare}, which is what Composer's comparator ends in and how OSV orders Packagist.
 * The version is first canonicalized as PHP does it ({@code -}, {@code _} and {@code +} become dots, and a dot is put
 * between runs of digits and non-digits), then compared part by part: numbers by value, words by their special form
 * ({@code dev} &lt; {@code alpha} = {@code a} &lt; {@code beta} = {@code b} &lt; {@code RC} = {@code rc} &lt; a number
 * &lt; {@code pl} = {@code p}, anything else before {@code dev}). A leading {@code v}, which Composer strips and PHP
 * does not, is dropped.
 */
final class PackagistOrder implements VersionOrder {

    /** The rank PHP gives a number when it meets a word. */
    private static final int NUMBER = 4;

    @Override
    public int compare(String a, String b) {
        List<String> x = parts(a);
        List<String> y = parts(b);
        int n = Math.min(x.size(), y.size());
        for (int k = 0; k < n; k++) {
            int c = comparePart(x.get(k), y.get(k));
            if (c != 0) {
                return c;
            }
        }
        // PHP compares what is left of the longer version with a bare number: a further number makes it later, a
        // word sorts by its form against a number's (so 1.0-dev < 1.0 < 1.0pl1)
        if (x.size() != y.size()) {
            List<String> longer = x.size() > y.size() ? x : y;
            int sign = x.size() > y.size() ? 1 : -1;
            for (int k = n; k < longer.size(); k++) {
                String p = longer.get(k);
                if (Numbers.isDigits(p)) {
                    return sign;
                }
                int c = Integer.compare(form(p), NUMBER);
                if (c != 0) {
                    return sign * c;
                }
            }
        }
        return 0;
    }

    private static int comparePart(String p, String q) {
        boolean pn = Numbers.isDigits(p);
        boolean qn = Numbers.isDigits(q);
        if (pn && qn) {
            return Numbers.compareDigits(p, q);
        }
        return Integer.compare(pn ? NUMBER : form(p), qn ? NUMBER : form(q));
    }

    /**
     * PHP's special forms, matched as a prefix and case-sensitively (so {@code beta2x} is a beta but {@code BETA} is
     * an unknown word, as in PHP). {@code #} is PHP's own name for "a number"; PHP's canonicalization would turn a
     * written one into a dot, but OSV keeps it as that form ({@code 1.2.3.# = 1.2.3.1}), and so does this.
     */
    private static int form(String word) {
        if (word.startsWith("dev")) {
            return 0;
        }
        if (word.startsWith("a")) {
            return 1; // alpha and a
        }
        if (word.startsWith("b")) {
            return 2; // beta and b
        }
        if (word.startsWith("RC") || word.startsWith("rc")) {
            return 3;
        }
        if (word.startsWith("#")) {
            return NUMBER;
        }
        if (word.startsWith("p")) {
            return 5; // pl and p
        }
        return -1;
    }

    /** The canonical parts: maximal runs of digits or of non-digits, split at separators and other punctuation. */
    static List<String> parts(String text) {
        String s = text.strip();
        if (s.startsWith("v") || s.startsWith("V")) {
            s = s.substring(1);
        }
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean digits = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean d = c >= '0' && c <= '9';
            boolean word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '#'; // C's isalnum, ASCII only
            if (!d && !word) {
                flush(part, parts);
                continue;
            }
            if (part.length() > 0 && d != digits) {
                flush(part, parts);
            }
            part.append(c);
            digits = d;
        }
        flush(part, parts);
        return parts;
    }

    private static void flush(StringBuilder part, List<String> parts) {
        if (part.length() > 0) {
            parts.add(part.toString());
            part.setLength(0);
        }
    }
}
