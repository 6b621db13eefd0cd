package dev.custody.evidence;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.logfmt.Log;
import dev.custody.store.Incidents;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The alert webhook: each incident's opened, blocked and closed events are POSTed as JSON to one URL, from the
 * store's outbox (so an incident opened by the CLI is announced by whichever {@code custody serve} tracks it, and
 * replicas claim each event so it is sent once). A failed attempt is retried with back-off, at most
 * {@link #MAX_ATTEMPTS} times; each request has a timeout; a non-2xx answer is a failure. With a secret, the body's
 * HMAC-SHA256 is sent in {@code X-Custody-Signature: sha256=HEX} so the receiver can tell the sender.
 */
public final class IncidentNotifier {

    public static final int MAX_ATTEMPTS = 5;
    static final long LEASE_MILLIS = 60_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final byte[] secret;
    private final HttpClient http;
    private final Duration timeout;
    private volatile long sent;
    private volatile long failed;

    public IncidentNotifier(URI url, byte[] secret, Duration timeout) {
        if (!url.getScheme().equals("https") && !url.getScheme().equals("http")) {
            throw new IllegalArgumentException("the incident webhook is an http(s) URL, found " + url);
        }
        this.url = url;
        this.secret = secret == null ? null : secret.clone();
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public long sent() {
        return sent;
    }

    public long failed() {
        return failed;
    }

    /** The body sent for one event. */
    static byte[] body(Incidents.Incident i, Incidents.Event e) {
        ObjectNode o = JSON.createObjectNode();
        o.put("type", "custody.incident." + e.kind());
        o.put("time", Instant.ofEpochMilli(e.at()).toString());
        o.put("actor", e.actor());
        ObjectNode inc = o.putObject("incident");
        inc.put("id", e.incidentId());
        if (i != null) {
            inc.put("title", i.title());
            inc.put("severity", i.severity());
            inc.put("state", i.state());
            inc.put("target", i.targetKind().label() + " " + i.target());
            inc.put("owner", i.owner());
            inc.put("running", i.running());
        }
        o.set("detail", e.detail());
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Sends what is due; called from the tracker's thread. */
    void deliver(Incidents incidents, long now) {
        List<Incidents.Event> due = incidents.dueNotifications(now, 50);
        for (Incidents.Event e : due) {
            if (!incidents.claim(e, now, now + LEASE_MILLIS)) {
                continue; // another replica has it
            }
            int attempt = e.notifyAttempts() + 1;
            String error = null;
            try {
                byte[] body = body(incidents.get(e.incidentId()), e);
                HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
                        .header("User-Agent", "custody").header("X-Custody-Event", e.kind()).header("X-Custody-Delivery", e.incidentId() + "/" + e.ordinal())
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
                if (secret != null) {
                    b.header("X-Custody-Signature", "sha256=" + hmac(body));
                }
                HttpResponse<Void> r = http.send(b.build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() / 100 != 2) {
                    error = "HTTP " + r.statusCode();
                }
            } catch (java.io.IOException ex) {
                error = ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                incidents.notified(e, "pending", now);
                return;
            }
            if (error == null) {
                sent++;
                incidents.notified(e, "sent", now);
            } else if (attempt >= MAX_ATTEMPTS) {
                failed++;
                incidents.notified(e, "failed", now);
                Log.warn("incident webhook gave up", "incident", e.incidentId(), "event", e.kind(), "attempts", attempt, "error", error);
            } else {
                long backoff = Math.min(60_000L, 1000L << (attempt - 1)); // 1 s, 2 s, 4 s, 8 s
                incidents.notified(e, "pending", now + backoff);
                Log.warn("incident webhook failed; will retry", "incident", e.incidentId(), "event", e.kind(), "attempt", attempt, "error", error);
            }
        }
    }

    private String hmac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
