package dev.custody.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.custody.evidence.InventoryViews;
import dev.custody.evidence.Times;
import dev.custody.policy.InvalidPolicyException;
import dev.custody.policy.PolicyError;
import dev.custody.policy.PolicyParser;
import dev.custody.policy.PolicySet;
import dev.custody.sbom.PackageUrl;
import dev.custody.sbom.Quality;
import dev.custody.sbom.Sbom;
import dev.custody.sbom.SbomException;
import dev.custody.sbom.SbomReader;
import dev.custody.logfmt.Log;
import dev.custody.server.TlsMaterial;
import dev.custody.store.Audit;
import dev.custody.store.Denylist;
import dev.custody.store.Evidence;
import dev.custody.store.RuntimeInventory;
import dev.custody.store.SbomStore;
import dev.custody.store.Store;
import dev.custody.store.StoreException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The evidence API (JSON over HTTPS, documented in docs/api/openapi.yaml): ingest SBOMs, read what is known about a
 * digest, find packages, query decisions and unevidenced admissions, verify the decision log. Every call needs a
 * bearer token whose role allows it. It listens on its own port: the webhook endpoint stays separate.
 */
public final class ApiServer implements AutoCloseable {

    static final long MAX_SBOM_BYTES = 64L << 20;
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    /** An error answer. */
    private static final class ApiError extends Exception {
        final int status;

        ApiError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final String host;
    private final int port;
    private final TlsMaterial tls;
    private final ApiTokens tokens;
    private final Store store;
    private final Evidence evidence;
    private final SbomStore sboms;
    private final dev.custody.evidence.IncidentTracker tracker;
    private dev.custody.ui.WebUi ui;
    private Server server;
    private ServerConnector connector;

    public ApiServer(String host, int port, TlsMaterial tls, ApiTokens tokens, Store store) {
        this.host = host;
        this.port = port;
        this.tls = tls;
        this.tokens = tokens;
        this.store = store;
        this.evidence = new Evidence(store);
        this.sboms = new SbomStore(store);
        this.tracker = new dev.custody.evidence.IncidentTracker(store);
    }

    /**
     * Serves the web UI under {@code /ui/} on this port too, with the same tokens. The assessor computes the assessment
     * page (null: the page says how to get one).
     */
    public ApiServer withWebUi(java.util.function.Supplier<dev.custody.assess.Assessment.Report> assessor) {
        this.ui = new dev.custody.ui.WebUi(tokens, store, tracker, assessor).start();
        return this;
    }

