package dev.custody.vuln.version;

/**
 * Alpine: apk-tools' order ({@code apk version -t}) by the grammar of apk-tools 3,
 * {@code number{.number}...{letter}{_suffix{number}}...{~hash}{-rN}}, read token by token: numbers by value (a later
 * one with a leading zero by text, as Gentoo does), suffixes as alpha, beta, pre, rc, (none), cvs, svn, git, hg, p,
 * and where two versions part, the one that goes on sorts higher unless it goes on with a pre-release suffix. apk 3
 * stops at the first token it rejects and calls everything after it equal; apk 2 (the one Alpine 3.x releases ship)
 * was laxer, and real packages lean on that. So an invalid version is read as leniently as either one reads it: digits
 * right after the letter go on as a number ({@code 6.6.2p1}), {@code -r} without digits is {@code -r0} unless a word
 * follows ({@code 1-ruff}), the rejected rest sorts below the end of a version, and two rests at the same place
 * compare by text, except that rests starting with {@code -} (which neither apk reads) are equal.
 */
final class AlpineOrder implements VersionOrder {

    // token kinds in apk's order: where two versions part, the one whose next token is of a later kind sorts lower
    private static final int INITIAL = 0;
    private static final int DIGIT = 1;
    private static final int LETTER = 2;
    private static final int SUFFIX = 3;
    private static final int SUFFIX_NO = 4;
    private static final int HASH = 5;
    private static final int REVISION = 6;
    private static final int END = 7;
    private static final int REST = 8;

    // the suffixes by rank; the empty string stands for "no suffix", so a rank below it is a pre-release
    private static final String[] SUFFIXES = {"alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p"};
    private static final int NO_SUFFIX = 4;

    /** Reads one version a token at a time; {@code kind} and {@code text} (or {@code suffix}) describe the current one. */
    private static final class Tokens {
        final String s;
        int pos;
        int kind;
        String text = "";
        int suffix;

        Tokens(String s) {
            this.s = s;
            int end = digitsEnd(pos);
            if (end == pos) {
                rest(); // no leading number: apk rejects the whole string
            } else {
                kind = INITIAL;
                text = s.substring(pos, end);
                pos = end;
            }
        }

        private int digitsEnd(int from) {
            int i = from;
            while (i < s.length() && isDigit(s.charAt(i))) {
                i++;
            }
            return i;
        }

        private void rest() {
            kind = REST;
            text = s.substring(pos);
            pos = s.length();
        }

        void next() {
            if (pos >= s.length()) {
                kind = END;
                return;
            }
            char c = s.charAt(pos);
            if (isLower(c)) {
                if (kind > DIGIT) {
                    rest();
                    return;
                }
                kind = LETTER;
                text = String.valueOf(c);
                pos++;
            } else if (c == '.' || isDigit(c)) {
                int start = c == '.' ? pos + 1 : pos;
                int next;
                if (c == '.' ? kind <= DIGIT : kind <= LETTER) {
                    next = DIGIT; // a number right after the letter: apk 2 took it, apk 3 does not
                } else if (c != '.' && kind == SUFFIX) {
                    next = SUFFIX_NO;
                } else {
                    rest();
                    return;
                }
                int end = digitsEnd(start);
                if (end == start) {
                    rest(); // a dot with no number after it
                    return;
                }
                kind = next;
                text = s.substring(start, end);
                pos = end;
            } else if (c == '_') {
                int end = pos + 1;
                while (end < s.length() && isLower(s.charAt(end))) {
                    end++;
                }
                int rank = rank(s.substring(pos + 1, end));
                if (kind > SUFFIX_NO || rank < 0) {
                    rest();
                    return;
                }
                kind = SUFFIX;
                suffix = rank;
                pos = end;
            } else if (c == '~') {
                int end = pos + 1;
                while (end < s.length() && isHex(s.charAt(end))) {
                    end++;
                }
                if (kind >= HASH || end == pos + 1) {
                    rest();
                    return;
                }
                kind = HASH;
                text = s.substring(pos + 1, end);
                pos = end;
            } else if (c == '-' && kind < REVISION && pos + 1 < s.length() && s.charAt(pos + 1) == 'r') {
                int end = digitsEnd(pos + 2);
                if (end == pos + 2 && end < s.length() && isLower(s.charAt(end))) {
                    rest(); // "-ruff" is a word, not a revision
                    return;
                }
                kind = REVISION;
                text = end == pos + 2 ? "0" : s.substring(pos + 2, end);
                pos = end;
            } else {
                rest();
            }
        }
    }

    private static int rank(String name) {
        if (name.isEmpty()) {
            return -1; // "_" alone is no suffix at all
        }
        for (int k = 0; k < SUFFIXES.length; k++) {
            if (SUFFIXES[k].equals(name)) {
                return k;
            }
        }
        return -1;
    }

    @Override
    public int compare(String a, String b) {
        Tokens x = new Tokens(a == null ? "" : a.strip());
        Tokens y = new Tokens(b == null ? "" : b.strip());
        while (x.kind == y.kind && x.kind < END) {
            int c = compareToken(x, y);
            if (c != 0) {
                return c;
            }
            x.next();
            y.next();
        }
        if (x.kind == y.kind) {
            return x.kind == REST ? compareRest(x.text, y.text) : 0;
        }
        if (x.kind == SUFFIX && x.suffix < NO_SUFFIX) {
            return -1;
        }
        if (y.kind == SUFFIX && y.suffix < NO_SUFFIX) {
            return 1;
        }
        return x.kind > y.kind ? -1 : 1;
    }

    private static int compareToken(Tokens x, Tokens y) {
        return switch (x.kind) {
            case DIGIT -> x.text.charAt(0) == '0' || y.text.charAt(0) == '0'
                    ? Integer.signum(x.text.compareTo(y.text))
                    : Numbers.compareDigits(x.text, y.text);
            case INITIAL, SUFFIX_NO, REVISION -> Numbers.compareDigits(x.text, y.text);
            case SUFFIX -> Integer.compare(x.suffix, y.suffix);
            default -> Integer.signum(x.text.compareTo(y.text)); // a letter, or a commit hash (by text, as apk)
        };
    }

    private static int compareRest(String p, String q) {
        if (p.startsWith("-") && q.startsWith("-")) {
            return 0;
        }
        return Integer.signum(p.compareTo(q));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isLower(char c) {
        return c >= 'a' && c <= 'z';
    }

    private static boolean isHex(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f');
    }
}
