package dev.custody.cli;

import dev.custody.inventory.ClusterCollector;
import dev.custody.inventory.Clusters;
import dev.custody.store.RuntimeInventory;
import dev.custody.store.Store;
import dev.custody.store.StoreException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code custody collect}: the runtime inventory collector. */
@Command(name = "collect", mixinStandardHelpOptions = true,
        description = {"Record what runs: pods, their containers' running digests (imageID), owners, nodes, ServiceAccounts and",
                "namespaces, in one or more clusters, into the evidence store. Keeps watching until stopped, or lists once."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:recorded (with --once) or stopped", "2:usage error, unreadable kubeconfig, or an unreachable cluster (named)",
                "3:internal or store error"})
final class CollectCommand implements Callable<Integer> {

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Kubeconfig to read clusters from (default: $KUBECONFIG, else in-cluster).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME",
            description = "A kubeconfig context to collect, recorded as a cluster of that name (repeatable; default: the current context).")
    List<String> contexts = new ArrayList<>();

    @Option(names = "--cluster-name", paramLabel = "NAME", defaultValue = "in-cluster",
            description = "In-cluster: the name the cluster is recorded under (default: ${DEFAULT-VALUE}).")
    String clusterName;

    @Option(names = "--once", description = "List every cluster, record the snapshot and exit.")
    boolean once;

    @Option(names = "--retention", paramLabel = "AGE", defaultValue = "30d",
            description = "Keep the history of stopped pods this long (default: ${DEFAULT-VALUE}).")
    String retention;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "How long one request to an API server may take (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--listen", paramLabel = "HOST:PORT",
            description = {"While watching, serve GET /healthz, /readyz (200 once every cluster is listed and watched, else 503, with",
                    "each cluster's state as JSON) and /metrics over plain HTTP here, for probes and Prometheus (e.g. 0.0.0.0:9090)."})
    String listen;

    @Mixin
    StoreOption store;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long keep;
        try {
            keep = dev.custody.evidence.Times.age(retention).toMillis();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--retention: " + e.getMessage());
        }
        try {
            dev.custody.server.WebhookServer.parseDuration(timeout);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout: " + e.getMessage());
        }
        java.net.InetSocketAddress address = listen == null ? null : address(listen);
        List<Clusters.Connection> clusters;
        try {
            clusters = connect();
        } catch (Clusters.ConfigException e) {
            err.println("custody: " + e.getMessage());
            return ExitCodes.INPUT_ERROR;
        }
        try (Store s = store.open()) {
            RuntimeInventory inventory = new RuntimeInventory(s);
            return once ? snapshot(clusters, inventory, out, err) : watch(clusters, inventory, keep, address, err);
        } catch (StoreException e) {
            err.println("custody: store error: " + e.getMessage());
            return ExitCodes.INTERNAL_ERROR;
        } finally {
            clusters.forEach(c -> c.client().close());
        }
    }

    private List<Clusters.Connection> connect() {
        Path config = kubeconfig;
        if (config == null && System.getenv("KUBECONFIG") != null && !System.getenv("KUBECONFIG").isBlank()) {
            config = Path.of(System.getenv("KUBECONFIG").split(java.io.File.pathSeparator)[0]);
        }
        int timeoutMillis = (int) dev.custody.server.WebhookServer.parseDuration(timeout).toMillis();
        if (config == null) {
            if (!contexts.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--context needs --kubeconfig (or $KUBECONFIG)");
            }
            if (System.getenv("KUBERNETES_SERVICE_HOST") == null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "give --kubeconfig FILE (or set $KUBECONFIG); without either, collect runs only inside a cluster");
            }
            return List.of(Clusters.inCluster(clusterName, timeoutMillis));
        }
        if (!Files.isRegularFile(config)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--kubeconfig: no such file: " + config);
        }
        return Clusters.fromKubeconfig(config, contexts, timeoutMillis);
    }

    private int snapshot(List<Clusters.Connection> clusters, RuntimeInventory inventory, PrintWriter out, PrintWriter err) {
        int exit = ExitCodes.OK;
        for (Clusters.Connection c : clusters) {
            try {
                ClusterCollector.Snapshot s = new ClusterCollector(c.name(), c.client(), inventory, err::println).snapshot();
                out.printf("cluster %s: %d pods, %d containers, %d namespaces recorded%s (listed in %.1f s, stored in %.1f s)%n", s.cluster(), s.pods(),
                        s.containers(), s.namespaces(), s.vanished() > 0 ? "; " + s.vanished() + " pods gone since the last run" : "",
                        s.listMillis() / 1000.0, s.recordMillis() / 1000.0);
            } catch (ClusterCollector.UnreachableException e) {
                err.println("custody: context " + c.name() + ": " + e.getMessage());
                exit = ExitCodes.INPUT_ERROR;
            }
        }
        out.flush();
        return exit;
    }

    private java.net.InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        try {
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            if (colon < 1 || port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new java.net.InetSocketAddress(hostPort.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--listen must be HOST:PORT, found \"" + hostPort + "\"");
        }
    }

    /** /healthz, /readyz and /metrics of a watching collector (plain HTTP: they carry no secrets). */
    private static com.sun.net.httpserver.HttpServer probes(java.net.InetSocketAddress address, List<ClusterCollector> collectors)
            throws java.io.IOException {
        dev.custody.server.Metrics metrics = new dev.custody.server.Metrics();
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(address, 16);
        http.createContext("/", ex -> {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                byte[] body;
                int status = 200;
                String type = "text/plain; charset=utf-8";
                List<dev.custody.server.CollectorState> states = collectors.stream().map(c -> {
                    var st = c.status();
                    return new dev.custody.server.CollectorState(st.cluster(), st.state(), st.message(), st.lastWriteAt());
                }).toList();
                switch (path) {
                    case "/healthz" -> body = "ok\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    case "/readyz" -> {
                        boolean ready = states.stream().allMatch(st -> st.state().equals("watching"));
                        status = ready ? 200 : 503;
                        type = "application/json";
                        body = Json.MAPPER.writeValueAsBytes(java.util.Map.of("ready", ready, "collectors", states));
                    }
                    case "/metrics" -> {
                        states.forEach(metrics::collector);
                        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
                        metrics.write(buf);
                        type = metrics.contentType();
                        body = buf.toByteArray();
                    }
                    default -> {
                        status = 404;
                        body = "not found; the collector serves /healthz, /readyz and /metrics\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    }
                }
                ex.getResponseHeaders().set("Content-Type", type);
                ex.sendResponseHeaders(status, body.length);
                ex.getResponseBody().write(body);
            }
        });
        http.start();
        return http;
    }

    private int watch(List<Clusters.Connection> clusters, RuntimeInventory inventory, long keep, java.net.InetSocketAddress address,
                      PrintWriter err) {
        List<ClusterCollector> collectors = new ArrayList<>();
        for (Clusters.Connection c : clusters) {
            ClusterCollector collector = new ClusterCollector(c.name(), c.client(), inventory, m -> {
                err.println("custody collect: " + m);
                err.flush();
            });
            collector.start(250);
            collectors.add(collector);
        }
        com.sun.net.httpserver.HttpServer http = null;
        if (address != null) {
            try {
                http = probes(address, collectors);
                err.println("custody collect: probes and metrics on http://" + address.getHostString() + ":" + http.getAddress().getPort() + "/");
            } catch (java.io.IOException e) {
                err.println("custody: --listen " + listen + ": " + e.getMessage());
                collectors.forEach(ClusterCollector::close);
                return ExitCodes.INPUT_ERROR;
            }
        }
        com.sun.net.httpserver.HttpServer openHttp = http;
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            if (openHttp != null) {
                openHttp.stop(0);
            }
            collectors.forEach(ClusterCollector::drain);
            collectors.forEach(ClusterCollector::close);
            stop.countDown();
        }, "custody-collect-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        err.println("custody collect: watching " + String.join(", ", collectors.stream().map(ClusterCollector::cluster).toList())
                + " (stop with SIGTERM or Ctrl-C)");
        err.flush();
        long nextPrune = 0;
        try {
            while (!stop.await(Duration.ofSeconds(5).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                long now = System.currentTimeMillis();
                if (now >= nextPrune) {
                    try {
                        int pruned = inventory.prune(now - keep);
                        if (pruned > 0) {
                            err.println("custody collect: retention removed " + pruned + " stopped pods");
                        }
                    } catch (StoreException e) {
                        err.println("custody collect: retention: " + e.getMessage());
                    }
                    nextPrune = now + Duration.ofHours(1).toMillis();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ExitCodes.OK;
    }
}
