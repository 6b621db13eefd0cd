package dev.custody.cli;

import dev.custody.api.ApiServer;
import dev.custody.api.ApiTokens;
import dev.custody.evidence.DecisionRecorder;
import dev.custody.policy.PolicyParser;
import dev.custody.store.DecisionLog;
import dev.custody.store.Store;
import dev.custody.store.StoreException;
import dev.custody.server.Log;
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

    @Option(names = "--cluster-name", paramLabel = "NAME", defaultValue = "in-cluster",
            description = "With --collect --in-cluster: the name the cluster is recorded under (default: ${DEFAULT-VALUE}).")
    String clusterName;

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

    @Option(names = "--decision-log", paramLabel = "MODE",
            description = {"durable: answer a review only after its decision is committed to the store (the default when a store is given);",
                    "async: commit shortly after answering; off: record nothing (the default without --store or $CUSTODY_STORE)."})
    String decisionLog;

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
        if (!mode.equals("off") || tokens != null || collect) {
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
        java.util.function.Supplier<dev.custody.verify.TrustRoot> root = dev.custody.verify.TrustRoot::publicGood;
        if (trustedRoot != null) {
            try {
                dev.custody.verify.TrustRoot loaded = dev.custody.verify.TrustRoot.load(trustedRoot); // resolved at start, not per request
                root = () -> loaded;
            } catch (dev.custody.verify.TrustRootException e) {
                err.println("custody: --trusted-root: " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            }
        }
        // Trust rules verify signatures in the image's registry; credentials come from the user's docker config.
        dev.custody.oci.Keychain keychain = dev.custody.oci.DockerConfig.loadDefault().map(k -> (dev.custody.oci.Keychain) k)
                .orElse(dev.custody.oci.Keychain.anonymous());
        dev.custody.oci.RegistryClient registries = dev.custody.oci.RegistryClient.builder().keychain(keychain)
                .insecureRegistries(java.util.Set.copyOf(insecureRegistries)).build();
        dev.custody.signatures.SignatureService signatureService = new dev.custody.signatures.SignatureService(
                new dev.custody.signatures.OciSignatureSource(registries), root,
                dev.custody.signatures.SignatureService.Timings.DEFAULT, java.time.Clock.systemUTC());
        if (namespaces != null && pullSecrets) {
            signatureService.pullSecrets(new dev.custody.server.KubePullSecrets(namespaces.client(), java.time.Clock.systemUTC()));
        }
        policyStore.verifyingWith(signatureService);
        WebhookServer server = new WebhookServer(new WebhookServer.Options(host, port, timeout, grace, reload), policyStore, tls, namespaces, metrics);
        if (evidence != null) {
            dev.custody.store.Verifications verified = new dev.custody.store.Verifications(evidence);
            dev.custody.store.SbomStore sboms = new dev.custody.store.SbomStore(evidence);
            dev.custody.signatures.OciSignatureSource attestationSource = new dev.custody.signatures.OciSignatureSource(registries);
            // evidence is written off the admission path, through a bounded queue: when the store falls behind,
            // records are dropped with a log line rather than held in memory without limit
            java.util.concurrent.ExecutorService background = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                    new java.util.concurrent.ArrayBlockingQueue<>(256), r -> {
                        Thread t = new Thread(r, "custody-attested-sboms");
                        t.setDaemon(true);
                        return t;
                    }, new java.util.concurrent.RejectedExecutionHandler() {
                        private final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();

                        @Override
                        public void rejectedExecution(Runnable task, java.util.concurrent.ThreadPoolExecutor pool) {
                            long n = dropped.incrementAndGet();
                            if (Long.bitCount(n) == 1) { // 1, 2, 4, 8, ...: visible, without flooding the log
                                Log.warn("evidence queue full; verified evidence not stored", "droppedSoFar", n);
                            }
                        }
                    });
            signatureService.listener(new dev.custody.signatures.SignatureService.Listener() {
                @Override
                public void signature(dev.custody.imageref.ImageReference image, dev.custody.policy.trust.TrustSpec rule,
                                      dev.custody.policy.trust.SignatureVerdict v) {
                    verified.record(new dev.custody.store.Verifications.Verified(v.digest(), "signature", null, String.join(",", v.authorities()),
                            null, trustRoot(rule), System.currentTimeMillis(), v.detail()));
                    if (rule.attestations().isEmpty()) {
                        // attestations of the verified digest go into the store off the admission path
                        background.execute(() -> {
                            try {
                                AttestedSbomTask.run(attestationSource, signatureService, image, rule, v, verified, sboms);
                            } catch (RuntimeException e) {
                                Log.error("attestations not stored", "digest", v.digest(), "error", e.toString());
                            }
                        });
                    }
                }

                @Override
                public void attestations(dev.custody.imageref.ImageReference image, dev.custody.policy.trust.TrustSpec rule, String digest,
                                         List<dev.custody.verify.Attestations.Verified> statements) {
                    background.execute(() -> {
                        try {
                            var r = dev.custody.signatures.AttestationEvidence.store(verified, sboms.linked(digest) ? null : sboms, digest,
                                    trustRoot(rule), statements, System.currentTimeMillis());
                            r.problems().forEach(p -> Log.warn("attestation evidence incomplete", "digest", digest, "problem", p));
                        } catch (RuntimeException e) {
                            Log.error("attestations not stored", "digest", digest, "error", e.toString());
                        }
                    });
                }
            });
        }
        if (!mode.equals("off")) {
            server.recordingTo(new DecisionRecorder(new DecisionLog(evidence),
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
        List<dev.custody.inventory.ClusterCollector> collectors = new ArrayList<>();
        if (collect) {
            dev.custody.store.RuntimeInventory inventory = new dev.custody.store.RuntimeInventory(evidence);
            for (var c : collectFrom) {
                var collector = new dev.custody.inventory.ClusterCollector(c.name(), c.client(), inventory,
                        m -> Log.info("collector", "cluster", c.name(), "message", m));
                collector.start(250);
                collectors.add(collector);
            }
            server.collecting(() -> collectors.stream().map(c -> {
                var st = c.status();
                return new dev.custody.server.CollectorState(st.cluster(), st.state(), st.message(), st.lastWriteAt());
            }).toList());
        }
        out.println("custody serve: https://" + host + ":" + server.port() + "/validate (ready: " + server.ready() + ")");
        if (!collectors.isEmpty()) {
            out.println("collecting: " + String.join(", ", collectors.stream().map(dev.custody.inventory.ClusterCollector::cluster).toList()));
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
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            collectors.forEach(dev.custody.inventory.ClusterCollector::drain);
            collectors.forEach(dev.custody.inventory.ClusterCollector::close);
            server.close();
            signatureService.close();
            registries.close();
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

    /** How evidence names the trust rule it was verified for. */
    static String trustRoot(dev.custody.policy.trust.TrustSpec rule) {
        return "trust rule " + rule.name() + " (" + rule.id() + ")";
    }

    /** Records the attestations (and ingests the attested SBOMs) of a verified digest, logging what happened. */
    static final class AttestedSbomTask {
        private AttestedSbomTask() {}

        static void run(dev.custody.signatures.SignatureSource source, dev.custody.signatures.SignatureService service,
                        dev.custody.imageref.ImageReference image, dev.custody.policy.trust.TrustSpec rule,
                        dev.custody.policy.trust.SignatureVerdict v, dev.custody.store.Verifications verifications,
                        dev.custody.store.SbomStore sboms) {
            if (v.digest() == null || sboms.linked(v.digest())) {
                return; // verdicts are re-verified every few minutes; the attestations of a digest rarely change
            }
            try {
                var r = dev.custody.signatures.AttestedSboms.ingest(source, service, rule, image, v.digest(),
                        java.time.Instant.now().plusSeconds(30), trustRoot(rule), verifications, sboms);
                if (!r.stored().isEmpty()) {
                    Log.info("attested SBOMs stored", "digest", v.digest(), "sboms", r.stored().size());
                }
                r.problems().forEach(p -> Log.warn("attestation evidence incomplete", "digest", v.digest(), "problem", p));
            } catch (dev.custody.signatures.SignatureSource.Unavailable e) {
                Log.warn("attestations not fetched", "digest", v.digest(), "error", e.getMessage());
            }
        }
    }
}
