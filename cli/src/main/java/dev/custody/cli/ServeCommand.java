package dev.custody.cli;

import dev.custody.api.ApiServer;
import dev.custody.api.ApiTokens;
import dev.custody.evidence.DecisionRecorder;
import dev.custody.policy.PolicyParser;
import dev.custody.store.DecisionLog;
import dev.custody.store.Store;
import dev.custody.store.StoreException;
import dev.custody.logfmt.Log;
import dev.custody.signatures.Verification;
import dev.custody.server.Metrics;
import dev.custody.server.NamespaceCache;
import dev.custody.server.PolicyStore;
import dev.custody.server.SelfSigned;
import dev.custody.server.TlsMaterial;
import dev.custody.server.WebhookServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code custody serve}: the validating admission webhook. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the validating admission webhook over HTTPS: POST /validate, GET /healthz, /readyz, /metrics.",
                "Policies are reloaded when their files change; the TLS certificate too."})
final class ServeCommand implements java.util.concurrent.Callable<Integer> {

    /** Decisions the spool holds at most (about 1 GB at a typical record's size); past it, admission fails closed. */
    static final long SPOOL_LIMIT = 2_000_000;

    @Option(names = {"-p", "--policy"}, required = true, paramLabel = "FILE|DIR", description = "Policy file or directory (repeatable).")
    List<String> policies;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8443", description = "Port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--self-signed", description = "Mint a development CA and serving certificate; the CA bundle is written for the webhook configuration.")
    boolean selfSigned;

    @Option(names = "--tls-dir", paramLabel = "DIR", description = "Where --self-signed writes ca.crt, tls.crt and tls.key (default: the user's data directory).")
    Path tlsDir;

