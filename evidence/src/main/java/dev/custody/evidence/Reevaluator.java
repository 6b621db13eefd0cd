package dev.custody.evidence;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.decision.Outcome;
import dev.custody.decision.RuleResult;
import dev.custody.engine.Engine;
import dev.custody.logfmt.Log;
import dev.custody.policy.trust.SignatureGatherer;
import dev.custody.store.RuntimeInventory;
import dev.custody.store.Store;
import dev.custody.store.WorkloadReports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Background re-evaluation: the workloads that run now, evaluated again by the engine admission uses (through
 * {@link RunningWorkloads}, with the same gatherer and so the same caches), when the policy set changes, when evidence
 * or the denylist in the store changes, when pods come or go, and every {@code period} (verdicts expire: a signature
 * verified ten minutes ago is verified again). Each run replaces the workload reports in the store and is handed to
 * listeners (metrics, PolicyReport writers).
 *
 * <p>A registry storm is avoided by construction: one run at a time, pods evaluated one after another, each image
 * verified once per (digest, trust rule) by the gatherer's cache however many pods run it. Runs caused by changing
 * inventory or evidence are at least {@code settle} apart; a policy change runs at once.
 */
public final class Reevaluator implements AutoCloseable {

    /** Results kept per workload report, so one broken workload cannot grow a report without bound. */
    public static final int MAX_RESULTS = 200;

    /** One finished run. */
    public record Run(long at, String trigger, String policyVersion, int workloads, int pods, Map<String, Integer> verdicts, int denied,
                      long millis, WorkloadReports.Replaced replaced, List<String> problems) {}

    /** Told after every run, with the reports it wrote. Called on the evaluator's thread; must not block for long. */
    @FunctionalInterface
    public interface Listener {
        void evaluated(Run run, List<WorkloadReports.Report> reports);
    }

