package dev.custody.bench;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An open-loop load generator for {@code custody serve}: sends one AdmissionReview body at a fixed rate over
 * TLS keep-alive connections to a server on loopback, and reports latency percentiles measured from each
 * request's scheduled start (so a slow server cannot hide queueing). It stops by itself after the duration.
 * (The JDK's HttpClient was tried first and could not itself sustain 1,000 requests/s beside the server.)
 *
 * <p>Usage: {@code AdmissionLoad URL CA_PEM BODY_JSON RATE_PER_S SECONDS [CONNECTIONS] [WARMUP_SECONDS]}
 */
public final class AdmissionLoad {

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        if (!uri.getHost().equals("127.0.0.1") && !uri.getHost().equals("localhost")) {
            throw new IllegalArgumentException("load tests target loopback only");
        }
        SSLContext ssl = trusting(Path.of(args[1]));
        byte[] body = Files.readAllBytes(Path.of(args[2]));
        int rate = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        int connections = args.length > 5 ? Integer.parseInt(args[5]) : 8;
        int warmup = args.length > 6 ? Integer.parseInt(args[6]) : 10;
        Result r = run(uri, ssl, body, rate, seconds, connections, warmup);
        System.out.println(r);
    }

    /** Percentiles in microseconds. */
    public record Result(int rate, long sent, long ok, long errors, double achieved, long p50, long p90, long p99, long p999, long max) {
        @Override
        public String toString() {
            return String.format("rate=%d/s sent=%d ok=%d errors=%d achieved=%.0f/s p50=%.2fms p90=%.2fms p99=%.2fms p99.9=%.2fms max=%.2fms",
                    rate, sent, ok, errors, achieved, p50 / 1000.0, p90 / 1000.0, p99 / 1000.0, p999 / 1000.0, max / 1000.0);
        }
    }

    /**
     * Each connection is a thread with a blocking TLS socket that sends its share of the requests on a fixed
     * schedule (open loop: a request's latency counts from when it was due, so queueing behind a slow response
     * is measured, not hidden). A minimal HTTP/1.1 exchange keeps the generator cheap enough to share 2 cores.
     */
    public static Result run(URI uri, SSLContext ssl, byte[] body, int rate, int seconds, int connections, int warmupSeconds)
            throws Exception {
        String path = uri.getRawPath() + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[head.length + body.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        int total = rate * seconds;
        long[] latencies = new long[total];
        AtomicLong errors = new AtomicLong();
        AtomicInteger done = new AtomicInteger();
        long intervalNanos = 1_000_000_000L / rate;
        // the keep-alive connections are opened (TLS handshakes done) before anything is timed, and kept: the
        // timed phase must not count handshakes as admission latency
        Conn[] conns = new Conn[connections];
        for (int c = 0; c < connections; c++) {
            conns[c] = new Conn(uri, ssl);
        }
        // warm up both sides for a few seconds at the target rate, untimed, over the same connections
        warmUp(conns, request, rate, warmupSeconds);
        long start = System.nanoTime() + 20_000_000;
        Thread[] threads = new Thread[connections];
        for (int c = 0; c < connections; c++) {
            final int conn = c;
            threads[c] = Thread.ofPlatform().name("load-" + c).start(() -> {
                try (Conn k = conns[conn]) {
                    for (int i = conn; i < total; i += connections) {
                        long due = start + i * intervalNanos;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                        int status = k.exchange(request);
                        latencies[i] = System.nanoTime() - due;
                        if (status != 200) {
                            errors.incrementAndGet();
                        }
                        done.incrementAndGet();
                    }
                } catch (Exception e) {
                    errors.incrementAndGet();
                }
            });
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(seconds + 60L));
        }
        long elapsed = System.nanoTime() - start;
        int n = done.get();
        long[] got = new long[n];
        int j = 0;
        for (long l : latencies) {
            if (l > 0 && j < n) {
                got[j++] = l;
            }
        }
        got = Arrays.copyOf(got, j);
        Arrays.sort(got);
        return new Result(rate, total, n - errors.get(), errors.get() + (total - n), n / (elapsed / 1e9), pct(got, 0.50), pct(got, 0.90),
                pct(got, 0.99), pct(got, 0.999), got.length == 0 ? 0 : got[got.length - 1] / 1000);
    }

    /** Untimed traffic at the target rate, so both JVMs are compiled and connections are warm before measuring. */
    private static void warmUp(Conn[] conns, byte[] request, int rate, int seconds) throws InterruptedException {
        int connections = conns.length;
        long interval = 1_000_000_000L / rate;
        int total = rate * seconds;
        long start = System.nanoTime();
        Thread[] threads = new Thread[connections];
        for (int c = 0; c < connections; c++) {
            final int conn = c;
            threads[c] = Thread.ofPlatform().start(() -> {
                try {
                    Conn k = conns[conn];
                    for (int i = conn; i < total; i += connections) {
                        long wait = start + i * interval - System.nanoTime();
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                        k.exchange(request);
                    }
                } catch (Exception e) {
                    System.err.println("warm-up connection failed: " + e);
                }
            });
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    /** One keep-alive TLS connection speaking just enough HTTP/1.1 for this benchmark. */
    static final class Conn implements AutoCloseable {
        private final javax.net.ssl.SSLSocket socket;
        private final java.io.OutputStream out;
        private final java.io.InputStream in;
        private final byte[] buf = new byte[64 * 1024];

        Conn(URI uri, SSLContext ssl) throws java.io.IOException {
            socket = (javax.net.ssl.SSLSocket) ssl.getSocketFactory().createSocket(uri.getHost(), uri.getPort());
            socket.setTcpNoDelay(true);
            socket.startHandshake();
            out = new java.io.BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            in = new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024);
        }

        /** Sends one request and reads the whole response; returns the status code. */
        int exchange(byte[] request) throws java.io.IOException {
            out.write(request);
            out.flush();
            // status line and headers
            int len = 0;
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new java.io.EOFException("connection closed");
                }
                buf[len++] = (byte) b;
                if (len >= 4 && buf[len - 4] == '\r' && buf[len - 3] == '\n' && buf[len - 2] == '\r' && buf[len - 1] == '\n') {
                    break;
                }
                if (len == buf.length) {
                    throw new java.io.IOException("headers too long");
                }
            }
            String headers = new String(buf, 0, len, StandardCharsets.US_ASCII);
            int status = Integer.parseInt(headers.substring(9, 12));
            int cl = 0;
            for (String line : headers.split("\r\n")) {
                if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                    cl = Integer.parseInt(line.substring(15).trim());
                }
            }
            int remaining = cl;
            while (remaining > 0) {
                int n = in.read(buf, 0, Math.min(buf.length, remaining));
                if (n < 0) {
                    throw new java.io.EOFException("short body");
                }
                remaining -= n;
            }
            return status;
        }

        @Override
        public void close() throws java.io.IOException {
            socket.close();
        }
    }

    static long pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1000;
    }

    static SSLContext trusting(Path ca) throws Exception {
        return dev.custody.server.TlsMaterial.trusting(ca);
    }
}