    @Option(names = "--tls-san", paramLabel = "NAME", description = "Extra DNS name or IP for the --self-signed certificate (repeatable).")
    List<String> sans = new ArrayList<>();

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Serving certificate (chain), reloaded when it changes.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "Serving key, reloaded when it changes.")
    Path tlsKey;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Watch namespaces through this kubeconfig (their labels select policies).")
    Path kubeconfig;

    @Option(names = "--pull-secrets", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "With --kubeconfig or --in-cluster: fetch signatures with the pod's imagePullSecrets, read from the API server "
                    + "(needs get on Secrets; default: ${DEFAULT-VALUE}).")
    boolean pullSecrets;

    @Option(names = "--collect", description = {"Also keep the runtime inventory (as `custody collect` does) of the cluster of --kubeconfig's",
            "current context or, with --in-cluster, of this cluster; needs a store. Its state shows in /readyz and /metrics."})
    boolean collect;

    @Option(names = "--leader-elect", description = {"With --collect: collect (and re-evaluate) only while this replica holds the cluster's Lease",
            "coordination.k8s.io/v1 " + Collectors.LEASE + " (needs get, create and update on leases); the other replicas stand by and take over",
            "when it is released or expires."})
    boolean leaderElect;

    @Option(names = "--lease-namespace", paramLabel = "NAMESPACE",
            description = "With --leader-elect: the Lease's namespace (default: $POD_NAMESPACE, the ServiceAccount's namespace, or default).")
    String leaseNamespace;

    @Option(names = "--lease-duration", defaultValue = "15s", paramLabel = "DURATION",
            description = {"With --leader-elect: how long a holder's claim lasts unrenewed: a killed leader is replaced within it; it renews within",
                    "2/3 of it and retries every 1/7 (default: ${DEFAULT-VALUE})."})
    String leaseDuration;

    @Option(names = "--cluster-name", paramLabel = "NAME", defaultValue = "in-cluster",
            description = "With --collect --in-cluster: the name the cluster is recorded under (default: ${DEFAULT-VALUE}).")
    String clusterName;

    @Option(names = "--reevaluate", negatable = true, paramLabel = "",
            description = {"Evaluate the running workloads of the store's inventory again, in the background, with the engine and caches",
                    "admission uses: when the policies, stored evidence, the denylist or the pods change, and every --reevaluate-every.",
                    "Results go to the store (`custody query reports`), /metrics and /readyz (default: on with --collect)."})
    Boolean reevaluate;

    @Option(names = "--reevaluate-every", defaultValue = "10m", paramLabel = "DURATION",
            description = "With --reevaluate: also evaluate again this often though nothing changed (verdicts expire; 0: only on change; default: ${DEFAULT-VALUE}).")
    String reevaluateEvery;

    @Option(names = "--policy-reports", description = {"With --collect: also write the verdicts as wgpolicyk8s.io/v1alpha2 PolicyReports, one per namespace",
            "(needs the CRD, deploy/crds/, and RBAC on policyreports)."})
    boolean policyReports;

    @Option(names = "--denylist-copy", paramLabel = "FILE",
            description = {"Keep the last denylist read from the store in this file, so a restart while the store is down still enforces it",
                    "(default: denylist-<store>.json in the user's data directory)."})
    java.nio.file.Path denylistCopy;

    @Option(names = "--in-cluster", description = "Watch namespaces with the pod's ServiceAccount (inside a cluster).")
    boolean inCluster;

    @Option(names = "--webhook-timeout", defaultValue = "10s", description = "Deadline when the API server sends none (default: ${DEFAULT-VALUE}).")
    String webhookTimeout;

    @Option(names = "--shutdown-grace", defaultValue = "20s", description = "How long shutdown waits for in-flight reviews (default: ${DEFAULT-VALUE}).")
    String shutdownGrace;

    @Option(names = "--reload-interval", defaultValue = "2s", description = "How often policy and TLS files are checked for changes (default: ${DEFAULT-VALUE}).")
    String reloadInterval;

    @CommandLine.Mixin
    StoreOption store;

    @Option(names = "--exception-warning", defaultValue = "7d", paramLabel = "AGE",
            description = "With a store: count approved vulnerability exceptions expiring within this as expiring (metric custody_exceptions_expiring).")
    String exceptionWarning;

    @Option(names = "--incident-interval", defaultValue = "2s",
            description = {"With a store: how often open incidents are tracked (running pods counted, burn-down kept, a blocked incident",
                    "closed at zero); 0 turns tracking off (default: ${DEFAULT-VALUE})."})
    String incidentInterval;

    @Option(names = "--notify-url", paramLabel = "URL",
            description = "POST incident alerts (opened, blocked, closed) here as JSON; retried with back-off, at most 5 attempts each.")
    java.net.URI notifyUrl;

    @Option(names = "--notify-secret-file", paramLabel = "FILE",
            description = "With --notify-url: sign each alert body with this secret (X-Custody-Signature: sha256=HMAC-SHA256).")
    Path notifySecret;

    @Option(names = "--decision-log", paramLabel = "MODE",
            description = {"durable: answer a review only after its decision is committed to the store (the default when a store is given);",
                    "async: commit shortly after answering; off: record nothing (the default without --store or $CUSTODY_STORE)."})
    String decisionLog;

    @Option(names = "--spool-dir", paramLabel = "DIR",
            description = {"With a decision log: keep here, forced to disk, the decisions the store does not take (down, or slower than 750 ms),",
                    "and write them to it when it answers again; one directory per process (default: the first free of spool-<store>, spool-<store>-2, ...",
                    "in the user's data directory)."})
    Path spoolDir;

    @Option(names = "--trusted-root", paramLabel = "FILE",
            description = "Sigstore trusted_root.json for keyless (Fulcio) trust rules (default: the public-good root shipped with Custody).")
    Path trustedRoot;

    @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]",
            description = "Talk plain HTTP to this registry when verifying signatures (loopback registries always are).")
    List<String> insecureRegistries = new ArrayList<>();

    @Option(names = "--retention", paramLabel = "AGE",
            description = {"Remove logged decisions older than this (e.g. 90d), checked hourly in small transactions; with --collect, also",
                    "the inventory history of pods stopped before then (default: keep all)."})
    String retention;

    @Option(names = "--api-port", paramLabel = "PORT", description = "Also serve the evidence API (HTTPS, bearer tokens) on this port; needs --api-tokens.")
    Integer apiPort;

    @Option(names = "--api-tokens", paramLabel = "FILE", description = "Tokens of the evidence API with their roles (see docs/api/openapi.yaml and the README).")
    Path apiTokens;

    @Option(names = "--no-ui", description = "Do not serve the web UI (/ui/ on the API port; a login takes an API token).")
    boolean noUi;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if (selfSigned == (tlsCert != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give either --self-signed or --tls-cert and --tls-key");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together");
        }
        if (kubeconfig != null && inCluster) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --kubeconfig or --in-cluster, not both");
        }
        if (collect && kubeconfig == null && !inCluster) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--collect needs --kubeconfig or --in-cluster");
        }
        if (collect && !store.given()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--collect needs a store (--store or $CUSTODY_STORE)");
        }
        boolean background = reevaluate != null ? reevaluate : collect;
        if (background && !store.given()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--reevaluate needs a store (--store or $CUSTODY_STORE)");
        }
        if (leaderElect && !collect) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--leader-elect needs --collect");
        }
        dev.custody.inventory.Leadership.Timings leaseTimings;
        try {
            leaseTimings = dev.custody.inventory.Leadership.Timings.of(duration("--lease-duration", leaseDuration));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--lease-duration: " + e.getMessage());
        }
        if (policyReports && (!collect || !background)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--policy-reports needs --collect (and re-evaluation on)");
        }
        Duration reevaluatePeriod = reevaluateEvery.equals("0") ? Duration.ZERO : duration("--reevaluate-every", reevaluateEvery);
        String mode = decisionLog != null ? decisionLog : store.given() ? "durable" : "off";
        if (!List.of("durable", "async", "off").contains(mode)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--decision-log must be durable, async or off, found \"" + mode + "\"");
        }
        if ((apiPort == null) != (apiTokens == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--api-port and --api-tokens go together");
        }
        ApiTokens tokens = null;
        if (apiTokens != null) {
            try {
                tokens = ApiTokens.load(apiTokens);
            } catch (java.io.IOException e) {
                err.println("custody: --api-tokens " + FileMessages.describe(String.valueOf(apiTokens), e));
                return ExitCodes.INPUT_ERROR;
            } catch (IllegalArgumentException e) {
                err.println("custody: " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            }
        }
        Duration timeout = duration("--webhook-timeout", webhookTimeout);
        Duration grace = duration("--shutdown-grace", shutdownGrace);
        Duration reload = duration("--reload-interval", reloadInterval);

        Path cert = tlsCert;
        Path key = tlsKey;
        if (selfSigned) {
            Path dir = tlsDir != null ? tlsDir : DataDir.resolve("tls");
            List<String> dns = new ArrayList<>(List.of("localhost"));
            List<String> ips = new ArrayList<>(List.of("127.0.0.1", "::1"));
            for (String s : sans) {
                (s.matches("[0-9.]+|.*:.*") ? ips : dns).add(s);
            }
            SelfSigned.Files3 files = SelfSigned.write(dir, dns, ips);
            cert = files.cert();
            key = files.key();
            out.println("CA bundle: " + files.caCert().toAbsolutePath());
            out.println("caBundle (base64): " + java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(files.caCert())));
            out.flush();
        }
        TlsMaterial tls;
        try {
            tls = new TlsMaterial(cert, key);
        } catch (java.io.IOException e) {
            // the JDK names neither file for some errors (a directory): name both, the pair is read together
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            err.println("custody: TLS pair " + cert + " / " + key + ": " + (m.equals("Is a directory") ? "a directory, not a PEM file" : m));
            return ExitCodes.INPUT_ERROR;
        }
        // read the kubeconfig before anything starts: a bad one is an input error with nothing to stop
        List<dev.custody.inventory.Clusters.Connection> collectFrom = List.of();
        if (collect) {
            try {
                collectFrom = kubeconfig != null ? dev.custody.inventory.Clusters.fromKubeconfig(kubeconfig, List.of(), 10_000)
                        : List.of(dev.custody.inventory.Clusters.inCluster(clusterName, 10_000));
            } catch (dev.custody.inventory.Clusters.ConfigException e) {
                err.println("custody: --collect: " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            }
        }
        NamespaceCache namespaces = null;
        Function<String, Map<String, String>> labels = ns -> Map.of();
        if (kubeconfig != null || inCluster) {
            namespaces = NamespaceCache.start(kubeconfig);
            labels = namespaces;
        }
        Store evidence = null;
        if (!mode.equals("off") || tokens != null || collect || background) {
            try {
                evidence = store.open();
            } catch (StoreException e) {
                err.println("custody: store error: " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            }
        }
        Metrics metrics = new Metrics();
        // connected to a cluster, trust rules may name keys kept in Secrets (key: k8s://NAMESPACE/NAME)
        dev.custody.server.KubeSecretKeys secretKeys = namespaces == null ? null : new dev.custody.server.KubeSecretKeys(namespaces.client());
        PolicyParser parser = secretKeys != null ? dev.custody.policy.trust.TrustRules.parser(secretKeys) : new PolicyParser();
        PolicyStore policyStore = new PolicyStore(policies, parser, labels, metrics);
        if (secretKeys != null) {
            policyStore.refreshingEvery(Duration.ofMinutes(1), secretKeys::used); // keys in Secrets rotate without a file change
        }
        java.util.function.Supplier<dev.custody.verify.TrustRoot> root;
        try {
            root = Verification.roots(trustedRoot); // resolved at start, not per request
        } catch (dev.custody.verify.TrustRootException e) {
            err.println("custody: --trusted-root: " + e.getMessage());
            return ExitCodes.INPUT_ERROR;
        }
        // Trust rules verify signatures in the image's registry; credentials come from the user's docker config,
        // and from the pod's imagePullSecrets when connected to a cluster.
        Verification verification = Verification.open(java.util.Set.copyOf(insecureRegistries), root, evidence);
        dev.custody.signatures.SignatureService signatureService = verification.service();
        if (namespaces != null && pullSecrets) {
            signatureService.pullSecrets(new dev.custody.server.KubePullSecrets(namespaces.client(), java.time.Clock.systemUTC()));
        }
        policyStore.verifyingWith(signatureService);
        // Argo CD and Flux resources, so the delivery rules can tell from which repository and path an object was applied
        dev.custody.server.GitOpsSources gitops = null;
        if (namespaces != null) {
            gitops = new dev.custody.server.GitOpsSources(namespaces.client()).start(Duration.ofSeconds(2));
            policyStore.readingSources(gitops);
        }
        // the emergency denylist, read from the shared store every half second and kept as a local copy that fails closed
        dev.custody.evidence.DenylistCache denylist = null;
        // local files kept per store under the data directory (String.hashCode is fixed by the language: the same name every run)
        String storeKey = evidence == null ? null : Integer.toHexString(evidence.location().display().hashCode());
        if (evidence != null) {
            java.nio.file.Path copy = denylistCopy != null ? denylistCopy : DataDir.resolve("denylist-" + storeKey + ".json");
            denylist = new dev.custody.evidence.DenylistCache(evidence, copy).start(500);
        }
        if (denylist != null) {
            policyStore.denying(denylist);
        }
        // the vulnerability gate's evidence: findings per digest and approved exceptions, held in memory, polled each second
        dev.custody.vulns.StoredVulnEvidence vulns = null;
        if (evidence != null) {
            vulns = new dev.custody.vulns.StoredVulnEvidence(evidence).start(1000);
            policyStore.judgingVulnerabilities(vulns);
            Duration warning;
            try {
                warning = dev.custody.policy.Ages.parse(exceptionWarning);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--exception-warning: " + e.getMessage());
            }
            metrics.judging(vulns, warning);
        }
        WebhookServer server = new WebhookServer(new WebhookServer.Options(host, port, timeout, grace, reload), policyStore, tls, namespaces, metrics);
        if (denylist != null) {
            server.denying(denylist);
        }
        if (!mode.equals("off")) {
            dev.custody.store.DecisionSpool spool;
            try {
                // one spool per process: the one given, or the first free slot of this store's under the data directory
                spool = spoolDir != null ? dev.custody.store.DecisionSpool.open(spoolDir, SPOOL_LIMIT)
                        : dev.custody.store.DecisionSpool.openFree(DataDir.resolve("spool-" + storeKey), 16, SPOOL_LIMIT);
            } catch (StoreException e) {
                err.println("custody: --spool-dir: " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            }
            metrics.spooling(spool);
            server.recordingTo(new DecisionRecorder(new DecisionLog(evidence, 1024, spool),
                    mode.equals("durable") ? DecisionLog.Mode.DURABLE : DecisionLog.Mode.ASYNC));
        }
        java.util.concurrent.ScheduledExecutorService pruner = null;
        if (retention != null && evidence != null) {
            Duration keep;
            try {
                keep = dev.custody.evidence.Times.age(retention);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--retention: " + e.getMessage());
            }
            Store prunable = evidence;
            pruner = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "custody-retention");
                t.setDaemon(true);
                return t;
            });
            pruner.scheduleWithFixedDelay(() -> {
                try {
                    var pruned = new dev.custody.store.Audit(prunable).prune(System.currentTimeMillis() - keep.toMillis(), 1000);
                    if (collect) {
                        new dev.custody.store.RuntimeInventory(prunable).prune(System.currentTimeMillis() - keep.toMillis());
                    }
                    if (pruned.records() > 0) {
                        Log.info("retention removed decisions", "records", pruned.records(), "anchorSeq", pruned.anchorSeq());
                    }
                } catch (RuntimeException e) {
                    Log.error("retention failed", "error", e.getMessage());
                }
            }, 1, 3600, java.util.concurrent.TimeUnit.SECONDS);
        } else if (retention != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--retention needs a store (--store or $CUSTODY_STORE)");
        }
        ApiServer api = null;
        try {
            server.start();
            if (tokens != null) {
                api = new ApiServer(host, apiPort, tls, tokens, evidence);
                if (!noUi) {
                    dev.custody.store.Store assessed = evidence;
                    String location = store.location();
                    // the same facts as custody assess with this server's policies and store; the cluster is not read here
                    api.withWebUi(() -> {
                        var a = policyStore.admission();
                        return PlatformAssessment.assess(a == null ? new dev.custody.policy.PolicySet(List.of()) : a.engine().policies(), assessed,
                                location, System.currentTimeMillis());
                    });
                }
                api.start();
            }
        } catch (java.io.IOException e) {
            err.println("custody: cannot listen on " + host + ": " + e.getMessage());
            server.close();
            if (evidence != null) {
                evidence.close();
            }
            return ExitCodes.INPUT_ERROR;
        }
        Collectors collectors = new Collectors(collectFrom, collect ? new dev.custody.store.RuntimeInventory(evidence) : null);
        if (collect) {
            if (leaderElect) {
                collectors.elect(leaseNamespace != null ? leaseNamespace : Collectors.defaultNamespace(), Collectors.identity(), leaseTimings);
            } else {
                collectors.start();
            }
            server.collecting(collectors::states);
        }
        dev.custody.evidence.Reevaluator reevaluator = null;
        if (background) {
            // the served policies' engine and the webhook's own verifier: the background decides as admission does
            reevaluator = new dev.custody.evidence.Reevaluator(evidence, () -> {
                var a = policyStore.admission();
                return a == null ? null : a.engine();
            }, signatureService, reevaluatePeriod, Duration.ofSeconds(5), Duration.ofSeconds(10));
            reevaluator.listener((run, reports) -> metrics.reevaluation(run));
            reevaluator.onlyWhile(collectors::leading); // with --leader-elect, the replica that collects judges too
            if (policyReports) {
                for (var c : collectFrom) {
                    var writer = new dev.custody.inventory.PolicyReports(c.name(), c.client(), m -> Log.warn(m, "cluster", c.name()));
                    reevaluator.listener((run, reports) -> writer.write(reports));
                }
            }
            if (vulns != null) {
                dev.custody.evidence.Reevaluator r = reevaluator;
                reevaluator.judgingVulnerabilities(vulns);
                vulns.onChange(r::vulnerabilitiesChanged);
            }
            server.reevaluating(reevaluator.start(1000));
        }
        dev.custody.evidence.IncidentTracker tracker = null;
        if (evidence != null && !incidentInterval.equals("0")) {
            tracker = new dev.custody.evidence.IncidentTracker(evidence);
            if (notifyUrl != null) {
                tracker.notifying(IncidentCommand.notifier(notifyUrl, notifySecret));
            }
            metrics.tracking(tracker);
            tracker.start(Math.max(200, duration("--incident-interval", incidentInterval).toMillis()));
        } else if (notifyUrl != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--notify-url needs a store and incident tracking on");
        }
        out.println("custody serve: https://" + host + ":" + server.port() + "/validate (ready: " + server.ready() + ")");
        if (collect) {
            out.println((leaderElect ? "collecting (the replica holding each cluster's Lease " + Collectors.LEASE + "): " : "collecting: ")
                    + String.join(", ", collectors.names()));
        }
        out.println("decision log: " + mode + (evidence != null && !mode.equals("off") ? " to " + evidence : ""));
        if (api != null) {
            out.println("evidence API: https://" + host + ":" + api.port() + "/api/v1/");
        }
        out.flush();
        if (policyStore.admission() == null) {
            err.println("custody: no valid policy set yet (" + policyStore.lastError() + "); serving 503 until the files are fixed");
        }
        CountDownLatch done = new CountDownLatch(1);
        Store openStore = evidence;
        ApiServer openApi = api;
        dev.custody.evidence.Reevaluator openReevaluator = reevaluator;
        dev.custody.evidence.IncidentTracker openTracker = tracker;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (openTracker != null) {
                openTracker.close();
            }
            collectors.close();
            if (openReevaluator != null) {
                openReevaluator.close();
            }
            server.close();
            verification.close();
            if (openApi != null) {
                openApi.close();
            }
            if (openStore != null) {
                openStore.close();
            }
            done.countDown();
        }, "custody-shutdown"));
        done.await();
        return ExitCodes.OK;
    }

    private Duration duration(String option, String text) {
        try {
            return WebhookServer.parseDuration(text);
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " must be a duration such as 10s or 500ms, found \"" + text + "\"");
        }
    }
}
