package dev.custody.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.custody.admission.Admission;
import dev.custody.admission.AdmissionRequest;
import dev.custody.admission.AdmissionReviews;
import dev.custody.admission.InvalidReviewException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTPS admission webhook: {@code POST /validate} answers AdmissionReviews; {@code /healthz}, {@code /readyz}
 * and {@code /metrics} serve operators. Requests run on virtual threads; each review is answered before the
 * deadline the API server gives in its {@code timeout} query parameter, and shutdown drains in-flight reviews.
 */
public final class WebhookServer implements AutoCloseable {

    /** Settings of the listener and its housekeeping. */
    public record Options(String host, int port, Duration defaultTimeout, Duration shutdownGrace, Duration reloadInterval) {}

    /** Time kept back from the API server's timeout for writing the response and the network. */
    static final Duration RESPONSE_MARGIN = Duration.ofMillis(250);

    private final Options options;
    private final PolicyStore policies;
    private final TlsMaterial tls;
    private final NamespaceCache namespaces;
    private final Metrics metrics;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "custody-reload");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean stopping;
    private HttpsServer server;

    public WebhookServer(Options options, PolicyStore policies, TlsMaterial tls, NamespaceCache namespaces, Metrics metrics) {
        this.options = options;
        this.policies = policies;
        this.tls = tls;
        this.namespaces = namespaces;
        this.metrics = metrics;
    }

    public void start() throws Exception {
        policies.reloadIfChanged();
        server = HttpsServer.create(new InetSocketAddress(options.host(), options.port()), 1024);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.sslContext()));
        server.setExecutor(workers);
        server.createContext("/validate", this::validate);
        server.createContext("/healthz", ex -> text(ex, 200, "ok\n"));
        server.createContext("/readyz", this::readyz);
        server.createContext("/metrics", this::metrics);
        server.createContext("/", ex -> text(ex, 404, "not found; Custody serves /validate, /healthz, /readyz and /metrics\n"));
        server.start();
        long every = options.reloadInterval().toMillis();
        housekeeping.scheduleWithFixedDelay(this::housekeeping, every, every, TimeUnit.MILLISECONDS);
        Log.info("custody serve listening", "address", "https://" + options.host() + ":" + port(), "ready", ready());
    }

    public int port() {
        return server.getAddress().getPort();
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

    private void validate(HttpExchange ex) throws IOException {
        long start = System.nanoTime();
        inFlight.incrementAndGet();
        String kind = "unknown";
        try {
            if (!ex.getRequestMethod().equals("POST")) {
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
                body = readBounded(ex.getRequestBody(), AdmissionReviews.MAX_BODY_BYTES);
            } catch (InvalidReviewException e) {
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
            Duration budget = deadline(ex.getRequestURI().getRawQuery());
            Admission.Result result;
            try {
                result = CompletableFuture.supplyAsync(() -> admission.review(request), workers)
                        .get(budget.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                json(ex, 200, failure(request, "custody could not decide within the webhook deadline of " + budget.toMillis()
                        + " ms; the request is denied (closed failure)"));
                metrics.admission("error", kind, System.nanoTime() - start, null);
                return;
            } catch (InterruptedException | ExecutionException e) {
                Log.error("evaluation failed", "uid", request.uid(), "error", String.valueOf(e.getCause()));
                json(ex, 200, failure(request, "custody failed to evaluate the request: " + e.getCause()));
                metrics.admission("error", kind, System.nanoTime() - start, null);
                return;
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
                        timeout = parseGoDuration(part.substring("timeout=".length()));
                    } catch (RuntimeException ignored) {
                        // keep the default
                    }
                }
            }
        }
        Duration budget = timeout.minus(RESPONSE_MARGIN);
        return budget.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : budget;
    }

    static Duration parseGoDuration(String s) {
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        if (s.endsWith("s")) {
            return Duration.ofMillis((long) (Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
        }
        return Duration.ofSeconds(Long.parseLong(s));
    }

    private void readyz(HttpExchange ex) throws IOException {
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
        json(ex, ready ? 200 : 503, detail);
    }

    private void metrics(HttpExchange ex) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        metrics.write(out);
        byte[] b = out.toByteArray();
        ex.getResponseHeaders().set("Content-Type", metrics.contentType());
        ex.sendResponseHeaders(200, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
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

    private static void json(HttpExchange ex, int status, ObjectNode body) throws IOException {
        byte[] b = AdmissionReviews.mapper().writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    private static void text(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    /** Stops taking new work, lets in-flight reviews finish (up to the grace period), then closes. */
    @Override
    public void close() {
        stopping = true;
        Log.info("shutting down", "inFlight", inFlight.get());
        housekeeping.shutdownNow();
        if (server != null) {
            server.stop((int) Math.max(1, options.shutdownGrace().toSeconds()));
        }
        workers.shutdown();
        if (namespaces != null) {
            namespaces.close();
        }
        Log.info("stopped");
    }

    public int inFlight() {
        return inFlight.get();
    }
}
