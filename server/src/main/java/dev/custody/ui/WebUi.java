package dev.custody.ui;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.custody.api.ApiTokens;
import dev.custody.assess.Assessment;
import dev.custody.evidence.IncidentTracker;
import dev.custody.evidence.InventoryViews;
import dev.custody.evidence.Times;
import dev.custody.logfmt.Log;
import dev.custody.store.Exceptions;
import dev.custody.store.Incidents;
import dev.custody.store.Store;
import dev.custody.store.StoreException;
import dev.custody.vulns.ExceptionViews;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.Utf8ByteOutput;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The web UI, served under {@code /ui/} on the evidence API's port (same TLS, same tokens and roles). Pages are
 * rendered on the server from precompiled templates and read the same views the API answers with. A login with an API
 * token opens a session (an HttpOnly, SameSite=Strict, Secure cookie); every form carries the session's CSRF token and
 * a cross-origin POST is refused. Nothing is loaded from anywhere but this server, and the Content-Security-Policy says so.
 */
public final class WebUi {

    static final String COOKIE = "custody_session";
    static final String LOGIN_COOKIE = "custody_login";
    static final String CSP = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'";
    static final int MAX_FORM_BYTES = 64 << 10;
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private final ApiTokens tokens;
    private final Store store;
    private final IncidentTracker tracker;
    private final Supplier<Assessment.Report> assessor;
    private final Sessions sessions = new Sessions();
    private final TemplateEngine templates = TemplateEngine.createPrecompiled(null, ContentType.Html, WebUi.class.getClassLoader(),
            "dev.custody.ui.templates");
    private final ReadPages pages;
    private volatile Assessment.Report report;
    private volatile String reportError;
    private java.util.concurrent.ScheduledExecutorService assessing;
    /** How often the assessment is recomputed in the background: the page never waits for it. */
    static final long ASSESS_EVERY_MILLIS = 30_000;

    /** @param assessor computes the platform's assessment (null: the page says where to run {@code custody assess}) */
    public WebUi(ApiTokens tokens, Store store, IncidentTracker tracker, Supplier<Assessment.Report> assessor) {
        this.tokens = tokens;
        this.store = store;
        this.tracker = tracker;
        this.assessor = assessor;
        this.pages = new ReadPages(store);
    }

