package dev.custody.server;

import dev.custody.logfmt.Log;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.admission.Admission;
import dev.custody.admission.AdmissionRequest;
import dev.custody.admission.AdmissionReviews;
import dev.custody.admission.InvalidReviewException;
import dev.custody.evidence.DecisionRecorder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTPS admission webhook (Jetty): {@code POST /validate} answers AdmissionReviews; {@code /healthz},
 * {@code /readyz} and {@code /metrics} serve operators. Each review is answered before the deadline the API
 * server gives in its {@code timeout} query parameter, and shutdown drains in-flight reviews.
 */
public final class WebhookServer implements AutoCloseable {

    /** At most this much of an oversized review body is read and dropped, so its 413 reaches the client. */
    static final long DRAIN_BYTES = 32L << 20;


    /** Settings of the listener and its housekeeping. */
    public record Options(String host, int port, Duration defaultTimeout, Duration shutdownGrace, Duration reloadInterval) {}

    /** Time kept back from the API server's timeout for writing the response and the network. */
    static final Duration RESPONSE_MARGIN = Duration.ofMillis(250);

    private final Options options;
    private final PolicyStore policies;
    private final TlsMaterial tls;
    private final NamespaceCache namespaces;
    private final Metrics metrics;
    private volatile DecisionRecorder recorder;
    private volatile java.util.function.Supplier<java.util.List<CollectorState>> collectors;
    private volatile dev.custody.evidence.Reevaluator reevaluator;
    private volatile dev.custody.evidence.DenylistCache denylist;
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "custody-reload");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean stopping;
    private Server server;
    private ServerConnector connector;

    public WebhookServer(Options options, PolicyStore policies, TlsMaterial tls, NamespaceCache namespaces, Metrics metrics) {
        this.options = options;
        this.policies = policies;
        this.tls = tls;
        this.namespaces = namespaces;
        this.metrics = metrics;
    }

    /**
     * Records every workload decision in a decision log. In durable mode a review is answered only after its record is
     * committed; when the log cannot confirm in time the review is denied as a closed failure.
     */
    /** Reports inventory collectors running in this process in /readyz and /metrics (they do not decide readiness). */
    public WebhookServer collecting(java.util.function.Supplier<java.util.List<CollectorState>> collectors) {
        this.collectors = collectors;
        return this;
    }

    /** Reports the emergency denylist's local copy in /readyz (a stale copy stays in force and does not decide readiness). */
    public WebhookServer denying(dev.custody.evidence.DenylistCache denylist) {
        this.denylist = denylist;
        return this;
    }

    /** Reports the background re-evaluation in /readyz (it does not decide readiness). */
    public WebhookServer reevaluating(dev.custody.evidence.Reevaluator reevaluator) {
        this.reevaluator = reevaluator;
        return this;
    }

    private java.util.List<CollectorState> collectorStates() {
        java.util.function.Supplier<java.util.List<CollectorState>> c = collectors;
        if (c == null) {
            return java.util.List.of();
        }
        java.util.List<CollectorState> states = c.get();
        states.forEach(metrics::collector);
        return states;
    }

    public WebhookServer recordingTo(DecisionRecorder recorder) {
        this.recorder = recorder;
        return this;
    }

    public void start() throws Exception {
        policies.reloadIfChanged();
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("custody-http");
        server = new Server(threads);
        connector = tls.connector(server, options.host(), options.port());
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        GracefulHandler graceful = new GracefulHandler();
        graceful.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                route(request, response, callback); // blocking: Jetty runs it on a pool thread
                return true;
            }
        });
        server.setHandler(graceful);
        server.setStopTimeout(options.shutdownGrace().toMillis());
        server.start();
        long every = options.reloadInterval().toMillis();
        housekeeping.scheduleWithFixedDelay(this::housekeeping, every, every, TimeUnit.MILLISECONDS);
        Log.info("custody serve listening", "address", "https://" + options.host() + ":" + port(), "ready", ready());
    }

    /** One exchange: the request, where to answer, and how to finish. */
    private record Exchange(Request request, Response response, Callback callback) {}

    private void route(Request request, Response response, Callback callback) {
        Exchange ex = new Exchange(request, response, callback);
        try {
            switch (Request.getPathInContext(request)) {
                case "/validate" -> validate(ex);
                case "/healthz" -> text(ex, 200, "ok\n");
                case "/readyz" -> readyz(ex);
                case "/metrics" -> metrics(ex);
                default -> text(ex, 404, "not found; Custody serves /validate, /healthz, /readyz and /metrics\n");
            }
        } catch (Throwable t) {
            Log.error("request failed", "path", Request.getPathInContext(request), "error", t.toString());
            callback.failed(t);
        }
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** Ready when a policy set is loaded, the namespace cache (if any) has synced, and shutdown has not begun. */
    public boolean ready() {
        return !stopping && policies.admission() != null && (namespaces == null || namespaces.synced());
    }

    private void housekeeping() {
        try {
            policies.reloadIfChanged();
            boolean changed = tls.reloadIfChanged();
            if (changed) {
                metrics.tlsReload(true);
            } else if (tls.lastError() != null) {
                metrics.tlsReload(false);
            }
        } catch (RuntimeException e) {
            Log.error("housekeeping failed", "error", e.toString());
        }
    }

    private void validate(Exchange ex) throws IOException {
        long start = System.nanoTime();
        inFlight.incrementAndGet();
        String kind = "unknown";
        try {
            if (!ex.request().getMethod().equals("POST")) {
                text(ex, 405, "use POST with an admission.k8s.io/v1 AdmissionReview\n");
                return;
            }
            Admission admission = policies.admission();
            if (admission == null) {
                text(ex, 503, "custody has no valid policy set loaded: " + policies.lastError() + "\n");
                metrics.admission("error", kind, System.nanoTime() - start, null);
                return;
            }
            byte[] body;
            try {
                long declared = ex.request().getLength();
                if (declared > AdmissionReviews.MAX_BODY_BYTES) {
                    throw new InvalidReviewException("request body of " + declared + " bytes is larger than the limit of "
                            + AdmissionReviews.MAX_BODY_BYTES + " bytes");
                }
                body = readBounded(Request.asInputStream(ex.request()), AdmissionReviews.MAX_BODY_BYTES);
            } catch (InvalidReviewException e) {
                // Read (and drop) a bounded rest of the body before answering: a client still sending it would otherwise
                // see the connection reset instead of the 413. Beyond the bound the connection is simply closed.
                ex.response().getHeaders().put(HttpHeader.CONNECTION, "close");
                try (java.io.InputStream rest = Request.asInputStream(ex.request())) {
                    rest.skipNBytes(Math.min(DRAIN_BYTES, Math.max(0, ex.request().getLength())));
                } catch (java.io.IOException | RuntimeException ignored) {
                    // the client went away, or sent less than it declared
                }
                text(ex, 413, e.getMessage() + "\n");
                metrics.admission("invalid", kind, System.nanoTime() - start, null);
                return;
            }
            AdmissionRequest request;
            try {
                request = AdmissionReviews.parse(body);
            } catch (InvalidReviewException e) {
                text(ex, 400, "invalid AdmissionReview: " + e.getMessage() + "\n");
                metrics.admission("invalid", kind, System.nanoTime() - start, null);
                return;
            }
            kind = request.kind();
            Duration budget = deadline(ex.request().getHttpURI().getQuery());
            Admission.Result result;
            try {
                // Rules are in-memory and bounded (CEL cost limits), so evaluation runs inline; a review that still
                // overran its budget is answered as a closed failure rather than as a late verdict.
                // signature verification must leave time for recording the decision and writing the response
                result = admission.review(request, java.time.Instant.now().plus(budget.multipliedBy(4).dividedBy(5)));
            } catch (RuntimeException e) {
                Log.error("evaluation failed", "uid", request.uid(), "error", e.toString());
                json(ex, 200, failure(request, "custody failed to evaluate the request: " + e));
                metrics.admission("error", kind, System.nanoTime() - start, null);
                return;
            }
            if (System.nanoTime() - start > budget.toNanos()) {
                Log.warn("review overran its deadline", "uid", request.uid(), "budgetMs", budget.toMillis(),
                        "tookMs", (System.nanoTime() - start) / 1_000_000);
                json(ex, 200, failure(request, "custody could not decide within the webhook deadline of " + budget.toMillis()
                        + " ms; the request is denied (closed failure)"));
                metrics.admission("error", kind, System.nanoTime() - start, null);
                return;
            }
            DecisionRecorder rec = recorder;
            if (rec != null && !request.dryRun() && (result.decision() != null || result.verdict().equals("denied"))) {
                try {
                    rec.admission(request, result.decision(), result.verdict(), admission.engine().policies().version(),
                            budget.minusNanos(System.nanoTime() - start));
                } catch (DecisionRecorder.NotRecorded e) {
                    Log.error("decision not recorded", "uid", request.uid(), "error", e.getMessage());
                    json(ex, 200, failure(request, "custody could not record its decision (" + e.getMessage()
                            + "); the request is denied (closed failure)"));
                    metrics.admission("error", kind, System.nanoTime() - start, null);
                    return;
                }
            }
            json(ex, 200, result.response().toReview());
            metrics.admission(result.verdict(), kind, System.nanoTime() - start, result.decision());
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private static ObjectNode failure(AdmissionRequest req, String message) {
        return new dev.custody.admission.AdmissionResponse(req.apiVersion(), req.uid(), false, 500, message, java.util.List.of(),
                java.util.Map.of("verdict", "error")).toReview();
    }

    /** The API server appends {@code timeout=<seconds>s} to webhook URLs; keep a margin for the response. */
    Duration deadline(String query) {
        Duration timeout = options.defaultTimeout();
        if (query != null) {
            for (String part : query.split("&")) {
                if (part.startsWith("timeout=")) {
                    try {
                        timeout = parseDuration(part.substring("timeout=".length()));
                    } catch (RuntimeException ignored) {
                        // keep the default
                    }
                }
            }
        }
        Duration budget = timeout.minus(RESPONSE_MARGIN);
        return budget.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : budget;
    }

    /** Parses durations as the API server and the command line write them: 500ms, 10s, 2.5s, 2m. */
    public static Duration parseDuration(String s) {
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        if (s.endsWith("s")) {
            return Duration.ofMillis((long) (Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
        }
        if (s.endsWith("m")) {
            return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)) * 60);
        }
        throw new IllegalArgumentException("not a duration: " + s);
    }

    private void readyz(Exchange ex) throws IOException {
        ObjectNode detail = JsonNodeFactory.instance.objectNode();
        boolean ready = ready();
        detail.put("ready", ready);
        Admission a = policies.admission();
        detail.put("policyVersion", a == null ? null : a.engine().policies().version());
        detail.put("policies", a == null ? 0 : a.engine().policies().policies().size());
        detail.put("policyError", policies.lastError());
        detail.put("namespaceCache", namespaces == null ? "disabled" : namespaces.synced() ? "synced" : "syncing");
        detail.put("tlsError", tls.lastError());
        detail.put("shuttingDown", stopping);
        DecisionRecorder rec = recorder;
        if (rec != null) {
            ObjectNode log = detail.putObject("decisionLog");
            log.put("mode", rec.mode().name().toLowerCase(java.util.Locale.ROOT));
            log.put("committed", rec.log().committed());
            log.put("queued", rec.log().queued());
            log.put("failedBatches", rec.log().failures());
            log.put("lastError", rec.log().lastError());
            var spool = rec.log().spool();
            if (spool != null) { // answering from the spool is not a reason to be unready: admission goes on
                ObjectNode sp = log.putObject("spool");
                sp.put("directory", spool.directory().toString());
                sp.put("active", spool.active());
                sp.put("records", spool.spooled());
                sp.put("replayed", spool.replayed());
                sp.put("lastError", spool.lastError());
            }
        }
        if (collectors != null) {
            var arr = detail.putArray("collectors");
            for (CollectorState c : collectorStates()) {
                ObjectNode o = arr.addObject();
                o.put("cluster", c.cluster());
                o.put("state", c.state());
                o.put("message", c.message());
                o.put("lastWriteAt", c.lastWriteAt() == 0 ? null : java.time.Instant.ofEpochMilli(c.lastWriteAt()).toString());
            }
        }
        dev.custody.evidence.DenylistCache deny = denylist;
        if (deny != null) {
            var st = deny.status();
            ObjectNode o = detail.putObject("denylist");
            o.put("entries", st.entries());
            o.put("blockedDigestsAndRepositories", st.digests());
            o.put("current", st.current());
            o.put("readAt", st.readAt() == 0 ? null : java.time.Instant.ofEpochMilli(st.readAt()).toString());
            o.put("problem", st.problem());
        }
        dev.custody.evidence.Reevaluator re = reevaluator;
        if (re != null) {
            var st = re.status();
            ObjectNode o = detail.putObject("reevaluation");
            o.put("state", st.state());
            o.put("error", st.error());
            if (st.last() != null) {
                o.put("lastRunAt", java.time.Instant.ofEpochMilli(st.last().at()).toString());
                o.put("trigger", st.last().trigger());
                o.put("policyVersion", st.last().policyVersion());
                o.put("workloads", st.last().workloads());
                o.put("denied", st.last().denied());
                o.put("millis", st.last().millis());
            }
        }
        json(ex, ready ? 200 : 503, detail);
    }

    private void metrics(Exchange ex) throws IOException {
        collectorStates();
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        metrics.write(out);
        send(ex, 200, metrics.contentType(), out.toByteArray());
    }

    static byte[] readBounded(InputStream in, int max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        byte[] buf = new byte[16384];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            if (out.size() > max) {
                throw new InvalidReviewException("request body is larger than the limit of " + max + " bytes");
            }
        }
        return out.toByteArray();
    }

    private static void json(Exchange ex, int status, ObjectNode body) throws IOException {
        send(ex, status, "application/json", AdmissionReviews.mapper().writeValueAsBytes(body));
    }

    private static void text(Exchange ex, int status, String body) {
        send(ex, status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(Exchange ex, int status, String contentType, byte[] body) {
        ex.response().setStatus(status);
        ex.response().getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        ex.response().getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        ex.response().write(true, ByteBuffer.wrap(body), ex.callback());
    }

    /** Stops taking new work, lets in-flight reviews finish (up to the grace period), then closes. */
    @Override
    public void close() {
        stopping = true;
        Log.info("shutting down", "inFlight", inFlight.get());
        housekeeping.shutdownNow();
        if (server != null) {
            try {
                server.stop(); // GracefulHandler waits up to the stop timeout for in-flight reviews
            } catch (Exception e) {
                Log.error("stop failed", "error", e.toString());
            }
        }
        if (namespaces != null) {
            namespaces.close();
        }
        if (recorder != null) {
            recorder.close(); // commits what is queued (asynchronous mode) before the process ends
        }
        Log.info("stopped");
    }

    public int inFlight() {
        return inFlight.get();
    }
}
