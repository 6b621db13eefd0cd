package dev.custody.vulns;

import dev.custody.store.Exceptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Exceptions as {@code custody exception list|show -o json} and the API show them: one shape for both. */
public final class ExceptionViews {

    private ExceptionViews() {}

    public static Map<String, Object> view(Exceptions.VulnException e, long now, List<Exceptions.Event> history) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("state", e.state(now));
        m.put("kind", e.breakGlass() ? "break-glass" : "vulnerability");
        Map<String, Object> scope = new LinkedHashMap<>();
        scope.put("digest", e.digest());
        scope.put("namespace", e.namespace());
        scope.put("rule", e.rule());
        scope.put("vulnerability", e.vulnerability());
        if (e.breakGlass()) {
            scope.put("subject", e.subject());
        }
        m.put("scope", scope);
        m.put("owner", e.owner());
        m.put("reason", e.reason());
        m.put("ticket", e.ticket());
        m.put("requester", e.requester());
        m.put("requestedAt", iso(e.requestedAt()));
        m.put("approver", e.approver());
        m.put("approvedAt", e.approvedAt() == null ? null : iso(e.approvedAt()));
        m.put("expiresAt", iso(e.expiresAt()));
        String state = e.state(now);
        m.put("expiresInSeconds", state.equals(Exceptions.ACTIVE) || state.equals(Exceptions.REQUESTED) ? (e.expiresAt() - now) / 1000 : null);
        m.put("closedBy", e.closedBy());
        m.put("closedAt", e.closedAt() == null ? null : iso(e.closedAt()));
        m.put("closeReason", e.closeReason());
        if (history != null) {
            List<Map<String, Object>> h = new ArrayList<>();
            for (Exceptions.Event ev : history) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("time", iso(ev.at()));
                x.put("action", ev.action());
                x.put("actor", ev.actor());
                x.put("detail", ev.detail());
                x.put("auditSeq", ev.auditSeq());
                h.add(x);
            }
            m.put("history", h);
        }
        return m;
    }

    /** Whether an exception is active and expires within {@code withinMillis} of now: the warning list. */
    public static boolean expiringWithin(Exceptions.VulnException e, long now, long withinMillis) {
        return e.state(now).equals(Exceptions.ACTIVE) && e.expiresAt() - now <= withinMillis;
    }

    static String iso(long ms) {
        return Instant.ofEpochMilli(ms).toString();
    }
}
