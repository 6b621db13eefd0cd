package dev.custody.server;

import dev.custody.decision.RuleResult;
import dev.custody.decision.WorkloadDecision;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;

/** The Prometheus metrics of {@code custody serve}, on their own registry. */
public final class Metrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests = Counter.builder().name("custody_admission_requests_total")
            .help("AdmissionReviews answered, by verdict (allowed, warned, denied, skipped, invalid, error) and kind")
            .labelNames("verdict", "kind").register(registry);
    private final Histogram latency = Histogram.builder().name("custody_admission_duration_seconds")
            .help("Time from reading the request body to writing the response, by verdict")
            .labelNames("verdict").classicOnly()
            .classicUpperBounds(0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
            .register(registry);
    private final Counter outcomes = Counter.builder().name("custody_rule_outcomes_total")
            .help("Rule results in admission, by rule and outcome (pass, fail, warn, error, skip)")
            .labelNames("rule", "outcome").register(registry);
    private final Counter reloads = Counter.builder().name("custody_policy_reloads_total")
            .help("Policy set reloads, by result (loaded, rejected)").labelNames("result").register(registry);
    private final Gauge policyErrors = Gauge.builder().name("custody_policy_reload_error")
            .help("1 while the newest policy files are rejected and an older set is served").register(registry);
    private final Gauge policies = Gauge.builder().name("custody_policies_loaded")
            .help("Policies in the served set").register(registry);
    private final Counter tlsReloads = Counter.builder().name("custody_tls_reloads_total")
            .help("Serving certificate reloads, by result").labelNames("result").register(registry);

    private final Gauge collectorWatching = Gauge.builder().name("custody_collector_watching")
            .help("1 while the inventory collector of a cluster has listed it and every watch is up, 0 while starting or unreachable")
            .labelNames("cluster").register(registry);
    private final Gauge collectorLastWrite = Gauge.builder().name("custody_collector_last_write_timestamp_seconds")
            .help("When the inventory collector of a cluster last wrote to the store (0: never)").labelNames("cluster").register(registry);

    private final Counter reevaluations = Counter.builder().name("custody_reevaluation_runs_total")
            .help("Background re-evaluations of running workloads, by trigger (start, policy, evidence, denylist, vulnerabilities, inventory, periodic)")
            .labelNames("trigger").register(registry);
    private final Gauge reevaluatedAt = Gauge.builder().name("custody_reevaluation_last_run_timestamp_seconds")
            .help("When the last background re-evaluation finished").register(registry);
    private final Gauge reevaluationSeconds = Gauge.builder().name("custody_reevaluation_last_duration_seconds")
            .help("How long the last background re-evaluation took").register(registry);
    private final Gauge reevaluated = Gauge.builder().name("custody_reevaluation_workloads")
            .help("Running workloads by their verdict in the last background re-evaluation (pass, warn, fail, error)")
            .labelNames("verdict").register(registry);
    private final Gauge reevaluatedDenied = Gauge.builder().name("custody_reevaluation_denied_workloads")
            .help("Running workloads that admission, with today's rule actions, would deny").register(registry);

    private final Gauge incidentsOpen = Gauge.builder().name("custody_incidents_open")
            .help("Open incidents at the tracker's last pass").register(registry);
    private final Gauge incidentRunning = Gauge.builder().name("custody_incident_running_pods")
            .help("Pods running an open incident's target at the tracker's last pass").labelNames("incident").register(registry);
    private final Gauge incidentAffected = Gauge.builder().name("custody_incident_affected_pods")
            .help("Pods running the target of any open incident (a pod counted once per incident)").register(registry);
    private final Gauge alertsSent = Gauge.builder().name("custody_incident_alerts_sent")
            .help("Incident alerts this replica delivered to the webhook").register(registry);
    private final Gauge alertsFailed = Gauge.builder().name("custody_incident_alerts_failed")
            .help("Incident alerts this replica gave up on after every attempt").register(registry);
    private volatile dev.custody.evidence.IncidentTracker tracker;
    private final Gauge exceptionsActive = Gauge.builder().name("custody_exceptions_active")
            .help("Approved vulnerability exceptions in force now").register(registry);
    private final Gauge exceptionsExpiring = Gauge.builder().name("custody_exceptions_expiring")
            .help("Approved vulnerability exceptions in force that expire within the warning window (--exception-warning, default 7d)")
            .register(registry);
    private final Gauge vulnDigests = Gauge.builder().name("custody_vulnerability_digests_held")
            .help("Image digests whose findings the vulnerability gate holds in memory").register(registry);
    private volatile dev.custody.vulns.StoredVulnEvidence vulns;
    private final Gauge spooled = Gauge.builder().name("custody_decision_spool_records")
            .help("Decisions on this replica's local disk waiting for the store (it was unreachable or slow)").register(registry);
    private final Gauge spoolReplayed = Gauge.builder().name("custody_decision_spool_replayed")
            .help("Spooled decisions this replica has written to the store since it started").register(registry);
    private volatile dev.custody.store.DecisionSpool spool;
    private volatile long warnMillis = java.time.Duration.ofDays(7).toMillis();

    /** Reads the vulnerability gate's exceptions at each scrape; those expiring within {@code warn} are counted apart. */
    public void judging(dev.custody.vulns.StoredVulnEvidence v, java.time.Duration warn) {
        this.vulns = v;
        this.warnMillis = warn.toMillis();
    }

    private void exceptions() {
        var v = vulns;
        if (v == null) {
            return;
        }
        long now = System.currentTimeMillis();
        int active = 0;
        int expiring = 0;
        for (var g : v.grants()) {
            if (g.activeAt(now)) {
                active++;
                if (g.expiresAt() - now <= warnMillis) {
                    expiring++;
                }
            }
        }
        exceptionsActive.set(active);
        exceptionsExpiring.set(expiring);
        vulnDigests.set(v.held());
    }

    /** Reads the decision spool's depth at each scrape. */
    public void spooling(dev.custody.store.DecisionSpool s) {
        this.spool = s;
    }

    /** Reads open incidents and their running counts from the tracker at each scrape. */
    public void tracking(dev.custody.evidence.IncidentTracker t) {
        this.tracker = t;
    }

    private void incidents() {
        var t = tracker;
        if (t == null) {
            return;
        }
        var counts = t.lastCounts();
        incidentsOpen.set(counts.size());
        incidentRunning.clear();
        counts.forEach((id, n) -> incidentRunning.labelValues(id).set(n));
        incidentAffected.set(counts.values().stream().mapToInt(Integer::intValue).sum());
        var n = t.notifier();
        alertsSent.set(n == null ? 0 : n.sent());
        alertsFailed.set(n == null ? 0 : n.failed());
    }

    public void reevaluation(dev.custody.evidence.Reevaluator.Run run) {
        reevaluations.labelValues(run.trigger()).inc();
        reevaluatedAt.set(run.at() / 1000.0);
        reevaluationSeconds.set(run.millis() / 1000.0);
        for (String v : java.util.List.of("pass", "warn", "fail", "error")) {
            reevaluated.labelValues(v).set(run.verdicts().getOrDefault(v, 0));
        }
        reevaluatedDenied.set(run.denied());
    }

    public void collector(CollectorState s) {
        collectorWatching.labelValues(s.cluster()).set(s.state().equals("watching") ? 1 : 0);
        collectorLastWrite.labelValues(s.cluster()).set(s.lastWriteAt() / 1000.0);
    }

    public void admission(String verdict, String kind, long nanos, WorkloadDecision decision) {
        requests.labelValues(verdict, kind).inc();
        latency.labelValues(verdict).observe(nanos / 1e9);
        if (decision != null) {
            for (RuleResult r : decision.results()) {
                outcomes.labelValues(r.rule(), r.outcome().label()).inc();
            }
        }
    }

    public void policyReload(boolean ok, int count) {
        reloads.labelValues(ok ? "loaded" : "rejected").inc();
        policyErrors.set(ok ? 0 : 1);
        if (ok) {
            policies.set(count);
        }
    }

    public void tlsReload(boolean ok) {
        tlsReloads.labelValues(ok ? "loaded" : "rejected").inc();
    }

    public void write(OutputStream out) throws IOException {
        incidents();
        exceptions();
        var s = spool;
        if (s != null) {
            spooled.set(s.spooled());
            spoolReplayed.set(s.replayed());
        }
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
    }

    public String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