    /**
     * Starts the background assessment (when there is an assessor): computed now, then again after
     * {@link #ASSESS_EVERY_MILLIS} or ten times as long as the last one took, whichever is longer, so that a large store
     * (an assessment reads the whole decision chain) keeps it to a tenth of one core.
     */
    public WebUi start() {
        if (assessor != null && assessing == null) {
            assessing = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "custody-ui-assess");
                t.setDaemon(true);
                return t;
            });
            assessing.schedule(this::reassess, 0, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        return this;
    }

    private void reassess() {
        long t0 = System.nanoTime();
        try {
            report = assessor.get();
            reportError = null;
        } catch (RuntimeException e) {
            reportError = e.getMessage();
            Log.error("web UI assessment failed", "error", e.toString());
        }
        long took = (System.nanoTime() - t0) / 1_000_000;
        reassessEvery = Math.max(ASSESS_EVERY_MILLIS, 10 * took);
        if (!assessing.isShutdown()) {
            assessing.schedule(this::reassess, reassessEvery, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    private volatile long reassessEvery = ASSESS_EVERY_MILLIS;

    public void close() {
        if (assessing != null) {
            assessing.shutdownNow();
        }
    }

    /** Whether a request path is the UI's. */
    public static boolean owns(String path) {
        return path.equals("/") || path.equals("/ui") || path.startsWith("/ui/");
    }

    /** An answer: a page, a redirect, or static bytes. */
    private record Answer(int status, String contentType, byte[] body, String location, List<String> cookies) {
        static Answer page(int status, byte[] html) {
            return new Answer(status, "text/html; charset=utf-8", html, null, List.of());
        }

        static Answer redirect(String location, String... cookies) {
            return new Answer(303, null, new byte[0], location, List.of(cookies));
        }
    }

    /** A refusal the user sees as a page. */
    static final class Refusal extends Exception {
        final int status;

        Refusal(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    public void handle(Request request, Response response, Callback callback) {
        long t0 = System.nanoTime();
        String path = Request.getPathInContext(request);
        long now = System.currentTimeMillis();
        Answer a;
        Optional<Sessions.Session> session = sessions.find(cookie(request, COOKIE), now);
        try {
            a = route(request, path, session, now);
        } catch (Refusal e) {
            a = Answer.page(e.status, render("error.jte", new Views.Error(frame(session.orElse(null), "Error", ""), e.status, e.getMessage())));
        } catch (StoreException e) {
            Log.error("web UI store error", "path", path, "error", e.getMessage());
            a = Answer.page(503, render("error.jte", new Views.Error(frame(session.orElse(null), "Error", ""), 503, "store error: " + e.getMessage())));
        } catch (RuntimeException | IOException e) {
            Log.error("web UI failed", "path", path, "error", e.toString());
            a = Answer.page(500, render("error.jte", new Views.Error(frame(session.orElse(null), "Error", ""), 500, "internal error: " + e)));
        }
        var h = response.getHeaders();
        response.setStatus(a.status());
        h.put("Content-Security-Policy", CSP);
        h.put("X-Content-Type-Options", "nosniff");
        h.put("Referrer-Policy", "same-origin");
        h.put("X-Frame-Options", "DENY");
        h.put("Cross-Origin-Opener-Policy", "same-origin");
        h.put("Strict-Transport-Security", "max-age=31536000");
        if (!path.startsWith("/ui/static/")) {
            h.put(HttpHeader.CACHE_CONTROL, "no-store");
        } else {
            h.put(HttpHeader.CACHE_CONTROL, "max-age=3600");
        }
        for (String c : a.cookies()) {
            h.add(HttpHeader.SET_COOKIE, c);
        }
        if (a.location() != null) {
            h.put(HttpHeader.LOCATION, a.location());
        }
        if (a.contentType() != null) {
            h.put(HttpHeader.CONTENT_TYPE, a.contentType());
        }
        h.put(HttpHeader.CONTENT_LENGTH, a.body().length);
        // the server's own time for the page, as browsers' developer tools and the load generator read it
        h.put("Server-Timing", String.format(Locale.ROOT, "app;dur=%.2f", (System.nanoTime() - t0) / 1e6));
        response.write(true, ByteBuffer.wrap(a.body()), callback);
    }

    private Answer route(Request request, String path, Optional<Sessions.Session> session, long now) throws Refusal, IOException {
        String method = request.getMethod();
        if (path.equals("/") || path.equals("/ui") || path.equals("/ui/")) {
            return Answer.redirect("/ui/inventory");
        }
        if (path.startsWith("/ui/static/")) {
            return asset(path.substring("/ui/static/".length()));
        }
        if (path.equals("/ui/login")) {
            return method.equals("POST") ? login(request, now) : loginPage(request, null, 200);
        }
        Fields q = Request.extractQueryParameters(request);
        if (session.isEmpty()) {
            if (method.equals("POST")) {
                throw new Refusal(401, "your session has ended or was never opened: log in again (the form was not sent)");
            }
            String next = path + (request.getHttpURI().getQuery() == null ? "" : "?" + request.getHttpURI().getQuery());
            return Answer.redirect("/ui/login?next=" + enc(next));
        }
        Sessions.Session s = session.get();
        Map<String, String> form = Map.of();
        if (method.equals("POST")) {
            form = form(request);
            sameOrigin(request);
            if (!Sessions.same(s.csrf(), form.get("csrf"))) {
                throw new Refusal(403, "the form's CSRF token is missing or wrong: reload the page and send it again");
            }
        } else if (!method.equals("GET") && !method.equals("HEAD")) {
            throw new Refusal(405, method + " is not allowed here");
        }
        List<String> parts = List.of(path.substring(4).split("/"));
        String section = parts.getFirst();
        switch (section) {
            case "logout" -> {
                post(method);
                sessions.close(s.id());
                return Answer.redirect("/ui/login", COOKIE + "=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
            }
            case "inventory" -> {
                return Answer.page(200, render("inventory.jte", pages.inventory(s, q)));
            }
            case "artifacts" -> {
                if (parts.size() != 2 || !ReadPages.DIGEST.matcher(parts.get(1)).matches()) {
                    throw new Refusal(404, "an artifact page is /ui/artifacts/sha256:<64 hex>");
                }
                return Answer.page(200, render("artifact.jte", pages.artifact(s, parts.get(1), q.getValue("component"))));
            }
            case "decisions" -> {
                return Answer.page(200, render("decisions.jte", pages.decisions(s, q)));
            }
            case "incidents" -> {
                return incidents(s, parts, method, q, form, now);
            }
            case "exceptions" -> {
                return exceptions(s, parts, method, q, form, now);
            }
            case "assessment" -> {
                return Answer.page(200, render("assessment.jte", assessment(s, now)));
            }
            case "search" -> {
                ReadPages.Searched r = pages.search(s, q.getValue("q"));
                return r.redirect() != null ? Answer.redirect(r.redirect()) : Answer.page(r.status(), render("search.jte", r.view()));
            }
            default -> throw new Refusal(404, "no such page: " + path);
        }
    }

    // ---------------------------------------------------------------- login

    private Answer loginPage(Request request, String error, int status) {
        String next = Request.extractQueryParameters(request).getValue("next");
        String loginCsrf = Sessions.random();
        return new Answer(status, "text/html; charset=utf-8", render("login.jte", new Views.Login(error, safeNext(next), loginCsrf)), null,
                List.of(LOGIN_COOKIE + "=" + loginCsrf + "; Path=/ui/login; HttpOnly; Secure; SameSite=Strict"));
    }

    private Answer login(Request request, long now) throws Refusal, IOException {
        Map<String, String> form = form(request);
        sameOrigin(request);
        // login CSRF: the form's value must be the one this browser was given with the form (double submit)
        if (!Sessions.same(cookie(request, LOGIN_COOKIE), form.get("csrf"))) {
            throw new Refusal(403, "the login form's CSRF token is missing or wrong: open the login page again");
        }
        String token = form.getOrDefault("token", "").strip();
        Optional<ApiTokens.Caller> caller = token.isEmpty() ? Optional.empty() : tokens.authenticate("Bearer " + token);
        if (caller.isEmpty()) {
            return new Answer(401, "text/html; charset=utf-8", render("login.jte", new Views.Login("that token is not known to this server",
                    safeNext(form.get("next")), form.get("csrf"))), null, List.of());
        }
        Sessions.Session s = sessions.open(caller.get(), now);
        Log.info("web UI login", "user", caller.get().name(), "role", caller.get().role().name().toLowerCase(Locale.ROOT));
        return Answer.redirect(safeNext(form.get("next")), COOKIE + "=" + s.id() + "; Path=/; HttpOnly; Secure; SameSite=Strict",
                LOGIN_COOKIE + "=; Path=/ui/login; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
    }

    /** Only a path of this UI: a login link cannot send the browser elsewhere. */
    static String safeNext(String next) {
        return next != null && next.startsWith("/ui/") && !next.startsWith("/ui//") && !next.contains("\\") && !next.contains("://")
                ? next : "/ui/inventory";
    }

    /** A POST must come from this origin when the browser says where it comes from (every current browser does). */
    private static void sameOrigin(Request request) throws Refusal {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        String host = request.getHeaders().get(HttpHeader.HOST);
        if (origin != null && !origin.equals("null") && host != null && !origin.equalsIgnoreCase("https://" + host)) {
            throw new Refusal(403, "a form from " + origin + " cannot post here");
        }
        String site = request.getHeaders().get("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            throw new Refusal(403, "a form from another site (" + site + ") cannot post here");
        }
    }

    private static void post(String method) throws Refusal {
        if (!method.equals("POST")) {
            throw new Refusal(405, "use the page's button (POST)");
        }
    }

    private static void operator(Sessions.Session s) throws Refusal {
        if (!s.caller().role().allows(ApiTokens.Role.OPERATOR)) {
            throw new Refusal(403, s.caller().name() + " has the viewer role: this needs an operator token");
        }
    }

    // ---------------------------------------------------------------- incidents

    private Answer incidents(Sessions.Session s, List<String> parts, String method, Fields q, Map<String, String> form, long now)
            throws Refusal {
        Incidents incidents = tracker.incidents();
        if (parts.size() == 1) {
            if (method.equals("POST")) {
                operator(s);
                try {
                    Incidents.TargetKind kind = Incidents.TargetKind.valueOf(form.getOrDefault("targetKind", "").toUpperCase(Locale.ROOT));
                    String target = form.getOrDefault("target", "").strip();
                    List<String> packages = new ArrayList<>();
                    if ("yes".equals(form.get("block"))) {
                        tracker.blockable(kind, target, packages); // refused before anything is written
                    }
                    Incidents.Incident i = tracker.open(kind, target, packages, form.getOrDefault("title", "").strip(),
                            form.getOrDefault("severity", "high"), blank(form.get("owner")), s.caller().name(), now);
                    if ("yes".equals(form.get("block"))) {
                        tracker.block(i, blank(form.get("reason")), s.caller().name(), System.currentTimeMillis());
                    }
                    return Answer.redirect("/ui/incidents/" + enc(i.id()));
                } catch (IllegalArgumentException e) {
                    return Answer.page(400, render("incidents.jte", incidentList(s, "open", e.getMessage())));
                }
            }
            String state = q.getValue("state") == null ? "open" : q.getValue("state");
            if (!List.of("open", "closed", "all").contains(state)) {
                throw new Refusal(400, "state: open, closed or all, found \"" + state + "\"");
            }
            return Answer.page(200, render("incidents.jte", incidentList(s, state, null)));
        }
        Incidents.Incident i = incidents.get(parts.get(1));
        if (i == null) {
            throw new Refusal(404, "no incident " + parts.get(1));
        }
        if (parts.size() == 3 && parts.get(2).equals("burndown.svg") && method.equals("GET")) {
            byte[] svg = Burndown.svg(incidents.points(i.id()), i.running(), now).getBytes(StandardCharsets.UTF_8);
            return new Answer(200, "image/svg+xml", svg, null, List.of());
        }
        if (parts.size() == 3 && method.equals("POST")) {
            operator(s);
            String error = null;
            try {
                switch (parts.get(2)) {
                    case "block" -> tracker.block(i, blank(form.get("reason")), s.caller().name(), now);
                    case "actions" -> {
                        var a = tracker.action(i, blank(form.get("cluster")), form.getOrDefault("namespace", ""), form.getOrDefault("kind", ""),
                                form.getOrDefault("name", ""), form.getOrDefault("action", ""));
                        tracker.recordAction(i, a, blank(form.get("note")), false, s.caller().name(), now);
                    }
                    case "close" -> {
                        if (!tracker.closeByHand(i, blank(form.get("acceptRisk")), s.caller().name(), now)) {
                            error = "incident " + i.id() + " is closed already";
                        }
                    }
                    default -> throw new Refusal(404, "no such incident action: " + parts.get(2));
                }
            } catch (IllegalArgumentException e) {
                error = e.getMessage();
            }
            if (error == null) {
                return Answer.redirect("/ui/incidents/" + enc(i.id()));
            }
            Incidents.Incident fresh = incidents.get(i.id());
            return Answer.page(400, render("incident.jte", new Views.Incident(frame(s, "Incident " + i.id(), "incidents"), JSON.valueToTree(tracker.view(fresh)),
                    error, fresh.state().equals("open"))));
        }
        if (parts.size() != 2) {
            throw new Refusal(404, "no such page: /ui/incidents/" + String.join("/", parts.subList(1, parts.size())));
        }
        return Answer.page(200, render("incident.jte", new Views.Incident(frame(s, "Incident " + i.id(), "incidents"), JSON.valueToTree(tracker.view(i)), null,
                i.state().equals("open"))));
    }

    private Views.Incidents incidentList(Sessions.Session s, String state, String error) {
        List<Views.IncidentRow> rows = new ArrayList<>();
        for (Incidents.Incident i : tracker.incidents().list(state.equals("all") ? null : state)) {
            rows.add(new Views.IncidentRow(i.id(), i.title(), i.severity(), i.state(), i.targetKind().label() + " " + i.target(), i.running(),
                    InventoryViews.instant(i.openedAt()), i.owner()));
        }
        return new Views.Incidents(frame(s, "Incidents", "incidents"), state, rows, error);
    }

    // ---------------------------------------------------------------- exceptions

    private Answer exceptions(Sessions.Session s, List<String> parts, String method, Fields q, Map<String, String> form, long now) throws Refusal {
        Exceptions ex = new Exceptions(store);
        String state = blank(q.getValue("state"));
        if (state != null && !List.of("requested", "active", "expired", "revoked").contains(state)) {
            throw new Refusal(400, "state: requested, active, expired or revoked, found \"" + state + "\"");
        }
        if (method.equals("POST")) {
            operator(s);
            String error;
            try {
                if (parts.size() == 1) {
                    String digest = form.getOrDefault("digest", "").strip();
                    if (!digest.equals("*") && !ReadPages.DIGEST.matcher(digest).matches()) {
                        throw new IllegalArgumentException("digest: sha256:<64 lower-case hex> or *, found \"" + digest + "\"");
                    }
                    String expires = form.getOrDefault("expires", "").strip();
                    if (expires.isEmpty()) {
                        throw new IllegalArgumentException("expires: required (a length from now such as 30d, a date, or an instant)");
                    }
                    ex.request(new Exceptions.Request(digest, blank(form.get("namespace")), blank(form.get("rule")),
                            form.getOrDefault("vulnerability", "").strip(), form.getOrDefault("owner", "").strip(), form.getOrDefault("reason", "").strip(),
                            blank(form.get("ticket")), Times.until(expires, Instant.ofEpochMilli(now))), s.caller().name(), now);
                } else if (parts.size() == 3 && parts.get(2).equals("approve")) {
                    ex.approve(parts.get(1), s.caller().name(), blank(form.get("note")), now);
                } else if (parts.size() == 3 && parts.get(2).equals("revoke")) {
                    ex.revoke(parts.get(1), s.caller().name(), form.getOrDefault("reason", "").strip(), now);
                } else {
                    throw new Refusal(404, "no such exception action");
                }
                return Answer.redirect("/ui/exceptions");
            } catch (Exceptions.Refused | IllegalArgumentException e) {
                error = e.getMessage();
            }
            return Answer.page(e409(error), render("exceptions.jte", exceptionList(s, ex, null, 1, error, now)));
        }
        if (parts.size() != 1) {
            throw new Refusal(404, "no such page");
        }
        return Answer.page(200, render("exceptions.jte", exceptionList(s, ex, state, Math.min(1_000_000, Math.max(1, intParam(q, "page", 1))), null, now)));
    }

    private static int e409(String error) {
        return error != null && error.startsWith("no exception ") ? 404 : 409;
    }

    static final int EXCEPTION_ROWS = 50;

    private Views.Exceptions exceptionList(Sessions.Session s, Exceptions ex, String state, int page, String error, long now) {
        List<Views.ExceptionRow> rows = new ArrayList<>();
        boolean operator = s.caller().role().allows(ApiTokens.Role.OPERATOR);
        int total = 0;
        int from = (page - 1) * EXCEPTION_ROWS;
        for (Exceptions.VulnException e : ex.list(10_000)) {
            String st = e.state(now);
            if (state != null && !st.equals(state)) {
                continue;
            }
            if (total++ < from || rows.size() >= EXCEPTION_ROWS) {
                continue;
            }
            boolean mine = s.caller().name().equals(e.requester());
            rows.add(new Views.ExceptionRow(JSON.valueToTree(ExceptionViews.view(e, now, null)), countdown(e.expiresAt() - now), mine,
                    operator && st.equals(Exceptions.REQUESTED), operator && (st.equals(Exceptions.REQUESTED) || st.equals(Exceptions.ACTIVE))));
        }
        String base = "/ui/exceptions?" + (state == null ? "" : "state=" + enc(state) + "&") + "page=";
        return new Views.Exceptions(frame(s, "Exceptions", "exceptions"), state, rows, total, page > 1 ? base + (page - 1) : null,
                from + EXCEPTION_ROWS < total ? base + (page + 1) : null, error);
    }

    /** "3d 4h", "5h 12m", "40m", or "expired 2d ago". */
    static String countdown(long millis) {
        boolean past = millis < 0;
        Duration d = Duration.ofMillis(Math.abs(millis));
        String t = d.toDays() > 0 ? d.toDays() + "d " + d.toHoursPart() + "h" : d.toHours() > 0 ? d.toHours() + "h " + d.toMinutesPart() + "m"
                : Math.max(d.toMinutes(), 0) + "m " + d.toSecondsPart() + "s";
        return past ? "ended " + t + " ago" : "in " + t;
    }

    // ---------------------------------------------------------------- assessment

    private Views.AssessmentPage assessment(Sessions.Session s, long now) {
        Views.Frame f = frame(s, "Assessment", "assessment");
        if (assessor == null) {
            return new Views.AssessmentPage(f, null,
                    "this server was started without an assessment source: run custody assess --kubeconfig FILE to assess the platform");
        }
        Assessment.Report r = report;
        if (r == null) {
            return new Views.AssessmentPage(f, null, reportError != null ? "the assessment failed: " + reportError
                    : "the first assessment is being computed: reload in a few seconds");
        }
        return new Views.AssessmentPage(f, r, "computed " + Instant.ofEpochMilli(r.at()) + " (" + Math.max(0, (now - r.at()) / 1000)
                + " s ago) from the served policies and the store, every " + reassessEvery / 1000
                + " s; the cluster (webhook registration, RBAC) is read by custody assess --kubeconfig, not here"
                + (reportError != null ? "; the last recomputation failed: " + reportError : ""));
    }

    // ---------------------------------------------------------------- plumbing

    static Views.Frame frame(Sessions.Session s, String title, String active) {
        return frame(s, title, active, "");
    }

    static Views.Frame frame(Sessions.Session s, String title, String active, String query) {
        if (s == null) {
            return new Views.Frame(title, active, null, null, false, null, query);
        }
        return new Views.Frame(title, active, s.caller().name(), s.caller().role().name().toLowerCase(Locale.ROOT),
                s.caller().role().allows(ApiTokens.Role.OPERATOR), s.csrf(), query);
    }

    private byte[] render(String template, Object model) {
        Utf8ByteOutput out = new Utf8ByteOutput();
        templates.render(template, model, out);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(out.getContentLength());
        try {
            out.writeTo(bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    private static final Map<String, String> ASSETS = Map.of("custody.css", "text/css; charset=utf-8", "custody.js", "text/javascript; charset=utf-8");
    private static final Map<String, byte[]> ASSET_BYTES = new java.util.concurrent.ConcurrentHashMap<>();

    private static Answer asset(String name) throws Refusal, IOException {
        String type = ASSETS.get(name);
        if (type == null) {
            throw new Refusal(404, "no such file: " + name);
        }
        byte[] b = ASSET_BYTES.get(name);
        if (b == null) {
            try (InputStream in = WebUi.class.getResourceAsStream("static/" + name)) {
                if (in == null) {
                    throw new IOException("static/" + name + " is missing from the build");
                }
                b = in.readAllBytes();
            }
            ASSET_BYTES.put(name, b);
        }
        return new Answer(200, type, b, null, List.of());
    }

    private static String cookie(Request request, String name) {
        for (HttpCookie c : Request.getCookies(request)) {
            if (c.getName().equals(name)) {
                return c.getValue();
            }
        }
        return null;
    }

    private static Map<String, String> form(Request request) throws Refusal, IOException {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            throw new Refusal(415, "a form is sent as application/x-www-form-urlencoded");
        }
        byte[] body;
        try (InputStream in = Request.asInputStream(request)) {
            body = in.readNBytes(MAX_FORM_BYTES + 1);
        }
        if (body.length > MAX_FORM_BYTES) {
            throw new Refusal(413, "the form is larger than " + MAX_FORM_BYTES + " bytes");
        }
        Map<String, String> out = new HashMap<>();
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.putIfAbsent(k, v);
            } catch (IllegalArgumentException e) {
                throw new Refusal(400, "the form is not URL-encoded: " + e.getMessage());
            }
        }
        return out;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String query(String... kv) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] != null) {
                b.append(b.isEmpty() ? "" : "&").append(kv[i]).append('=').append(enc(kv[i + 1]));
            }
        }
        return b.toString();
    }

    static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    static int intParam(Fields q, String name, int dflt) throws Refusal {
        String v = q.getValue(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new Refusal(400, name + ": a whole number, found \"" + v + "\"");
        }
    }

}