    /** What {@code /readyz} shows: idle before the first run, then the last run, or the error that stopped the last attempt. */
    public record Status(String state, Run last, String error) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Store store;
    private final Supplier<Engine> engine;
    private final SignatureGatherer gatherer;
    private final Duration period;
    private final Duration settle;
    private final Duration budget;
    private final List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "custody-reevaluate");
        t.setDaemon(true);
        return t;
    });

    private volatile Status status = new Status("idle", null, null);
    private Engine lastEngine;
    private WorkloadReports.Inputs lastInputs;
    private long lastRunNanos;
    private boolean ran;

    /**
     * @param engine   the engine of the policies served now (null before the first good load: nothing is evaluated)
     * @param gatherer verifies what trust rules need (null: trust rules report not checked)
     * @param budget   how long one pod's evidence may take to gather (cache misses wait on the registry this long)
     */
    public Reevaluator(Store store, Supplier<Engine> engine, SignatureGatherer gatherer, Duration period, Duration settle, Duration budget) {
        this.store = store;
        this.engine = engine;
        this.gatherer = gatherer;
        this.period = period;
        this.settle = settle;
        this.budget = budget;
    }

    private volatile dev.custody.vuln.gate.VulnEvidence vulns;
    private volatile boolean vulnsChanged;

    /** Judges vulnerabilities with this stored evidence; {@link #vulnerabilitiesChanged} asks for a run when it changes. */
    public Reevaluator judgingVulnerabilities(dev.custody.vuln.gate.VulnEvidence vulns) {
        this.vulns = vulns;
        return this;
    }

    /** New advisories, VEX statements, SBOMs or exceptions: running workloads are judged again at the next check. */
    public void vulnerabilitiesChanged() {
        vulnsChanged = true;
    }

    private volatile java.util.function.BooleanSupplier leading = () -> true;

    /**
     * Evaluates only while this holds (the replica leads its cluster's Lease): one replica of several does the
     * background work; the others stand by, and the one that takes over starts with a full run.
     */
    public Reevaluator onlyWhile(java.util.function.BooleanSupplier leading) {
        this.leading = leading;
        return this;
    }

    public Reevaluator listener(Listener l) {
        listeners.add(l);
        return this;
    }

    /** Starts watching for changes, checking every {@code pollMillis}. */
    public Reevaluator start(long pollMillis) {
        thread.scheduleWithFixedDelay(this::check, 0, pollMillis, TimeUnit.MILLISECONDS);
        return this;
    }

    public Status status() {
        return status;
    }

    /** Decides whether a run is due, and runs it; one call at a time, on the evaluator's thread. */
    private synchronized void check() {
        try {
            if (!leading.getAsBoolean()) {
                if (!status.state().equals("standby")) {
                    status = new Status("standby", status.last(), null);
                }
                ran = false; // the replica that leads next starts afresh
                return;
            }
            Engine now = engine.get();
            if (now == null) {
                return; // no valid policy set yet: nothing to evaluate against
            }
            WorkloadReports.Inputs inputs = new WorkloadReports(store).inputs();
            long sinceLast = System.nanoTime() - lastRunNanos;
            String trigger = null;
            if (!ran) {
                trigger = "start";
            } else if (now != lastEngine) {
                trigger = "policy";
            } else if (vulnsChanged) {
                vulnsChanged = false;
                trigger = "vulnerabilities";
            } else if (sinceLast >= settle.toNanos() && !inputs.equals(lastInputs)) {
                trigger = inputs.denylist() != lastInputs.denylist() ? "denylist"
                        : inputs.evidence() != lastInputs.evidence() ? "evidence" : "inventory";
            } else if (!period.isZero() && sinceLast >= period.toNanos()) {
                trigger = "periodic";
            }
            if (trigger != null) {
                lastEngine = now;
                lastInputs = inputs;
                run(now, trigger);
            }
        } catch (RuntimeException e) {
            status = new Status("failing", status.last(), e.toString());
            Log.error("background re-evaluation failed", "error", e.toString());
        }
    }

    /** Evaluates every running workload now and replaces the reports; returns the run. */
    public synchronized Run run(Engine engine, String trigger) {
        long start = System.nanoTime();
        ran = true;
        lastRunNanos = start;
        status = new Status("running", status.last(), null);
        List<RuntimeInventory.PresentPod> present = new RuntimeInventory(store).presentPods();
        // the denylist as the store holds it now: a run happens because it changed, among other things
        var denylist = DenylistCache.view(store, new dev.custody.store.Denylist(store).active(System.currentTimeMillis()));
        RunningWorkloads.Evaluation ev = RunningWorkloads.evaluate(engine, present, null, r -> r.outcome() != Outcome.SKIP, gatherer, budget,
                denylist, vulns);
        long now = System.currentTimeMillis();
        List<WorkloadReports.Report> reports = new ArrayList<>(ev.workloads().size());
        Map<String, Integer> verdicts = new LinkedHashMap<>();
        int denied = 0;
        for (RunningWorkloads.Verdict w : ev.workloads()) {
            String verdict = verdict(w.findings());
            verdicts.merge(verdict, 1, Integer::sum);
            denied += w.deniedToday() ? 1 : 0;
            reports.add(new WorkloadReports.Report(w.cluster(), w.namespace(), w.workload(), verdict, w.deniedToday(), w.pods().size(),
                    engine.policies().version(), trigger, now, now, results(w.findings())));
        }
        WorkloadReports.Replaced replaced = new WorkloadReports(store).replaceAll(reports, now);
        long millis = (System.nanoTime() - start) / 1_000_000;
        Run run = new Run(now, trigger, engine.policies().version(), reports.size(), ev.pods(), verdicts, denied, millis, replaced, ev.problems());
        status = new Status("evaluated", run, null);
        Log.info("background re-evaluation", "trigger", trigger, "workloads", reports.size(), "pods", ev.pods(), "changed", replaced.changed(),
                "failing", verdicts.getOrDefault("fail", 0), "millis", millis, "policies", engine.policies().version());
        for (Listener l : listeners) {
            try {
                l.evaluated(run, reports);
            } catch (RuntimeException e) {
                Log.error("background re-evaluation listener failed", "error", e.toString());
            }
        }
        return run;
    }

    /** The worst outcome: fail, then error, then warn, then pass (also for a workload no rule applied to). */
    static String verdict(List<RuleResult> results) {
        Outcome worst = Outcome.PASS;
        for (RuleResult r : results) {
            if (rank(r.outcome()) > rank(worst)) {
                worst = r.outcome();
            }
        }
        return worst.label();
    }

    private static int rank(Outcome o) {
        return switch (o) {
            case FAIL -> 3;
            case ERROR -> 2;
            case WARN -> 1;
            case PASS, SKIP -> 0;
        };
    }

    /** The results as {@code custody check -o json} names their fields, worst first, at most {@link #MAX_RESULTS}. */
    static String results(List<RuleResult> findings) {
        List<Map<String, Object>> out = InventoryViews.findings(findings.stream()
                .sorted((a, b) -> rank(b.outcome()) - rank(a.outcome())).limit(MAX_RESULTS).toList());
        try {
            return JSON.writeValueAsString(out);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
