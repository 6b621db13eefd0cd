package dev.custody.logfmt;

import java.time.Instant;

/** One-line logfmt records on standard error: what operators grep and log pipelines parse. */
public final class Log {

    private Log() {}

    public static void info(String msg, Object... kv) {
        write("info", msg, kv);
    }

    public static void warn(String msg, Object... kv) {
        write("warn", msg, kv);
    }

    public static void error(String msg, Object... kv) {
        write("error", msg, kv);
    }

    private static void write(String level, String msg, Object... kv) {
        StringBuilder sb = new StringBuilder(128);
        sb.append("time=").append(Instant.now()).append(" level=").append(level).append(" msg=").append(quote(msg));
        for (int i = 0; i + 1 < kv.length; i += 2) {
            sb.append(' ').append(kv[i]).append('=').append(quote(String.valueOf(kv[i + 1])));
        }
        System.err.println(sb);
    }

    private static String quote(String s) {
        if (!s.isEmpty() && s.chars().noneMatch(c -> c == ' ' || c == '"' || c == '=' || c < 0x20)) {
            return s;
        }
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
