package dev.custody.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server of a test's own, started through scripts/pg/start.sh on a free loopback port, so that a test
 * can kill and restart it without touching the server the other tests share.
 */
final class PrivatePostgres implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final String url;

    private PrivatePostgres(Path dir, int port, String url) {
        this.dir = dir;
        this.port = port;
        this.url = url;
    }

    /** Whether Debian's server binaries are here. */
    static boolean available() {
        return bin() != null;
    }

    /** Starts a fresh server; its data directory is under /tmp, where the postgres user can reach it. */
    static PrivatePostgres start(String name) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path dir = Path.of("/tmp", "custody-" + name + "-" + ProcessHandle.current().pid());
        delete(dir);
        String url = run(List.of("bash", DecisionLogKillTest.ROOT.resolve("scripts/pg/start.sh").toString()), dir, port).trim();
        return new PrivatePostgres(dir, port, url);
    }

    /** The store location, as a user gives it to {@code --store}. */
    String url() {
        return url;
    }

    /** Kills the server as a crash would: {@code pg_ctl -m immediate}, every backend gone, no checkpoint. */
    void kill() throws Exception {
        pgCtl("-m", "immediate", "stop");
    }

    /** Starts it again on the same data directory and port (crash recovery runs first). */
    void restart() throws Exception {
        run(List.of("bash", DecisionLogKillTest.ROOT.resolve("scripts/pg/start.sh").toString()), dir, port);
    }

    private void pgCtl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.add(bin().resolve("pg_ctl").toString());
        cmd.addAll(List.of("-D", dir.toString(), "-w"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("pg_ctl " + String.join(" ", args) + " failed: " + out);
        }
    }

    private static String run(List<String> cmd, Path dir, int port) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("CUSTODY_PG_DIR", dir.toString());
        pb.environment().put("CUSTODY_PG_PORT", Integer.toString(port));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    private static Path bin() {
        try (var s = Files.list(Path.of("/usr/lib/postgresql"))) {
            return s.map(p -> p.resolve("bin")).filter(p -> Files.isExecutable(p.resolve("pg_ctl")))
                    .max(java.util.Comparator.comparing(p -> Integer.parseInt(p.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static void delete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            pgCtl("-m", "immediate", "stop");
        } catch (IllegalStateException e) {
            // already stopped
        }
        delete(dir);
    }
}
