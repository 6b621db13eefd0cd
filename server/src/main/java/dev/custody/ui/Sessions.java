package dev.custody.ui;

import dev.custody.api.ApiTokens;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web UI's sessions: a login with an API token opens one, kept in this process's memory under a random id that
 * only the HttpOnly cookie carries. Each session has its own CSRF token, which every form posts back. A session ends
 * on logout, after {@link #IDLE_MILLIS} without a request, or {@link #MAX_MILLIS} after the login, whichever is first.
 */
final class Sessions {

    static final long IDLE_MILLIS = 30 * 60_000L;
    static final long MAX_MILLIS = 12 * 3600_000L;
    /** Bounds the memory a flood of logins can take; the oldest session goes first. */
    static final int MAX_SESSIONS = 10_000;

    /** A logged-in caller and the CSRF token its forms carry. */
    record Session(String id, ApiTokens.Caller caller, String csrf, long createdAt, long lastSeen) {}

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Map<String, Session> byId = new ConcurrentHashMap<>();

    static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    Session open(ApiTokens.Caller caller, long now) {
        if (byId.size() >= MAX_SESSIONS) {
            expire(now);
            while (byId.size() >= MAX_SESSIONS) {
                byId.values().stream().min(java.util.Comparator.comparingLong(Session::createdAt)).ifPresent(s -> byId.remove(s.id()));
            }
        }
        Session s = new Session(random(), caller, random(), now, now);
        byId.put(s.id(), s);
        return s;
    }

    /** The live session of a cookie value, touched; empty when unknown, idle too long or too old. */
    Optional<Session> find(String id, long now) {
        if (id == null) {
            return Optional.empty();
        }
        Session s = byId.get(id);
        if (s == null) {
            return Optional.empty();
        }
        if (now - s.lastSeen() > IDLE_MILLIS || now - s.createdAt() > MAX_MILLIS) {
            byId.remove(id);
            return Optional.empty();
        }
        Session touched = new Session(s.id(), s.caller(), s.csrf(), s.createdAt(), now);
        byId.put(id, touched);
        return Optional.of(touched);
    }

    void close(String id) {
        if (id != null) {
            byId.remove(id);
        }
    }

    int size() {
        return byId.size();
    }

    private void expire(long now) {
        byId.values().removeIf(s -> now - s.lastSeen() > IDLE_MILLIS || now - s.createdAt() > MAX_MILLIS);
    }

    /** Compares two secrets in time that does not depend on where they differ. */
    static boolean same(String expected, String given) {
        return expected != null && given != null
                && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}
