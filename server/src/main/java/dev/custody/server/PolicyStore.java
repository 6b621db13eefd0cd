package dev.custody.server;

import dev.custody.logfmt.Log;
import dev.custody.admission.Admission;
import dev.custody.engine.Engine;
import dev.custody.files.InputFiles;
import dev.custody.files.PolicyFiles;
import dev.custody.policy.InvalidPolicyException;
import dev.custody.policy.PolicyError;
import dev.custody.policy.PolicyParser;
import dev.custody.policy.PolicySet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The served policy set, loaded from files or directories (a mounted ConfigMap) and replaced atomically when
 * they change. A broken set never replaces a good one: the error goes to the log, the metrics and the
 * readiness detail, and the previous set keeps serving.
 */
public final class PolicyStore {

    private final List<String> paths;
    private final PolicyParser parser;
    private final Function<String, Map<String, String>> namespaceLabels;
    private final Metrics metrics;
    private volatile dev.custody.policy.trust.SignatureGatherer signatures;
    private volatile java.util.function.Supplier<dev.custody.engine.Denylisted> denylist = () -> dev.custody.engine.Denylisted.NONE;
    private final AtomicReference<Admission> current = new AtomicReference<>();
    private volatile String fingerprint = "";
    private volatile String lastError;
    private volatile java.time.Duration refresh;
    private volatile java.util.function.BooleanSupplier refreshNeeded = () -> false;
    private volatile long lastAttemptNanos = System.nanoTime();

    public PolicyStore(List<String> paths, PolicyParser parser, Function<String, Map<String, String>> namespaceLabels, Metrics metrics) {
        this.paths = List.copyOf(paths);
        this.parser = parser;
        this.namespaceLabels = namespaceLabels;
        this.metrics = metrics;
    }

    private volatile dev.custody.vuln.gate.VulnEvidence vulns;
    private volatile dev.custody.policy.identity.DeliverySources sources;

    /** Reads the cluster's GitOps resources for the delivery rules (applies from the next load). */
    public PolicyStore readingSources(dev.custody.policy.identity.DeliverySources sources) {
        this.sources = sources;
        return this;
    }

    /** Gives the vulnerability gate this stored evidence (held in memory; applies from the next load). */
    public PolicyStore judgingVulnerabilities(dev.custody.vuln.gate.VulnEvidence vulns) {
        this.vulns = vulns;
        return this;
    }

    /** Denies what this denylist lists, as it stands at each review (applies from the next load). */
    public PolicyStore denying(java.util.function.Supplier<dev.custody.engine.Denylisted> denylist) {
        this.denylist = denylist;
        return this;
    }

    /** Verifies signatures for trust rules with this gatherer (applies from the next load). */
    public PolicyStore verifyingWith(dev.custody.policy.trust.SignatureGatherer signatures) {
        this.signatures = signatures;
        return this;
    }

    /**
     * Also loads again every {@code interval} though no file changed: policies may read keys from Kubernetes
     * Secrets, which change without the files (a rotated or revoked key), and a load that failed because the API
     * server did not answer is retried. Only while {@code needed} says so (the policies read a Secret), so a set
     * without such keys is not parsed again every interval. The set is replaced only when something it holds changed.
     */
    public PolicyStore refreshingEvery(java.time.Duration interval, java.util.function.BooleanSupplier needed) {
        this.refresh = interval;
        this.refreshNeeded = needed;
        return this;
    }

    /** Loads when the files changed since the last attempt (or a refresh is due); returns true when a new set is now served. */
    public synchronized boolean reloadIfChanged() {
        String fp = fingerprint();
        java.time.Duration every = refresh;
        boolean due = every != null && System.nanoTime() - lastAttemptNanos >= every.toNanos() && refreshNeeded.getAsBoolean();
        boolean filesChanged = !fp.equals(fingerprint);
        if (!filesChanged && !due) {
            return false;
        }
        fingerprint = fp;
        lastAttemptNanos = System.nanoTime();
        try {
            PolicySet set = PolicyFiles.load(paths, parser);
            Admission serving = current.get();
            if (!filesChanged && serving != null && lastError == null && identity(set).equals(identity(serving.engine().policies()))) {
                return false; // a refresh that found nothing new: keep the set (and its metrics) as they are
            }
            Admission previous = current.getAndSet(new Admission(new Engine(set), namespaceLabels, signatures, denylist, vulns, sources));
            lastError = null;
            metrics.policyReload(true, set.policies().size());
            Log.info(previous == null ? "policies loaded" : "policies reloaded", "version", set.version(), "policies", set.policies().size(),
                    "previous", previous == null ? "none" : previous.engine().policies().version());
            return true;
        } catch (InvalidPolicyException e) {
            lastError = e.errors().stream().map(PolicyError::describe).collect(Collectors.joining("; "));
            metrics.policyReload(false, 0);
            Log.error(current.get() == null ? "policies rejected; not ready" : "policies rejected; still serving the previous set",
                    "errors", lastError);
            return false;
        }
    }

    /** What a set enforces: its sources' version and every trust rule's id (which covers keys read from Secrets). */
    private static String identity(PolicySet set) {
        StringBuilder b = new StringBuilder(set.version());
        for (var p : set.policies()) {
            for (var r : p.rules()) {
                if (r instanceof dev.custody.policy.trust.TrustRule t) {
                    b.append(' ').append(t.spec().id());
                }
            }
        }
        return b.toString();
    }

    /** The current admission, or null before the first good load. */
    public Admission admission() {
        return current.get();
    }

    public String lastError() {
        return lastError;
    }

    /** A hash of every policy file's name and content; cheap enough to poll every few seconds. */
    private String fingerprint() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            List<InputFiles.Problem> problems = new ArrayList<>();
            for (Path p : InputFiles.expand(paths, problems)) {
                if (p == null) {
                    continue;
                }
                md.update(p.toString().getBytes(StandardCharsets.UTF_8));
                try {
                    md.update(Files.readAllBytes(p));
                } catch (java.io.IOException e) {
                    md.update(("unreadable:" + e.getMessage()).getBytes(StandardCharsets.UTF_8));
                }
            }
            problems.forEach(s -> md.update(s.describe().getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
