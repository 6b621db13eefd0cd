package dev.custody.vulns;

import dev.custody.logfmt.Log;
import dev.custody.store.Exceptions;
import dev.custody.store.Store;
import dev.custody.vuln.gate.ExceptionGrant;
import dev.custody.vuln.gate.GateFinding;
import dev.custody.vuln.gate.VulnEvidence;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The vulnerability gate's evidence read from the store: each digest's SBOM components matched against the advisory
 * database (VEX applied, exploit feeds joined, first-seen kept), and the approved exceptions. Findings are computed
 * once per digest and held in memory, so an admission of a known digest is a map lookup; a digest not seen before is
 * matched from the store on first use. With {@link #start}, a background poll notices new advisories, VEX statements,
 * SBOMs or exception changes, reloads exceptions, and matches the held digests again; expired exceptions are written
 * as expired (an audit record each). The CLI uses it without {@code start}: one read, the same answers.
 */
public final class StoredVulnEvidence implements VulnEvidence, AutoCloseable {

    /** How long an expired exception is still read, so that a denial names it as expired. */
    static final long RECENTLY_EXPIRED = java.time.Duration.ofDays(30).toMillis();

    private final Store store;
    private final VulnMatcher matcher;
    private final Exceptions exceptions;
    private final Map<String, List<GateFinding>> held = new ConcurrentHashMap<>();
    private final Set<String> unscanned = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<String>> promoted = new ConcurrentHashMap<>();
    private volatile String promotionsVersion;
    private volatile List<ExceptionGrant> grants;
    private volatile List<dev.custody.policy.identity.BreakGlassGrant> glass = List.of();
    private volatile String findingsVersion;
    private volatile String exceptionsVersion;
    private volatile Runnable onChange = () -> {};
    private ScheduledExecutorService poll;

    public StoredVulnEvidence(Store store) {
        this.store = store;
        this.matcher = new VulnMatcher(store);
        this.exceptions = new Exceptions(store);
        this.findingsVersion = findingsVersion();
        this.exceptionsVersion = exceptions.version();
        this.promotionsVersion = promotionsVersion();
        this.grants = load();
    }

    /** Called (on the poll thread) after findings or exceptions changed, so re-evaluation can run. */
    public StoredVulnEvidence onChange(Runnable r) {
        this.onChange = r;
        return this;
    }

    @Override
    public List<GateFinding> findings(String digest) {
        List<GateFinding> f = held.get(digest);
        if (f != null) {
            return f;
        }
        if (unscanned.contains(digest)) {
            return null;
        }
        return compute(digest);
    }

    @Override
    public Set<String> promotions(String digest) {
        return promoted.computeIfAbsent(digest, d -> {
            Set<String> tiers = new java.util.TreeSet<>();
            new dev.custody.store.Promotions(store).of(d).forEach(p -> tiers.add(p.toTier()));
            return Set.copyOf(tiers);
        });
    }

    @Override
    public List<ExceptionGrant> exceptions(String digest) {
        List<ExceptionGrant> all = grants;
        if (all.isEmpty()) {
            return all;
        }
        List<ExceptionGrant> out = new ArrayList<>(2);
        for (ExceptionGrant g : all) {
            if (g.digest().equals(digest) || g.digest().equals(ExceptionGrant.ANY)) {
                out.add(g);
            }
        }
        return out;
    }

    /** The approved exception that covers a finding of this digest in any namespace now, or null (what {@code vuln match} shows). */
    public String exceptionFor(String digest, GateFinding f, long now) {
        for (ExceptionGrant g : exceptions(digest)) {
            if (g.activeAt(now) && (g.vulnerability().equals(ExceptionGrant.ANY) || f.names(g.vulnerability()))) {
                return g.id();
            }
        }
        return null;
    }

    /**
     * A digest's findings with the approved exception that covers each, as {@code vuln match --digest}, {@code vex
     * export} and the web UI's artifact page show them.
     */
    public static VulnMatcher.Result withExceptions(Store s, String digest, VulnMatcher.Result r) {
        StoredVulnEvidence ev = new StoredVulnEvidence(s);
        long now = System.currentTimeMillis();
        List<VulnMatcher.Finding> out = new java.util.ArrayList<>(r.findings().size());
        for (VulnMatcher.Finding f : r.findings()) {
            String exception = ev.exceptionFor(digest, new GateFinding(f.purl(), f.id(), f.aliases(), f.severity(), f.fixed(),
                    f.knownExploited(), f.status(), now), now);
            out.add(exception == null ? f : new VulnMatcher.Finding(f.purl(), f.id(), f.aliases(), f.severity(), f.score(), f.fixed(), f.sources(),
                    f.status(), exception, f.knownExploited(), f.epss(), f.epssPercentile(), f.vex(), f.summary()));
        }
        return new VulnMatcher.Result(out, r.unmatched(), r.components());
    }

    /** Every approved exception as last loaded (expired ones too, until a sweep writes them). */
    public List<ExceptionGrant> grants() {
        return grants;
    }

    /** How many digests' findings are held. */
    public int held() {
        return held.size();
    }

    /** Starts the background poll. */
    public StoredVulnEvidence start(long periodMillis) {
        poll = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "custody-vuln-evidence");
            t.setDaemon(true);
            return t;
        });
        poll.scheduleWithFixedDelay(this::refresh, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        return this;
    }

    /** One poll: expiries written, exceptions reloaded when they changed, held digests matched again when evidence changed. */
    public void refresh() {
        try {
            boolean changed = false;
            List<Exceptions.VulnException> expired = exceptions.sweep(now());
            for (Exceptions.VulnException e : expired) {
                Log.info("exception expired", "exception", e.id(), "vulnerability", e.vulnerability(), "digest", e.digest());
            }
            String ev = exceptions.version();
            if (!ev.equals(exceptionsVersion)) {
                exceptionsVersion = ev;
                grants = load();
                changed = true;
            }
            String pv = promotionsVersion();
            if (!pv.equals(promotionsVersion)) {
                promotionsVersion = pv;
                promoted.clear();
                changed = true;
            }
            String fv = findingsVersion();
            if (!fv.equals(findingsVersion)) {
                findingsVersion = fv;
                unscanned.clear();
                for (String d : List.copyOf(held.keySet())) {
                    compute(d);
                }
                changed = true;
            }
            if (changed) {
                onChange.run();
            }
        } catch (RuntimeException e) {
            Log.warn("vulnerability evidence refresh failed; serving what is held", "error", e.getMessage());
        }
    }

    private List<GateFinding> compute(String digest) {
        if (!scanned(digest)) {
            unscanned.add(digest);
            held.remove(digest);
            return null;
        }
        VulnMatcher.Result r;
        synchronized (matcher) {
            r = matcher.matchDigest(store, digest);
        }
        Set<String> keys = new LinkedHashSet<>();
        r.findings().forEach(f -> keys.add(f.id() + "\u0000" + f.purl()));
        long now = now();
        Map<String, Long> seen = exceptions.firstSeen(digest, keys, now);
        List<GateFinding> out = new ArrayList<>(r.findings().size());
        for (VulnMatcher.Finding f : r.findings()) {
            out.add(new GateFinding(f.purl(), f.id(), f.aliases(), f.severity(), f.fixed(), f.knownExploited(), f.status(),
                    seen.getOrDefault(f.id() + "\u0000" + f.purl(), now)));
        }
        List<GateFinding> list = List.copyOf(out);
        held.put(digest, list);
        return list;
    }

    /** A digest is scanned when the store links an SBOM to it or a scanner reported about it. */
    private boolean scanned(String digest) {
        return new dev.custody.store.SbomStore(store).linked(digest) || new dev.custody.store.ScanFindings(store).exists(digest);
    }

    @Override
    public List<dev.custody.policy.identity.BreakGlassGrant> breakGlass() {
        return glass;
    }

    private List<ExceptionGrant> load() {
        List<ExceptionGrant> out = new ArrayList<>();
        List<dev.custody.policy.identity.BreakGlassGrant> bg = new ArrayList<>();
        for (Exceptions.VulnException e : exceptions.granted(now(), RECENTLY_EXPIRED)) {
            if (e.breakGlass()) {
                bg.add(new dev.custody.policy.identity.BreakGlassGrant(e.id(), e.subject(), e.namespace(), e.approver(),
                        e.approvedAt() == null ? e.requestedAt() : e.approvedAt(), e.expiresAt(), e.reason(), e.requestedAt()));
                continue;
            }
            out.add(new ExceptionGrant(e.id(), e.digest(), e.namespace(), e.rule(), e.vulnerability(), e.requestedAt(),
                    e.approvedAt() == null ? e.requestedAt() : e.approvedAt(), e.expiresAt(), e.owner()));
        }
        glass = List.copyOf(bg);
        return List.copyOf(out);
    }

    private String promotionsVersion() {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*), COALESCE(MAX(at), 0) FROM promotion"); ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1) + "/" + rs.getLong(2);
            }
        });
    }

    /** What changes findings: advisories, exploit feeds, VEX statements, SBOM links and scanner reports, by count and latest write. */
    private String findingsVersion() {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT (SELECT generation FROM advisory_generation WHERE id = 1), (SELECT COUNT(*) FROM vex_statement), "
                    + "(SELECT COALESCE(MAX(imported_at), 0) FROM vex_statement), (SELECT COUNT(*) FROM sbom_link), "
                    + "(SELECT COALESCE(MAX(linked_at), 0) FROM sbom_link), (SELECT COUNT(*) FROM scan_finding), "
                    + "(SELECT COALESCE(MAX(imported_at), 0) FROM scan_finding)");
                 ResultSet rs = p.executeQuery()) {
                rs.next();
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= 7; i++) {
                    b.append(rs.getLong(i)).append('/');
                }
                return b.toString();
            }
        });
    }

    @Override
    public void close() {
        if (poll != null) {
            poll.shutdownNow();
        }
    }
}