    public void start() throws IOException {
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("custody-api");
        server = new Server(threads);
        try {
            connector = tls.connector(server, host, port);
        } catch (Exception e) {
            throw new IOException("evidence API TLS: " + e.getMessage(), e);
        }
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                serve(request, response, callback);
                return true;
            }
        });
        try {
            server.start();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("evidence API did not start: " + e.getMessage(), e);
        }
    }

    public int port() {
        return connector.getLocalPort();
    }

    private void serve(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (ui != null && dev.custody.ui.WebUi.owns(path)) {
            ui.handle(request, response, callback);
            return;
        }
        int status = 200;
        Object body;
        try {
            if (path.equals("/api/v1/healthz")) {
                body = Map.of("status", "ok");
            } else if (path.equals("/api/v1/openapi.yaml") && request.getMethod().equals("GET")) {
                // the API's own description, without a token: it holds no evidence, and clients are generated from it
                byte[] doc = openApiDocument();
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/yaml");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, doc.length);
                response.write(true, ByteBuffer.wrap(doc), callback);
                return;
            } else {
                ApiTokens.Caller caller = tokens.authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION))
                        .orElseThrow(() -> new ApiError(401, "a bearer token is required (Authorization: Bearer <token>)"));
                Result r = route(request, path, caller);
                status = r.status();
                body = r.body();
            }
        } catch (ApiError e) {
            status = e.status;
            body = Map.of("error", e.getMessage());
        } catch (IllegalArgumentException e) {
            status = 400;
            body = Map.of("error", e.getMessage());
        } catch (StoreException e) {
            Log.error("evidence API store error", "path", path, "error", e.getMessage());
            status = 503;
            body = Map.of("error", "store error: " + e.getMessage());
        } catch (RuntimeException | IOException e) {
            Log.error("evidence API failed", "path", path, "error", e.toString());
            status = 500;
            body = Map.of("error", "internal error: " + e);
        }
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            callback.failed(e);
            return;
        }
        if (status >= 400 && request.getLength() != 0) {
            drain(request, response); // let the client finish sending before it reads the refusal
        }
        response.setStatus(status);
        if (status == 401) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"custody\"");
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    private record Result(int status, Object body) {}

    private static volatile byte[] openApi;

    /** docs/api/openapi.yaml, which the build packs beside this class. */
    static byte[] openApiDocument() throws IOException {
        byte[] doc = openApi;
        if (doc == null) {
            try (InputStream in = ApiServer.class.getResourceAsStream("openapi.yaml")) {
                if (in == null) {
                    throw new IOException("openapi.yaml is missing from the build (server/pom.xml packs docs/api/openapi.yaml)");
                }
                openApi = doc = in.readAllBytes();
            }
        }
        return doc;
    }

    /** Reads and drops up to 1 MiB of an unread request body, and closes the connection after the answer. */
    private static void drain(Request request, Response response) {
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        try (InputStream in = Request.asInputStream(request)) {
            in.skipNBytes(Math.min(1 << 20, Math.max(0, request.getLength())));
        } catch (IOException | RuntimeException ignored) {
            // the body was already read, or the client went away
        }
    }

    private Result route(Request request, String path, ApiTokens.Caller caller) throws ApiError, IOException {
        String method = request.getMethod();
        Fields q = Request.extractQueryParameters(request);
        List<String> parts = List.of(path.replaceAll("^/+|/+$", "").split("/"));
        if (parts.size() < 3 || !parts.get(0).equals("api") || !parts.get(1).equals("v1")) {
            throw new ApiError(404, "no such endpoint: " + path + " (see docs/api/openapi.yaml)");
        }
        String resource = parts.get(2);
        switch (resource) {
            case "sboms" -> {
                need(caller, ApiTokens.Role.OPERATOR, method, "POST");
                return new Result(201, ingest(request, q, caller));
            }
            case "artifacts" -> {
                need(caller, ApiTokens.Role.VIEWER, method, "GET");
                if (parts.size() < 4) {
                    throw new ApiError(404, "give a digest: /api/v1/artifacts/sha256:<hex>");
                }
                String digest = digest(parts.get(3));
                if (parts.size() == 5 && parts.get(4).equals("components")) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("digest", digest);
                    o.put("components", evidence.componentsOf(digest));
                    return new Result(200, o);
                }
                if (parts.size() != 4) {
                    throw new ApiError(404, "no such endpoint: " + path);
                }
                Evidence.Artifact a = evidence.artifact(digest, intParam(q, "decisions", 20, 1000));
                if (a == null) {
                    throw new ApiError(404, "the store knows nothing about " + digest);
                }
                return new Result(200, InventoryViews.artifact(store, a, new RuntimeInventory(store).runningWithAdmission(digest)));
            }
            case "components" -> {
                need(caller, ApiTokens.Role.VIEWER, method, "GET");
                String purl = q.getValue("purl");
                String name = q.getValue("name");
                if ((purl == null) == (name == null)) {
                    throw new ApiError(400, "give purl, or name (and optionally version)");
                }
                PackageUrl parsed;
                try {
                    parsed = purl == null ? null : PackageUrl.parse(purl);
                } catch (PackageUrl.MalformedException e) {
                    throw new ApiError(400, "purl: " + e.getMessage());
                }
                return new Result(200, Map.of("components", parsed != null ? evidence.componentsByPurl(parsed)
                        : evidence.componentsByName(name, q.getValue("version"))));
            }
            case "decisions" -> {
                need(caller, ApiTokens.Role.VIEWER, method, "GET");
                return new Result(200, Map.of("decisions", evidence.decisions(new Evidence.DecisionQuery(time(q, "since"), time(q, "until"),
                        q.getValue("namespace"), q.getValue("verdict"), q.getValue("rule"), intParam(q, "limit", 100, 10_000)))));
            }
            case "reports" -> {
                need(caller, ApiTokens.Role.VIEWER, method, "GET");
                if (parts.size() != 5 || !parts.get(3).equals("admitted-without")) {
                    throw new ApiError(404, "reports: /api/v1/reports/admitted-without/{signature|sbom}");
                }
                Long since = time(q, "since");
                Long until = time(q, "until");
                long from = since != null ? since : System.currentTimeMillis() - 86_400_000L;
                long to = until != null ? until : System.currentTimeMillis() + 1;
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("evidence", parts.get(4));
                o.put("since", Instant.ofEpochMilli(from).toString());
                o.put("until", Instant.ofEpochMilli(to).toString());
                o.put("images", evidence.admittedWithout(parts.get(4), from, to));
                return new Result(200, o);
            }
            case "denylist" -> {
                return denylist(request, method, parts, caller);
            }
            case "exceptions" -> {
                return exceptions(request, method, parts, q, caller);
            }
            case "incidents" -> {
                return incidents(request, method, parts, q, caller);
            }
            case "inventory" -> {
                need(caller, ApiTokens.Role.VIEWER, method, "GET");
                return new Result(200, inventory(parts, q, path));
            }
            case "audit" -> {
                if (parts.size() == 4 && parts.get(3).equals("verify")) {
                    need(caller, ApiTokens.Role.ADMIN, method, "GET");
                    Audit.Verification v = new Audit(store).verify(q.getValue("expectHead"));
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("intact", v.ok());
                    o.put("records", v.records());
                    o.put("firstSeq", v.firstSeq());
                    o.put("lastSeq", v.lastSeq());
                    o.put("head", v.head());
                    o.put("problems", v.problems());
                    return new Result(200, o);
                }
                if (parts.size() == 4 && parts.get(3).equals("prune")) {
                    need(caller, ApiTokens.Role.ADMIN, method, "POST");
                    String age = q.getValue("olderThan");
                    if (age == null) {
                        throw new ApiError(400, "olderThan is required, e.g. ?olderThan=90d");
                    }
                    Audit.Pruned p = new Audit(store).prune(System.currentTimeMillis() - Times.age(age).toMillis(), 1000);
                    return new Result(200, Map.of("removed", p.records(), "anchorSeq", p.anchorSeq()));
                }
                throw new ApiError(404, "audit: /api/v1/audit/verify or /api/v1/audit/prune");
            }
            default -> throw new ApiError(404, "no such endpoint: " + path + " (see docs/api/openapi.yaml)");
        }
    }

    /** The runtime inventory's questions, answered in the shape {@code custody query ... -o json} prints. */
    private Object inventory(List<String> parts, Fields q, String path) throws ApiError {
        RuntimeInventory inv = new RuntimeInventory(store);
        String what = parts.size() > 3 ? parts.get(3) : "";
        if (parts.size() != (what.equals("running-without") ? 5 : 4)) {
            throw new ApiError(404, "no such endpoint: " + path + " (see docs/api/openapi.yaml)");
        }
        Map<String, Object> o = new LinkedHashMap<>();
        switch (what) {
            case "pods" -> {
                String d = q.getValue("digest");
                String purl = q.getValue("purl");
                if ((d == null) == (purl == null)) {
                    throw new ApiError(400, "give digest or purl: /api/v1/inventory/pods?digest=sha256:<hex> or ?purl=pkg:...");
                }
                if (purl != null) {
                    try {
                        o.put("purl", purl);
                        o.put("pods", InventoryViews.carrying(inv.runningWithPackage(PackageUrl.parse(purl))));
                    } catch (PackageUrl.MalformedException e) {
                        throw new ApiError(400, "purl: " + e.getMessage());
                    }
                    return o;
                }
                boolean history = bool(q, "history");
                o.put("digest", digest(d));
                o.put("history", history);
                o.put("pods", InventoryViews.rows(inv.byDigest(d, history)));
            }
            case "drift" -> {
                o.put("resolved", false);
                o.put("drift", InventoryViews.digestDrift(inv));
            }
            case "clusters" -> {
                return InventoryViews.clusters(inv);
            }
            case "built-from" -> {
                String commit = q.getValue("commit");
                String repo = q.getValue("sourceRepository");
                if (commit == null && repo == null) {
                    throw new ApiError(400, "give commit, sourceRepository, or both");
                }
                if (commit != null && !commit.matches("[0-9a-fA-F]{7,64}")) {
                    throw new ApiError(400, "commit must be 7 to 64 hex digits, found \"" + commit + "\"");
                }
                o.put("commit", commit);
                o.put("sourceRepository", repo);
                o.put("pods", InventoryViews.built(inv.builtFrom(repo == null ? null : InventoryViews.spellingsOf(inv, repo), commit)));
            }
            case "running-without" -> {
                RuntimeInventory.EvidenceKind kind;
                try {
                    kind = RuntimeInventory.EvidenceKind.valueOf(parts.get(4).toUpperCase(java.util.Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new ApiError(404, "running-without: /api/v1/inventory/running-without/{sbom|signature|provenance}");
                }
                o.put("evidence", parts.get(4));
                o.put("pods", InventoryViews.rows(inv.runningWithout(kind)));
            }
            case "never-admitted" -> o.put("pods", InventoryViews.rows(inv.neverAdmitted()));
            case "older-policy" -> {
                String current = q.getValue("policyVersion") != null ? q.getValue("policyVersion") : inv.newestAdmissionPolicyVersion();
                o.put("policyVersion", current);
                o.put("pods", current == null ? List.of() : InventoryViews.admitted(inv.admittedUnderOtherPolicy(current)));
            }
            case "registries" -> {
                List<String> allow = q.getValues("allow");
                if (allow == null || allow.isEmpty()) {
                    throw new ApiError(400, "give the allowlist: /api/v1/inventory/registries?allow=ghcr.io/acme&allow=...");
                }
                PolicySet set;
                try {
                    set = InventoryViews.allowlist(new PolicyParser(), allow);
                } catch (InvalidPolicyException e) {
                    throw new ApiError(400, "allow: " + e.errors().stream().map(PolicyError::describe).collect(Collectors.joining("; ")));
                }
                return InventoryViews.outsideAllowlist(set, inv.presentPods());
            }
            case "reports" -> {
                String verdict = q.getValue("verdict");
                if (verdict != null && !List.of("pass", "warn", "fail", "error").contains(verdict)) {
                    throw new ApiError(400, "verdict must be pass, warn, fail or error, found \"" + verdict + "\"");
                }
                return InventoryViews.reports(new dev.custody.store.WorkloadReports(store).list(q.getValue("cluster"), q.getValue("namespace"), verdict));
            }
            default -> throw new ApiError(404, "no such endpoint: " + path + " (see docs/api/openapi.yaml)");
        }
        return o;
    }

    private static boolean bool(Fields q, String name) throws ApiError {
        String v = q.getValue(name);
        if (v == null || v.equals("false")) {
            return false;
        }
        if (v.equals("true")) {
            return true;
        }
        throw new ApiError(400, name + " must be true or false, found \"" + v + "\"");
    }

    /**
     * Incidents. GET lists them ({@code ?state=open|closed|all}) or shows one with its blast radius, burn-down and
     * timeline (viewer); POST opens one, blocks it, records an action or closes it (operator).
     */
    private Result incidents(Request request, String method, List<String> parts, Fields q, ApiTokens.Caller caller) throws ApiError, IOException {
        var t = tracker;
        long now = System.currentTimeMillis();
        try {
            if (method.equals("GET")) {
                need(caller, ApiTokens.Role.VIEWER, method, "GET");
                if (parts.size() == 3) {
                    String state = q.getValue("state") == null ? "open" : q.getValue("state");
                    if (!List.of("open", "closed", "all").contains(state)) {
                        throw new ApiError(400, "state: open, closed or all, found \"" + state + "\"");
                    }
                    return new Result(200, Map.of("incidents", t.incidents().list(state.equals("all") ? null : state)));
                }
                if (parts.size() == 4) {
                    return new Result(200, t.view(incident(t, parts.get(3))));
                }
                throw new ApiError(404, "no such endpoint: /api/v1/incidents/" + String.join("/", parts.subList(3, parts.size())));
            }
            need(caller, ApiTokens.Role.OPERATOR, method, "POST");
            JsonNode body = jsonBody(request, "an incident request");
            if (parts.size() == 3) {
                dev.custody.store.Incidents.TargetKind kind;
                try {
                    kind = dev.custody.store.Incidents.TargetKind.valueOf(body.path("targetKind").asText("").toUpperCase(java.util.Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new ApiError(400, "targetKind: expected digest, package or vulnerability, found \"" + body.path("targetKind").asText("") + "\"");
                }
                List<String> packages = new java.util.ArrayList<>();
                body.path("packages").forEach(p -> packages.add(p.asText()));
                if (body.path("block").asBoolean(false)) {
                    t.blockable(kind, body.path("target").asText(""), packages); // refused before anything is written
                }
                var i = t.open(kind, body.path("target").asText(""), packages, body.path("title").asText(""), body.path("severity").asText("high"),
                        body.hasNonNull("owner") ? body.get("owner").asText() : null, caller.name(), now);
                if (body.path("block").asBoolean(false)) {
                    t.block(i, body.hasNonNull("reason") ? body.get("reason").asText() : null, caller.name(), System.currentTimeMillis());
                }
                return new Result(201, t.view(t.incidents().get(i.id())));
            }
            if (parts.size() != 5) {
                throw new ApiError(404, "POST /api/v1/incidents, or /api/v1/incidents/{id}/block, /actions or /close");
            }
            var i = incident(t, parts.get(3));
            switch (parts.get(4)) {
                case "block" -> {
                    var added = t.block(i, body.hasNonNull("reason") ? body.get("reason").asText() : null, caller.name(), now);
                    return new Result(201, Map.of("incident", i.id(), "entries", added));
                }
                case "actions" -> {
                    var a = t.action(i, body.hasNonNull("cluster") ? body.get("cluster").asText() : null, body.path("namespace").asText(""),
                            body.path("kind").asText(""), body.path("name").asText(""), body.path("action").asText(""));
                    t.recordAction(i, a, body.hasNonNull("note") ? body.get("note").asText() : null, false, caller.name(), now);
                    Map<String, Object> out = new java.util.LinkedHashMap<>();
                    out.put("incident", i.id());
                    out.put("action", a.action());
                    out.put("pods", a.pods());
                    out.put("networkPolicy", a.networkPolicy());
                    return new Result(201, out);
                }
                case "close" -> {
                    String accept = body.hasNonNull("acceptRisk") ? body.get("acceptRisk").asText() : null;
                    if (!t.closeByHand(i, accept, caller.name(), now)) {
                        throw new ApiError(409, "incident " + i.id() + " is closed already");
                    }
                    return new Result(200, t.view(t.incidents().get(i.id())));
                }
                default -> throw new ApiError(404, "POST /api/v1/incidents/{id}/block, /actions or /close");
            }
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, e.getMessage());
        }
    }

    /**
     * Vulnerability exceptions. GET lists them ({@code ?state=}, {@code ?expiring=7d}) or shows one with its history (viewer);
     * POST requests one, and {@code /{id}/approve} or {@code /{id}/revoke} moves it on (operator). The identity is the
     * token's name: the token that requested an exception cannot approve it.
     */
    private Result exceptions(Request request, String method, List<String> parts, Fields q, ApiTokens.Caller caller) throws ApiError, IOException {
        var ex = new dev.custody.store.Exceptions(store);
        long now = System.currentTimeMillis();
        try {
            if (method.equals("GET")) {
                need(caller, ApiTokens.Role.VIEWER, method, "GET");
                if (parts.size() == 3) {
                    String state = q.getValue("state");
                    if (state != null && !List.of("requested", "active", "expired", "revoked").contains(state)) {
                        throw new ApiError(400, "state: requested, active, expired or revoked, found \"" + state + "\"");
                    }
                    long within = q.getValue("expiring") == null ? -1 : Times.age(q.getValue("expiring")).toMillis();
                    List<Object> out = new java.util.ArrayList<>();
                    for (var e : ex.list(10_000)) {
                        if ((state == null || e.state(now).equals(state)) && (within < 0 || dev.custody.vulns.ExceptionViews.expiringWithin(e, now, within))) {
                            out.add(dev.custody.vulns.ExceptionViews.view(e, now, null));
                        }
                    }
                    return new Result(200, Map.of("exceptions", out));
                }
                if (parts.size() == 4) {
                    var e = ex.find(parts.get(3)).orElseThrow(() -> new ApiError(404, "no exception " + parts.get(3)));
                    return new Result(200, dev.custody.vulns.ExceptionViews.view(e, now, ex.history(e.id())));
                }
                throw new ApiError(404, "no such endpoint: /api/v1/exceptions/" + String.join("/", parts.subList(3, parts.size())));
            }
            need(caller, ApiTokens.Role.OPERATOR, method, "POST");
            JsonNode body = jsonBody(request, "an exception request");
            if (parts.size() == 3) {
                String expires = body.path("expires").asText("");
                if (expires.isBlank()) {
                    throw new ApiError(400, "expires: required (an instant, a date, or a length from now such as 30d)");
                }
                long until = Times.until(expires, java.time.Instant.ofEpochMilli(now));
                String digest = body.path("digest").asText("");
                String glass = text(body, "breakGlass");
                if (glass == null && !digest.equals("*") && !dev.custody.store.SbomStore.DIGEST.matcher(digest).matches()) {
                    throw new ApiError(400, "digest: sha256:<64 lower-case hex> or *, found \"" + digest + "\"");
                }
                var e = glass != null ? ex.request(dev.custody.store.Exceptions.Request.breakGlass(glass, text(body, "namespace"),
                        body.path("owner").asText(""), body.path("reason").asText(""), text(body, "ticket"), until), caller.name(), now)
                        : ex.request(new dev.custody.store.Exceptions.Request(digest, text(body, "namespace"), text(body, "rule"),
                        body.path("vulnerability").asText(""), body.path("owner").asText(""), body.path("reason").asText(""), text(body, "ticket"), until),
                        caller.name(), now);
                return new Result(201, dev.custody.vulns.ExceptionViews.view(e, now, ex.history(e.id())));
            }
            if (parts.size() != 5) {
                throw new ApiError(404, "POST /api/v1/exceptions, or /api/v1/exceptions/{id}/approve or /revoke");
            }
            var e = switch (parts.get(4)) {
                case "approve" -> ex.approve(parts.get(3), caller.name(), text(body, "note"), now);
                case "revoke" -> ex.revoke(parts.get(3), caller.name(), body.path("reason").asText(""), now);
                default -> throw new ApiError(404, "POST /api/v1/exceptions/{id}/approve or /revoke");
            };
            return new Result(200, dev.custody.vulns.ExceptionViews.view(e, now, ex.history(e.id())));
        } catch (dev.custody.store.Exceptions.Refused e) {
            throw new ApiError(e.getMessage().startsWith("no exception ") ? 404 : 409, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, e.getMessage());
        }
    }

    private static String text(JsonNode body, String field) {
        return body.hasNonNull(field) ? body.get(field).asText() : null;
    }

    private static dev.custody.store.Incidents.Incident incident(dev.custody.evidence.IncidentTracker t, String id) throws ApiError {
        var i = t.incidents().get(id);
        if (i == null) {
            throw new ApiError(404, "no incident " + id);
        }
        return i;
    }

    private static JsonNode jsonBody(Request request, String what) throws ApiError, IOException {
        JsonNode body;
        try {
            byte[] raw = readBounded(Request.asInputStream(request), 64 * 1024, "the body");
            body = raw.length == 0 ? JSON.createObjectNode() : JSON.readTree(raw);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "the body must be a JSON object (" + what + "): " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject()) {
            throw new ApiError(400, "the body must be a JSON object (" + what + ")");
        }
        return body;
    }

    /** GET lists entries in force (viewer); POST adds one (operator: blocking must not wait for an admin); DELETE removes (admin). */
    private Result denylist(Request request, String method, List<String> parts, ApiTokens.Caller caller) throws ApiError, IOException {
        Denylist deny = new Denylist(store);
        switch (method) {
            case "GET" -> {
                need(caller, ApiTokens.Role.VIEWER, method, "GET");
                return new Result(200, Map.of("entries", deny.active(System.currentTimeMillis())));
            }
            case "POST" -> {
                need(caller, ApiTokens.Role.OPERATOR, method, "POST");
                JsonNode body;
                try {
                    body = JSON.readTree(readBounded(Request.asInputStream(request), 64 * 1024, "the body"));
                } catch (JsonProcessingException e) {
                    throw new ApiError(400, "the body must be a JSON object {kind, value, reason[, expiresIn]}: " + e.getOriginalMessage());
                }
                if (body == null || !body.isObject()) {
                    throw new ApiError(400, "the body must be a JSON object {kind, value, reason[, expiresIn]}");
                }
                Denylist.Kind kind;
                try {
                    kind = Denylist.Kind.valueOf(body.path("kind").asText("").toUpperCase(java.util.Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new ApiError(400, "kind: expected digest, purl, vulnerability or repository, found \"" + body.path("kind").asText("") + "\"");
                }
                String value = body.path("value").asText("");
                if (kind == Denylist.Kind.REPOSITORY) {
                    try {
                        value = dev.custody.engine.Denylisted.repository(value);
                    } catch (IllegalArgumentException e) {
                        throw new ApiError(400, "value: " + e.getMessage());
                    }
                }
                Long expires = body.hasNonNull("expiresIn")
                        ? System.currentTimeMillis() + Times.age(body.get("expiresIn").asText()).toMillis() : null;
                String incident = body.hasNonNull("incident") ? body.get("incident").asText() : null;
                return new Result(201, deny.add(kind, value, body.path("reason").asText(""), caller.name(), expires, incident));
            }
            case "DELETE" -> {
                need(caller, ApiTokens.Role.ADMIN, method, "DELETE");
                if (parts.size() != 4) {
                    throw new ApiError(404, "give an entry id: /api/v1/denylist/{id}");
                }
                String reason = Request.extractQueryParameters(request).getValue("reason");
                if (reason == null || reason.isBlank()) {
                    throw new ApiError(400, "removing a denylist entry is audited: give ?reason=TEXT");
                }
                if (!deny.remove(parts.get(3), caller.name(), reason)) {
                    throw new ApiError(404, "no denylist entry " + parts.get(3));
                }
                return new Result(200, Map.of("removed", parts.get(3), "reason", reason));
            }
            default -> throw new ApiError(405, "use GET, POST or DELETE");
        }
    }

    private Object ingest(Request request, Fields q, ApiTokens.Caller caller) throws ApiError, IOException {
        List<String> digests = q.getValues("digest") == null ? List.of() : q.getValues("digest");
        for (String d : digests) {
            digest(d);
        }
        String strictParam = q.getValue("strict");
        if (strictParam != null && !strictParam.equals("true") && !strictParam.equals("false")) {
            throw new ApiError(400, "strict must be true or false, found \"" + strictParam + "\"");
        }
        long declared = request.getLength();
        if (declared > MAX_SBOM_BYTES) {
            throw new ApiError(413, "the SBOM is " + declared + " bytes, larger than the limit of " + MAX_SBOM_BYTES);
        }
        byte[] bytes = readBounded(Request.asInputStream(request), MAX_SBOM_BYTES);
        Sbom sbom;
        try {
            sbom = SbomReader.read(bytes, "request body");
        } catch (SbomException e) {
            throw new ApiError(400, "invalid SBOM: " + e.getMessage());
        }
        Quality quality = sbom.quality();
        if ("true".equals(strictParam) && quality.deviationCount() > 0) {
            int n = quality.deviationCount();
            throw new ApiError(400, "invalid SBOM (strict): request body: deviates from the " + sbom.format().family() + " "
                    + sbom.specVersion() + " schema in " + n + (n == 1 ? " place: " : " places: ")
                    + quality.deviations().stream().limit(5).map(d -> d.path() + " " + d.reason()).collect(Collectors.joining("; ")));
        }
        return sboms.ingest(sbom, bytes, digests, "api:" + caller.name());
    }

    private static byte[] readBounded(InputStream in, long max) throws IOException, ApiError {
        return readBounded(in, max, "the SBOM");
    }

    private static byte[] readBounded(InputStream in, long max, String what) throws IOException, ApiError {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            if (out.size() > max) {
                throw new ApiError(413, what + " is larger than the limit of " + max + " bytes");
            }
        }
        return out.toByteArray();
    }

    private static void need(ApiTokens.Caller caller, ApiTokens.Role role, String method, String allowed) throws ApiError {
        if (!method.equals(allowed)) {
            throw new ApiError(405, "use " + allowed);
        }
        if (!caller.role().allows(role)) {
            throw new ApiError(403, "token " + caller.name() + " has role " + caller.role().name().toLowerCase()
                    + "; this needs " + role.name().toLowerCase());
        }
    }

    private static String digest(String d) throws ApiError {
        if (!SbomStore.DIGEST.matcher(d).matches()) {
            throw new ApiError(400, "digest must be sha256:<64 lower-case hex>, found \"" + d + "\"");
        }
        return d;
    }

    private static Long time(Fields q, String name) {
        String v = q.getValue(name);
        if (v == null) {
            return null;
        }
        try {
            return Times.parse(v, Instant.now());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage());
        }
    }

    private static int intParam(Fields q, String name, int dflt, int max) {
        String v = q.getValue(name);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 1 || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number from 1 to " + max + ", found \"" + v + "\"");
        }
    }

    @Override
    public void close() {
        if (ui != null) {
            ui.close();
        }
        if (server != null) {
            try {
                server.stop();
            } catch (Exception e) {
                Log.error("evidence API stop failed", "error", e.toString());
            }
        }
    }

}
