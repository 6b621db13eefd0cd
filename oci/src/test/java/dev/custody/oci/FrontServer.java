package dev.custody.oci;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on loopback (the JDK's com.sun.net.httpserver) in front of a real registry. It stands in for
 * what the local registries cannot be made into without htpasswd files, TLS and a token service: a
 * token-authenticated registry (401 with a Bearer challenge, a token endpoint issuing tokens, or Basic auth), and a
 * misbehaving one (429 with Retry-After, 503, hanging, dripping, oversized or malformed answers). Requests it lets
 * through are proxied to the registry behind it, so content and digests are the registry's own.
 */
public final class FrontServer implements AutoCloseable {

    enum Mode { OPEN, BASIC, BEARER }

    /** A misbehaviour: answers the exchange itself (true) or lets it through (false). */
    @FunctionalInterface
    public interface Fault {
        boolean apply(HttpExchange exchange) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final String upstream;
    private final HttpClient proxy = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    volatile Mode mode = Mode.OPEN;
    volatile String user;
    volatile String password;
    volatile String refreshToken;
    volatile Integer expiresIn;
    public volatile Fault fault;

    private final Set<String> issued = ConcurrentHashMap.newKeySet();
    public final AtomicInteger registryRequests = new AtomicInteger();
    final AtomicInteger tokenRequests = new AtomicInteger();
    final List<Map<String, String>> tokenParams = Collections.synchronizedList(new ArrayList<>());

    public FrontServer(String upstream) throws IOException {
        this.upstream = upstream;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(executor);
        server.createContext("/token", this::token);
        server.createContext("/v2/", this::registry);
        server.start();
    }

    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    Repository repository(String name) {
        return new Repository(address(), name);
    }

    /** Bearer mode: tokens from /token, which wants {@code user}/{@code password} when they are set. */
    FrontServer bearer(String user, String password, Integer expiresIn) {
        this.mode = Mode.BEARER;
        this.user = user;
        this.password = password;
        this.expiresIn = expiresIn;
        return this;
    }

    FrontServer basic(String user, String password) {
        this.mode = Mode.BASIC;
        this.user = user;
        this.password = password;
        return this;
    }

    private void token(HttpExchange ex) throws IOException {
        try (ex) {
            tokenRequests.incrementAndGet();
            Map<String, String> params = new LinkedHashMap<>();
            String query = ex.getRequestURI().getRawQuery();
            boolean post = ex.getRequestMethod().equals("POST");
            String form = post ? new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8) : query;
            if (form != null) {
                for (String pair : form.split("&")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        params.merge(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                                URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8), (a, b) -> a + " " + b);
                    }
                }
            }
            tokenParams.add(params);
            boolean ok;
            if (post) {
                ok = "refresh_token".equals(params.get("grant_type")) && refreshToken != null && refreshToken.equals(params.get("refresh_token"));
            } else {
                ok = user == null || basicHeader(user, password).equals(ex.getRequestHeaders().getFirst("Authorization"));
            }
            if (!ok) {
                send(ex, 401, "application/json", "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}");
                return;
            }
            String token = "tok-" + tokenRequests.get() + "-" + System.nanoTime();
            issued.add(token);
            String field = post ? "access_token" : "token";
            send(ex, 200, "application/json", "{\"" + field + "\":\"" + token + "\"" + (expiresIn == null ? "" : ",\"expires_in\":" + expiresIn) + "}");
        }
    }

    private void registry(HttpExchange ex) throws IOException {
        try (ex) {
            registryRequests.incrementAndGet();
            Fault f = fault;
            if (f != null && f.apply(ex)) {
                return;
            }
            if (!authorized(ex)) {
                return;
            }
            forward(ex);
        }
    }

    private boolean authorized(HttpExchange ex) throws IOException {
        String header = ex.getRequestHeaders().getFirst("Authorization");
        switch (mode) {
            case OPEN -> {
                return true;
            }
            case BASIC -> {
                if (basicHeader(user, password).equals(header)) {
                    return true;
                }
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"custody-test\"");
            }
            case BEARER -> {
                if (header != null && header.startsWith("Bearer ") && issued.contains(header.substring(7))) {
                    return true;
                }
                String name = repositoryOf(ex.getRequestURI().getPath());
                ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://" + address() + "/token\",service=\"front.test\""
                        + (name == null ? "" : ",scope=\"repository:" + name + ":pull\""));
            }
        }
        send(ex, 401, "application/json", "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
        return false;
    }

    static String repositoryOf(String path) {
        for (String marker : List.of("/manifests/", "/blobs/", "/referrers/", "/tags/")) {
            int i = path.indexOf(marker);
            if (i > 4) {
                return path.substring(4, i);
            }
        }
        return null;
    }

    private void forward(HttpExchange ex) throws IOException {
        if (upstream == null) {
            send(ex, 404, "application/json", "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"no upstream\"}]}");
            return;
        }
        URI target = URI.create("http://" + upstream + ex.getRequestURI().getRawPath()
                + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()));
        byte[] body = ex.getRequestBody().readAllBytes();
        HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(20))
                .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (String h : List.of("Accept", "Content-Type")) {
            for (String v : ex.getRequestHeaders().getOrDefault(h, List.of())) {
                b.header(h, v);
            }
        }
        HttpResponse<byte[]> r;
        try {
            r = proxy.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        r.headers().map().forEach((name, values) -> {
            String n = name.toLowerCase(java.util.Locale.ROOT);
            if (n.equals("content-length") || n.equals("transfer-encoding") || n.equals("connection") || n.equals("date")) {
                return;
            }
            for (String v : values) {
                ex.getResponseHeaders().add(name, n.equals("location") ? v.replace(upstream, address()) : v);
            }
        });
        boolean noBody = ex.getRequestMethod().equals("HEAD") || r.body().length == 0;
        ex.sendResponseHeaders(r.statusCode(), noBody ? -1 : r.body().length);
        if (!noBody) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(r.body());
            }
        }
    }

    public static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
        send(ex, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) {
            ex.getResponseHeaders().set("Content-Type", contentType);
        }
        boolean noBody = ex.getRequestMethod().equals("HEAD") || body.length == 0;
        ex.sendResponseHeaders(status, noBody ? -1 : body.length);
        if (!noBody) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    static String basicHeader(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        proxy.close();
    }
}
