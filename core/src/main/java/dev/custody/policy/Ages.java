package dev.custody.policy;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ages as users write them, in policies and on the command line: a number and a unit (ms, s, m, h, d, w),
 * e.g. 90d or 12h. One grammar for a scan's maxAge, retention, denylist expiry and relative query times.
 */
public final class Ages {

    /** A number and a unit; group 1 the number, group 2 the unit. */
    public static final Pattern PATTERN = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

    private Ages() {}

    /** An age such as 90d or 12h; IllegalArgumentException naming the text when it is none. */
    public static Duration parse(String text) {
        Matcher m = PATTERN.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not an age: give a number and a unit (ms, s, m, h, d, w), e.g. 90d");
        }
        return of(m);
    }

    /** The age a {@link #PATTERN} match names. */
    public static Duration of(Matcher m) {
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + m.group() + "\" is too large an age");
        }
        try {
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(Math.multiplyExact(7, n));
            };
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("\"" + m.group() + "\" is too large an age");
        }
    }
}
