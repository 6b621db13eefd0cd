package dev.custody.policy;

/**
 * A shell-style pattern: {@code *} matches any run of characters (slashes included), {@code ?} one
 * character; everything else is literal. Compiled once when the policy loads.
 */
public final class Glob {

    private final String pattern;
    private final boolean literal;

    private Glob(String pattern) {
        this.pattern = pattern;
        this.literal = pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0;
    }

    public static Glob of(String pattern) {
        return new Glob(pattern);
    }

    public static boolean hasWildcard(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0;
    }

    public String pattern() {
        return pattern;
    }

    public boolean matches(String s) {
        if (literal) {
            return pattern.equals(s);
        }
        return match(pattern, s);
    }

    /** Iterative wildcard match with single backtrack point: linear in practice, no regex engine. */
    private static boolean match(String p, String s) {
        int pi = 0;
        int si = 0;
        int star = -1;
        int mark = 0;
        while (si < s.length()) {
            if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == s.charAt(si))) {
                pi++;
                si++;
            } else if (pi < p.length() && p.charAt(pi) == '*') {
                star = pi++;
                mark = si;
            } else if (star >= 0) {
                pi = star + 1;
                si = ++mark;
            } else {
                return false;
            }
        }
        while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == p.length();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
