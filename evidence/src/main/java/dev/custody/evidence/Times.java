package dev.custody.evidence;

import dev.custody.policy.Ages;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;

/** Points in time as users write them in queries: an instant, a date (UTC midnight), or an age ("24h" ago). */
public final class Times {

    private Times() {}

    /** Epoch milliseconds of a time; relative ages count back from now. */
    public static long parse(String text, Instant now) {
        String t = text.strip();
        Matcher m = Ages.PATTERN.matcher(t);
        if (m.matches()) {
            try {
                return now.minus(Ages.of(m)).toEpochMilli();
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

    /** Epoch milliseconds of a time ahead: an instant, a date (UTC midnight), or a length from now ("30d"), as an expiry is given. */
    public static long until(String text, Instant now) {
        Matcher m = Ages.PATTERN.matcher(text.strip());
        if (m.matches()) {
            try {
                return now.plus(Ages.of(m)).toEpochMilli();
            } catch (ArithmeticException | java.time.DateTimeException e) {
                throw new IllegalArgumentException("\"" + text + "\" reaches beyond the times Custody can represent");
            }
        }
        return parse(text, now);
    }

    /** An age such as 90d or 12h (the grammar of {@link Ages}). */
    public static Duration age(String text) {
        return Ages.parse(text);
    }
}
