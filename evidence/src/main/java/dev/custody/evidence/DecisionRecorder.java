package dev.custody.evidence;

import dev.custody.admission.AdmissionRequest;
import dev.custody.decision.RuleResult;
import dev.custody.decision.WorkloadDecision;
import dev.custody.imageref.ImageReference;
import dev.custody.store.DecisionLog;
import dev.custody.store.DecisionRecord;
import dev.custody.workload.Container;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Turns decisions of the engine into decision-log records and writes them: in durable mode the caller waits (within
 * its deadline) until the record is committed; in asynchronous mode it does not.
 */
public final class DecisionRecorder implements AutoCloseable {

    /** Why a durable record could not be confirmed in time. */
    public static final class NotRecorded extends Exception {
        public NotRecorded(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** How long a durable caller waits for the store before it writes its record to the log's spool (when it has one). */
    public static final Duration SPOOL_AFTER = Duration.ofMillis(750);

    private final DecisionLog log;
    private final DecisionLog.Mode mode;
    private final Duration spoolAfter;

    public DecisionRecorder(DecisionLog log, DecisionLog.Mode mode) {
        this(log, mode, SPOOL_AFTER);
    }

    public DecisionRecorder(DecisionLog log, DecisionLog.Mode mode, Duration spoolAfter) {
        this.log = log;
        this.mode = mode;
        this.spoolAfter = spoolAfter;
    }

    public DecisionLog.Mode mode() {
        return mode;
    }

    public DecisionLog log() {
        return log;
    }

    /**
     * Records an admission decision. Durable: returns once committed, or throws when the store failed or the
     * budget ran out. Asynchronous: returns at once.
     */
    public void admission(AdmissionRequest req, WorkloadDecision d, String verdict, String policyVersion, Duration budget) throws NotRecorded {
        String name = d == null || d.workload().name().isEmpty() ? req.name() : d.workload().name();
        String namespace = d != null ? d.namespace() : req.namespace();
        DecisionRecord r = record(System.currentTimeMillis(), "admission", req.uid(), req.username(), req.operation(), namespace, req.kind(),
                name, verdict, req.dryRun(), policyVersion, d);
        write(r, budget);
    }

    private void write(DecisionRecord r, Duration budget) throws NotRecorded {
        if (mode == DecisionLog.Mode.ASYNC) {
            log.append(r);
            return;
        }
        try {
            log.appendDurable(r, spoolAfter, budget);
        } catch (TimeoutException e) {
            throw new NotRecorded("the decision log did not commit within " + budget.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw new NotRecorded("the decision log failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotRecorded("interrupted while waiting for the decision log", e);
        }
    }

    /** The record of one decision; d may be null when the object could not be read at all. */
    public static DecisionRecord record(long at, String source, String uid, String user, String operation, String namespace, String kind,
                                        String name, String verdict, boolean dryRun, String policyVersion, WorkloadDecision d) {
        List<DecisionRecord.Image> images = new ArrayList<>();
        List<DecisionRecord.RuleOutcome> rules = new ArrayList<>();
        if (d != null) {
            for (Container c : d.workload().containers()) {
                if (c.image() == null) {
                    continue;
                }
                String digest = null;
                String repository = null;
                String tag = null;
                if (c.imageRef() instanceof ImageReference.ParseResult.Parsed p) {
                    digest = p.reference().digest() == null ? null : p.reference().digest().toString();
                    repository = p.reference().name();
                    tag = p.reference().tag();
                }
                images.add(new DecisionRecord.Image(c.name(), c.image(), digest, repository, tag));
            }
            for (RuleResult r : d.results()) {
                rules.add(new DecisionRecord.RuleOutcome(r.policy(), r.rule(), r.outcome().name(), r.action().name(), r.code().name(),
                        r.path().toString(), r.message()));
            }
        }
        return new DecisionRecord(at, source, uid, user, operation, namespace, kind, name, verdict, dryRun, policyVersion, images, rules,
                evidence(d));
    }

    /** Verified signatures the decision relied on, by the pinned digest of the container they were checked for. */
    private static List<DecisionRecord.EvidenceRef> evidence(WorkloadDecision d) {
        if (d == null) {
            return List.of();
        }
        List<DecisionRecord.EvidenceRef> out = new ArrayList<>();
        for (RuleResult r : d.results()) {
            if (r.code() != dev.custody.decision.ReasonCode.SIGNATURE_VERIFIED && r.code() != dev.custody.decision.ReasonCode.SIGNATURE_VERIFIED_EARLIER) {
                continue;
            }
            for (Container c : d.workload().containers()) {
                if (c.imagePath().equals(r.path()) && c.imageRef() instanceof ImageReference.ParseResult.Parsed p && p.reference().digest() != null) {
                    out.add(new DecisionRecord.EvidenceRef("signature", p.reference().digest().toString(), r.qualifiedRule()));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        log.close();
    }
}
