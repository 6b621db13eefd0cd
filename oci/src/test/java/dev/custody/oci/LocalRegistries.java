package dev.custody.oci;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Real registries on loopback, started once per test run and stopped when it ends:
 * <ul>
 *   <li>Debian's docker-registry (CNCF distribution 2.8, no referrers API) through scripts/image/registry.sh;</li>
 *   <li>crane's registry (go-containerregistry) through the same script with CUSTODY_REGISTRY_IMPL=crane; as
 *       {@code crane registry serve} runs it, it has no referrers API either;</li>
 *   <li>the same go-containerregistry registry with its referrers API turned on (src/test/go/referrersregistry),
 *       built with the Go toolchain, offline, from the module cache the script's crane build filled.</li>
 * </ul>
 * Whatever cannot be started is printed with the reason. Tests that need "a registry" skip only when none started;
 * tests that need the referrers API skip only when the third did not.
 */
final class LocalRegistries implements AutoCloseable {

    /** A running registry: its implementation, loopback address, and whether it serves the referrers API. */
    record Registry(String impl, String address, boolean referrersApi) {
        Repository repository(String name) {
            return new Repository(address, name);
        }

        @Override
        public String toString() {
            return impl + "@" + address;
        }
    }

    /** Resolves a {@link LocalRegistries} parameter to the run's shared instance. */
    static final class Extension implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
            return p.getParameter().getType() == LocalRegistries.class;
        }

        @Override
        public Object resolveParameter(ParameterContext p, ExtensionContext c) {
            return c.getRoot().getStore(ExtensionContext.Namespace.create(LocalRegistries.class))
                    .computeIfAbsent(LocalRegistries.class, k -> start(), LocalRegistries.class);
        }
    }

    static final Path REPO_ROOT = Path.of(System.getProperty("custody.repoRoot",
            Path.of(System.getProperty("user.dir")).getParent().toString())).toAbsolutePath().normalize();
    static final Path MODULE = REPO_ROOT.resolve("oci");
    static final Path CACHE = Path.of(Optional.ofNullable(System.getenv("CUSTODY_CACHE"))
            .orElse(System.getProperty("user.home") + "/.cache/custody"));
    static final Path CRANE = CACHE.resolve("bin/crane");

    private final List<Registry> running = new ArrayList<>();
    private final List<Path> scriptDirs = new ArrayList<>();
    private Process referrersProcess;
    private final List<String> problems = new ArrayList<>();

    static LocalRegistries start() {
        LocalRegistries r = new LocalRegistries();
        r.startScript("docker-registry", "auto");
        r.startScript("crane", "crane");
        r.startReferrersRegistry();
        System.out.println("[oci tests] registries: " + r.running + (r.problems.isEmpty() ? "" : "; not started: " + r.problems));
        Runtime.getRuntime().addShutdownHook(new Thread(r::close)); // also on Ctrl-C; close is idempotent
        return r;
    }

    /** Any running registry; skips the test (printing why) when none could be started. */
    Registry any() {
        assumeTrue(!running.isEmpty(), () -> "no local registry could be started: " + problems);
        return running.getFirst();
    }

    /** Every running registry; skips when there is none. */
    List<Registry> all() {
        any();
        return List.copyOf(running);
    }

    /** A registry with the referrers API. */
    Registry withReferrersApi() {
        return running.stream().filter(Registry::referrersApi).findFirst().orElseGet(() -> {
            assumeTrue(false, () -> "no registry with the referrers API could be started: " + problems);
            return null;
        });
    }

    /** A registry without the referrers API (the fallbacks' case); skips when none started. */
    Registry withoutReferrersApi() {
        return running.stream().filter(r -> !r.referrersApi()).findFirst().orElseGet(() -> {
            assumeTrue(false, () -> "no registry without the referrers API could be started: " + problems);
            return null;
        });
    }

    boolean craneAvailable() {
        return Files.isExecutable(CRANE);
    }

    private void startScript(String impl, String mode) {
        Path script = REPO_ROOT.resolve("scripts/image/registry.sh");
        try {
            Path dir = Files.createTempDirectory("custody-oci-" + impl + "-");
            ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "start", dir.toString());
            if (!mode.equals("auto")) {
                pb.environment().put("CUSTODY_REGISTRY_IMPL", mode);
            }
            pb.redirectErrorStream(false);
            Path err = dir.resolve("start.err");
            pb.redirectError(err.toFile());
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                problems.add(impl + ": registry.sh start failed: " + tail(Files.readString(err)));
                stopScript(dir);
                return;
            }
            String actual = Files.readString(dir.resolve("registry.impl")).trim();
            if (!actual.equals(impl)) {
                problems.add(impl + ": registry.sh started " + actual + " instead");
                stopScript(dir);
                return;
            }
            scriptDirs.add(dir);
            running.add(new Registry(impl, out.lines().reduce((a, b) -> b).orElse(""), false));
        } catch (IOException | InterruptedException e) {
            problems.add(impl + ": " + e);
        }
    }

    private void startReferrersRegistry() {
        Path source = MODULE.resolve("src/test/go/referrersregistry");
        Path binary = MODULE.resolve("target/referrers-registry/registry");
        try {
            Optional<Path> go = findGo();
            if (go.isEmpty()) {
                problems.add("referrers registry: no Go toolchain (go on PATH or /usr/local/go/bin/go) to build " + source);
                return;
            }
            Files.createDirectories(binary.getParent());
            ProcessBuilder build = new ProcessBuilder(go.get().toString(), "build", "-trimpath", "-o", binary.toString(), ".")
                    .directory(source.toFile())
                    .redirectErrorStream(true);
            Map<String, String> env = build.environment();
            env.put("GOTOOLCHAIN", "local");
            env.put("GOPROXY", "off"); // offline: the tests must not reach the network
            env.put("GOFLAGS", "-mod=readonly");
            env.put("GOMODCACHE", CACHE.resolve("go/mod").toString());
            env.put("GOCACHE", CACHE.resolve("go/build-cache").toString());
            env.put("CGO_ENABLED", "0");
            Process b = build.start();
            b.getOutputStream().close();
            String log = new String(b.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!b.waitFor(180, TimeUnit.SECONDS) || b.exitValue() != 0) {
                b.destroyForcibly();
                problems.add("referrers registry: go build failed (it needs go-containerregistry v0.22.1 in "
                        + CACHE.resolve("go/mod") + ", which scripts/image/registry.sh's crane build puts there): " + tail(log));
                return;
            }
            Process p = new ProcessBuilder(binary.toString(), "127.0.0.1:0").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] line = new byte[128];
            int n = 0;
            var in = p.getInputStream();
            for (int c; n < line.length && (c = in.read()) >= 0 && c != '\n'; ) {
                line[n++] = (byte) c;
            }
            String address = new String(line, 0, n, StandardCharsets.US_ASCII).trim();
            if (!address.startsWith("127.0.0.1:")) {
                p.destroyForcibly();
                problems.add("referrers registry: did not print its address");
                return;
            }
            referrersProcess = p;
            running.add(new Registry("ggcr-referrers", address, true));
        } catch (IOException | InterruptedException e) {
            problems.add("referrers registry: " + e);
        }
    }

    private static Optional<Path> findGo() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "go"))) {
                return Optional.of(Path.of(dir, "go"));
            }
        }
        Path usual = Path.of("/usr/local/go/bin/go");
        return Files.isExecutable(usual) ? Optional.of(usual) : Optional.empty();
    }

    private static String tail(String text) {
        String t = text.strip();
        return t.length() > 600 ? "..." + t.substring(t.length() - 600) : t;
    }

    private static void stopScript(Path dir) {
        try {
            Process p = new ProcessBuilder("bash", REPO_ROOT.resolve("scripts/image/registry.sh").toString(), "stop", dir.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0) {
                deleteTree(dir);
            }
        } catch (IOException | InterruptedException e) {
            // best effort; the directory is in the temporary directory
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public synchronized void close() {
        for (Path dir : scriptDirs) {
            stopScript(dir);
        }
        scriptDirs.clear();
        if (referrersProcess != null) {
            try {
                referrersProcess.getOutputStream().close(); // it exits when its stdin closes
            } catch (IOException e) {
                // already gone
            }
            referrersProcess.destroy();
            referrersProcess = null;
        }
    }
}
