package dev.custody.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.custody.api.ApiTokens;
import dev.custody.assess.Assessment;
import dev.custody.evidence.IncidentTracker;
import dev.custody.evidence.InventoryViews;
import dev.custody.evidence.Times;
import dev.custody.logfmt.Log;
import dev.custody.sbom.PackageUrl;
import dev.custody.store.Evidence;
import dev.custody.store.Exceptions;
import dev.custody.store.Incidents;
import dev.custody.store.RuntimeInventory;
import dev.custody.store.SbomStore;
import dev.custody.store.Store;
import dev.custody.store.StoreException;
import dev.custody.vulns.ExceptionViews;
import dev.custody.vulns.VulnMatcher;
import dev.custody.vulns.VulnerableDigests;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;
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
    static final int PAGE_ROWS = 100;
    private static final Pattern DIGEST = SbomStore.DIGEST;
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{7,40}");
    /** Ids of the advisory databases OSV aggregates (CVE, GHSA, PYSEC, GO, RUSTSEC, the distributions' own). */
    private static final Pattern VULN_ID = Pattern.compile("(?i)(CVE-\\d{4}-\\d{4,}|GHSA(-[0-9a-z]{4}){3}|(PYSEC|GO|RUSTSEC|OSV|DSA|DLA|DTSA|USN|ALSA|ALBA|"
            + "ALEA|RLSA|RHSA|RHBA|MAL|GSD|BIT|CURL|PSF|HSEC|MGASA|OESA|CGA|SUSE-SU|openSUSE-SU|UBUNTU|DEBIAN|ELSA)-(\\d|CVE-)[0-9a-z.:_-]*)");
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private final ApiTokens tokens;
    private final Store store;
    private final Evidence evidence;
    private final IncidentTracker tracker;
    private final Supplier<Assessment.Report> assessor;
    private final Sessions sessions = new Sessions();
    private final TemplateEngine templates = TemplateEngine.createPrecompiled(null, ContentType.Html, WebUi.class.getClassLoader(),
            "dev.custody.ui.templates");
    private volatile VulnMatcher matcher;
    private volatile Assessment.Report report;
    private volatile String reportError;
    private java.util.concurrent.ScheduledExecutorService assessing;
    /** How often the assessment is recomputed in the background: the page never waits for it. */
    static final long ASSESS_EVERY_MILLIS = 30_000;

    /** @param assessor computes the platform's assessment (null: the page says where to run {@code custody assess}) */
    public WebUi(ApiTokens tokens, Store store, IncidentTracker tracker, Supplier<Assessment.Report> assessor) {
        this.tokens = tokens;
        this.store = store;
        this.evidence = new Evidence(store);
        this.tracker = tracker;
        this.assessor = assessor;
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
    private static final class Refusal extends Exception {
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
                return Answer.page(200, render("inventory.jte", inventory(s, q)));
            }
            case "artifacts" -> {
                if (parts.size() != 2 || !DIGEST.matcher(parts.get(1)).matches()) {
                    throw new Refusal(404, "an artifact page is /ui/artifacts/sha256:<64 hex>");
                }
                return Answer.page(200, render("artifact.jte", artifact(s, parts.get(1), q.getValue("component"))));
            }
            case "decisions" -> {
                return Answer.page(200, render("decisions.jte", decisions(s, q)));
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
                return search(s, q.getValue("q"));
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

    // ---------------------------------------------------------------- inventory

    private Views.Inventory inventory(Sessions.Session s, Fields q) throws Refusal {
        RuntimeInventory inv = new RuntimeInventory(store);
        String cluster = blank(q.getValue("cluster"));
        String namespace = blank(q.getValue("namespace"));
        String team = blank(q.getValue("team"));
        String registry = blank(q.getValue("registry"));
        String signed = blank(q.getValue("signed"));
        String sbom = blank(q.getValue("sbom"));
        boolean drift = "yes".equals(q.getValue("drift"));
        RuntimeInventory.Cursor after = cursor(q, "after");
        RuntimeInventory.Cursor before = after == null ? cursor(q, "before") : null;
        Map<String, Map<String, Map<String, String>>> labels = inv.namespaceLabels();
        Set<String> teams = new TreeSet<>();
        List<String[]> teamNamespaces = team == null ? null : new ArrayList<>();
        labels.forEach((c, byName) -> byName.forEach((ns, l) -> {
            String t = IncidentTracker.team(l);
            if (t != null) {
                teams.add(t);
                if (team != null && t.equals(team)) {
                    teamNamespaces.add(new String[] {c, ns});
                }
            }
        }));
        RuntimeInventory.Page p = inv.page(new RuntimeInventory.Filter(cluster, namespace, teamNamespaces, registry, yesNo("signed", signed),
                yesNo("sbom", sbom), drift), after, before, PAGE_ROWS);
        List<Views.InventoryRow> rows = new ArrayList<>();
        for (RuntimeInventory.Listed l : p.rows()) {
            RuntimeInventory.Row r = l.row();
            String t = IncidentTracker.team(labels.getOrDefault(r.cluster(), Map.of()).getOrDefault(r.namespace(), Map.of()));
            rows.add(new Views.InventoryRow(r.cluster(), r.namespace(), t, r.workload().kind() + "/" + r.workload().name(), r.pod(), r.container(),
                    r.image(), r.digest(), l.signed(), l.sbom(), r.digest() != null && r.declaredDigest() != null && !r.digest().equals(r.declaredDigest()),
                    r.running()));
        }
        String base = "/ui/inventory?" + query("cluster", cluster, "namespace", namespace, "team", team, "registry", registry, "signed", signed,
                "sbom", sbom, "drift", drift ? "yes" : null);
        List<String> clusters = new ArrayList<>(new TreeSet<>(labels.keySet()));
        List<RuntimeInventory.Listed> listed = p.rows();
        String prev = p.earlier() && !listed.isEmpty() ? base + "&before=" + cursor(RuntimeInventory.Cursor.of(listed.getFirst().row())) : null;
        String next = p.more() && !listed.isEmpty() ? base + "&after=" + cursor(RuntimeInventory.Cursor.of(listed.getLast().row())) : null;
        return new Views.Inventory(frame(s, "Inventory", "inventory"), cluster, namespace, team, registry, signed, sbom, drift, rows, p.total(),
                clusters, List.copyOf(teams), prev, next);
    }

    /** A page cursor in a link: the pod's sort key, URL-safe. */
    static String cursor(RuntimeInventory.Cursor c) {
        String joined = String.join("\n", c.cluster(), c.namespace(), c.pod(), c.podUid());
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(joined.getBytes(StandardCharsets.UTF_8));
    }

    private static RuntimeInventory.Cursor cursor(Fields q, String name) throws Refusal {
        String v = blank(q.getValue(name));
        if (v == null) {
            return null;
        }
        String[] f;
        try {
            f = new String(java.util.Base64.getUrlDecoder().decode(v), StandardCharsets.UTF_8).split("\n", -1);
        } catch (IllegalArgumentException e) {
            f = new String[0];
        }
        if (f.length != 4 || v.length() > 2048) {
            throw new Refusal(400, name + ": not a page cursor of this listing (follow the page's own links)");
        }
        return new RuntimeInventory.Cursor(f[0], f[1], f[2], f[3]);
    }

    private static Boolean yesNo(String field, String v) throws Refusal {
        if (v == null) {
            return null;
        }
        return switch (v) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw new Refusal(400, field + ": yes or no, found \"" + v + "\"");
        };
    }

    // ---------------------------------------------------------------- artifact

    private Views.Artifact artifact(Sessions.Session s, String digest, String componentQuery) throws Refusal {
        Evidence.Artifact a = evidence.artifact(digest, 50);
        if (a == null) {
            if (new RuntimeInventory(store).byDigest(digest, false).isEmpty()) {
                throw new Refusal(404, "the store knows nothing about " + digest);
            }
            // it runs, but nothing admitted, ingested or verified names it: the page says what is missing
            a = new Evidence.Artifact(digest, null, null, null, null, null, null, List.of(), List.of(), List.of(), List.of(), List.of());
        }
        JsonNode view = JSON.valueToTree(InventoryViews.artifact(store, a, new RuntimeInventory(store).runningWithAdmission(digest)));
        List<Views.Vuln> vulns = new ArrayList<>();
        String note = null;
        long now = System.currentTimeMillis();
        List<JsonNode> exceptions = new ArrayList<>();
        for (Exceptions.VulnException e : new Exceptions(store).list(10_000)) {
            if (!e.breakGlass() && (digest.equals(e.digest()) || "*".equals(e.digest()))) {
                exceptions.add(JSON.valueToTree(ExceptionViews.view(e, now, null)));
            }
        }
        if (new SbomStore(store).linked(digest) || new dev.custody.store.ScanFindings(store).exists(digest)) {
            VulnMatcher.Result r = matcher().matchDigest(store, digest);
            for (VulnMatcher.Finding f : r.findings()) {
                var gf = new dev.custody.vuln.gate.GateFinding(f.purl(), f.id(), f.aliases(), f.severity(), f.fixed(), f.knownExploited(), f.status(), 0);
                var cat = dev.custody.vuln.gate.GateMatrix.Category.of(gf);
                var m = dev.custody.vuln.gate.GateMatrix.DEFAULT;
                String exception = exceptions.stream().filter(e -> e.path("state").asText().equals("active")
                                && (e.path("scope").path("vulnerability").asText().equals(f.id()) || f.aliases().contains(e.path("scope").path("vulnerability").asText())))
                        .map(e -> e.path("id").asText()).findFirst().orElse(null);
                vulns.add(new Views.Vuln(f.id(), String.join(", ", f.aliases()), f.severity(), f.purl(), String.join(", ", f.fixed()), f.status(), exception,
                        m.action(cat, dev.custody.policy.Tier.DEV).text(), m.action(cat, dev.custody.policy.Tier.STAGING).text(),
                        m.action(cat, dev.custody.policy.Tier.PRODUCTION).text()));
            }
            note = r.findings().size() + " findings in " + r.components() + " components (" + r.unmatched().size() + " not matchable)";
        } else {
            note = "no SBOM and no scanner report is stored for this digest: it is unscanned";
        }
        List<Evidence.ComponentRow> all = evidence.componentsOf(digest);
        String cq = blank(componentQuery);
        List<Views.Component> shown = new ArrayList<>();
        for (Evidence.ComponentRow c : all) {
            if (cq == null || contains(c.name(), cq) || contains(c.purl(), cq)) {
                if (shown.size() < 50) {
                    shown.add(new Views.Component(c.name(), c.version(), c.type(), c.purl(), c.licenses() == null ? "" : String.join(", ", c.licenses())));
                }
            }
        }
        return new Views.Artifact(frame(s, "Artifact " + digest.substring(0, 19), "search"), view, vulns, note, exceptions, all.size(), shown, cq);
    }

    private VulnMatcher matcher() {
        VulnMatcher m = matcher;
        if (m == null) {
            matcher = m = new VulnMatcher(store);
        }
        return m;
    }

    private static boolean contains(String hay, String needle) {
        return hay != null && hay.toLowerCase(Locale.ROOT).contains(needle.toLowerCase(Locale.ROOT));
    }

    // ---------------------------------------------------------------- decisions

    private Views.Decisions decisions(Sessions.Session s, Fields q) throws Refusal {
        String since = q.getValue("since") == null ? "24h" : q.getValue("since").strip();
        Long from;
        try {
            from = since.isEmpty() || since.equals("all") ? null : since.matches("\\d+[smhdw]") ? System.currentTimeMillis() - Times.age(since).toMillis()
                    : Instant.parse(since).toEpochMilli();
        } catch (RuntimeException e) {
            throw new Refusal(400, "since: a length such as 24h or 7d, an instant such as 2026-12-01T00:00:00Z, or all; found \"" + since + "\"");
        }
        String namespace = blank(q.getValue("namespace"));
        String verdict = blank(q.getValue("verdict"));
        if (verdict != null && !List.of("allowed", "warned", "denied").contains(verdict)) {
            throw new Refusal(400, "verdict: allowed, warned or denied, found \"" + verdict + "\"");
        }
        String rule = blank(q.getValue("rule"));
        int limit = Math.min(500, Math.max(1, intParam(q, "limit", 50)));
        List<Evidence.Chained> chained = evidence.decisionsChained(new Evidence.DecisionQuery(from, null, namespace, verdict, rule, limit));
        List<Views.Decision> rows = new ArrayList<>();
        int intact = 0;
        int broken = 0;
        for (int i = 0; i < chained.size(); i++) {
            Evidence.Chained c = chained.get(i);
            boolean ok = c.intact();
            if (ok) {
                intact++;
            } else {
                broken++;
            }
            // the list is newest first: the record after this one in the chain is the previous row, when adjacent
            String chain = i > 0 && chained.get(i - 1).seq() == c.seq() + 1
                    ? (chained.get(i - 1).prevHash().equals(c.hash()) ? "linked to #" + (c.seq() + 1) : "NOT linked to #" + (c.seq() + 1)) : "";
            JsonNode b;
            try {
                b = JSON.readTree(c.body());
            } catch (IOException e) {
                b = JSON.createObjectNode();
                ok = false;
            }
            List<String[]> images = new ArrayList<>();
            b.path("images").forEach(im -> images.add(new String[] {im.path("image").asText(""), im.path("digest").asText(null)}));
            List<Views.RuleLine> rules = new ArrayList<>();
            b.path("rules").forEach(r -> rules.add(new Views.RuleLine(r.path("policy").asText(""), r.path("rule").asText(""),
                    r.path("outcome").asText(""), r.path("action").asText(""), r.path("reason").asText(""), r.path("path").asText(""),
                    r.path("message").asText(""))));
            rows.add(new Views.Decision(c.seq(), Instant.ofEpochMilli(c.recordedAt()).toString(), b.path("verdict").asText(""), b.path("source").asText(""),
                    b.path("operation").asText(""), b.path("namespace").asText(""), b.path("kind").asText(""), b.path("name").asText(""),
                    b.path("username").asText(""), b.path("policyVersion").asText(""), images, rules, ok, chain));
        }
        return new Views.Decisions(frame(s, "Decisions", "decisions"), since, namespace, verdict, rule, limit, rows, intact, broken);
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
                    if (!digest.equals("*") && !DIGEST.matcher(digest).matches()) {
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

    // ---------------------------------------------------------------- search

    private Answer search(Sessions.Session s, String raw) throws Refusal {
        String q = raw == null ? "" : raw.strip();
        Views.Frame f = frame(s, "Search", "search", q);
        if (q.isEmpty()) {
            return Answer.page(200, render("search.jte", new Views.Search(f, q, null, List.of(),
                    "a digest, an image reference, a package URL, a package name, a vulnerability id or a commit")));
        }
        if (q.length() > 2048) {
            throw new Refusal(400, "the search is longer than 2048 characters");
        }
        List<Views.Hit> hits = new ArrayList<>();
        String kind = kindOf(q);
        if (kind.equals("digest")) {
            return Answer.redirect("/ui/artifacts/" + q);
        } else if (kind.equals("package URL")) {
            PackageUrl purl;
            try {
                purl = PackageUrl.parse(q);
            } catch (PackageUrl.MalformedException e) {
                return Answer.page(400, render("search.jte", new Views.Search(f, q, kind, List.of(), "not a package URL: " + e.getMessage())));
            }
            components(evidence.componentsByPurl(purl), hits);
        } else if (kind.equals("vulnerability")) {
            VulnerableDigests.Reach reach = VulnerableDigests.of(store, q.toUpperCase(Locale.ROOT).startsWith("GHSA") ? "GHSA" + q.substring(4) : q);
            for (String d : reach.digests()) {
                hits.add(new Views.Hit(d, "/ui/artifacts/" + d, "carries a package " + String.join(", ", reach.records()) + " affects"));
            }
            if (!reach.known()) {
                components(evidence.componentsByName(q, null), hits);
                return Answer.page(200, render("search.jte", new Views.Search(f, q, kind, hits, "the advisory database holds no record " + q
                        + (hits.isEmpty() ? "" : "; these digests carry a package of that name"))));
            }
        } else if (kind.equals("commit")) {
            for (Evidence.BuiltFrom b : evidence.builtFromCommit(q, 200)) {
                hits.add(new Views.Hit(b.digest(), "/ui/artifacts/" + b.digest(), "built from " + b.provenance().sourceRepository() + " @ "
                        + b.provenance().sourceCommit() + " by " + b.provenance().builderId()));
            }
        } else if (kind.equals("image reference")) {
            int at = q.indexOf("@sha256:");
            if (at > 0 && DIGEST.matcher(q.substring(at + 1)).matches()) {
                return Answer.redirect("/ui/artifacts/" + q.substring(at + 1));
            }
            Set<String> digests = new TreeSet<>(new RuntimeInventory(store).digestsOfImage(q));
            for (String d : evidence.taggedAs(q)) {
                digests.add(d);
            }
            for (String d : digests) {
                hits.add(new Views.Hit(d, "/ui/artifacts/" + d, "runs or was tagged as " + q));
            }
        } else {
            components(evidence.componentsByName(q, null), hits);
        }
        return Answer.page(200, render("search.jte", new Views.Search(f, q, kind, hits, hits.isEmpty() ? "nothing found" : hits.size() + " found")));
    }

    /** What the one search box reads a query as. */
    static String kindOf(String q) {
        if (DIGEST.matcher(q).matches()) {
            return "digest";
        }
        if (q.startsWith("pkg:")) {
            return "package URL";
        }
        if (COMMIT.matcher(q).matches()) {
            return "commit";
        }
        if (VULN_ID.matcher(q).matches()) {
            return "vulnerability";
        }
        if (q.contains("/") || q.contains(":") || q.contains("@")) {
            return "image reference";
        }
        return "package name";
    }

    private static void components(List<Evidence.ComponentHit> found, List<Views.Hit> hits) {
        for (Evidence.ComponentHit h : found) {
            for (String d : h.digests()) {
                if (hits.size() < 500) {
                    hits.add(new Views.Hit(d, "/ui/artifacts/" + d, "contains " + h.component().purl()));
                }
            }
        }
    }

    // ---------------------------------------------------------------- plumbing

    Views.Frame frame(Sessions.Session s, String title, String active) {
        return frame(s, title, active, "");
    }

    Views.Frame frame(Sessions.Session s, String title, String active, String query) {
        if (s == null) {
            return new Views.Frame(title, active, null, null, false, null, query);
        }
        return new Views.Frame(title, active, s.caller().name(), s.caller().role().name().toLowerCase(Locale.ROOT),
                s.caller().role().allows(ApiTokens.Role.OPERATOR), s.csrf(), query);
    }

    private byte[] render(String template, Object model) {
        Utf8ByteOutput out = new Utf8ByteOutput();
        templates.render(template, model, out);
        byte[] b = new byte[out.getContentLength()];
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(b.length);
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

    private static String query(String... kv) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] != null) {
                b.append(b.isEmpty() ? "" : "&").append(kv[i]).append('=').append(enc(kv[i + 1]));
            }
        }
        return b.toString();
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static int intParam(Fields q, String name, int dflt) throws Refusal {
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

    /** How many sessions are open (for tests and metrics). */
    public int sessions() {
        return sessions.size();
    }
}
