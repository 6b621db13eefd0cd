package dev.custody.evidence;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Points in time as users write them in queries: an instant, a date (UTC midnight), or an age ("24h" ago). */
public final class Times {

    private static final Pattern AGE = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

    private Times() {}

    /** Epoch milliseconds of a time; relative ages count back from now. */
    public static long parse(String text, Instant now) {
        String t = text.strip();
        Matcher m = AGE.matcher(t);
        if (m.matches()) {
            try {
                return now.minus(age(m)).toEpochMilli();
            } catch (ArithmeticException | java.time.DateTimeException e) {
                throw new IllegalArgumentException("\"" + text + "\" reaches beyond the times Custody can represent");
            }
        }
        try {
            return Instant.parse(t).toEpochMilli();
        } catch (DateTimeParseException ignored) {
            // try a date
        }
        try {
            return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a time: give an instant (2026-11-28T10:00:00Z), a date (2026-11-28) "
                    + "or an age (15m, 24h, 7d)");
        }
    }

    /** An age such as 90d or 12h. */
    public static Duration age(String text) {
        Matcher m = AGE.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not an age: give a number and a unit (ms, s, m, h, d, w), e.g. 90d");
        }
        return age(m);
    }

    private static Duration age(Matcher m) {
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
