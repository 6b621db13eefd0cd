package dev.custody.vulns;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.sbom.PackageUrl;
import dev.custody.store.Advisories;
import dev.custody.store.Store;
import dev.custody.vuln.osv.OsvRecord;
import dev.custody.vuln.osv.RangeMatcher;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Matches components (purls) against the advisory database: each component is looked up by its OSV ecosystem and
 * package name, and every record in force is evaluated with the ecosystem's version order. Findings that name one
 * vulnerability by several ids (a GHSA and its CVE, a distribution's record of the same CVE) are merged per
 * component, with every id kept as an alias and each record's source named.
 */
public final class VulnMatcher {

    /**
     * One finding.
     *
     * @param status    affected (VEX statements and exceptions will refine it)
     * @param exception the exception that accepts it, or null
     */
    public record Finding(String purl, String id, List<String> aliases, String severity, Double score, List<String> fixed, List<String> sources,
                          String status, String exception, boolean knownExploited, Double epss, Double epssPercentile, Vex.Note vex,
                          String summary) {}

    /** Components the database cannot decide, and why (no version, no OSV ecosystem for the type). */
    public record Unmatched(String purl, String reason) {}

    public record Result(List<Finding> findings, List<Unmatched> unmatched, int components) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> RANK = List.of("critical", "high", "medium", "low", "none", "unknown");

    /** A record as the matcher holds it: parsed once, with what the store rated it. */
    private record Known(String id, String severity, Double score, OsvRecord record) {}

    /** How many records the matcher holds parsed, across the packages it has met (least recently used go first). */
    static final int HELD_RECORDS = 60_000;

    private final Advisories advisories;
    /** The database's generation the held keys and records belong to; -1 before the first match. */
    private long generation = -1;
    /** Every package some record in force affects: a component of any other package costs no query. */
    private java.util.Set<String> keys = java.util.Set.of();
    private int heldRecords;
    private final Map<String, List<Known>> byPackage = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<Known>> eldest) {
            if (heldRecords > HELD_RECORDS) {
                heldRecords -= eldest.getValue().size();
                return true;
            }
            return false;
        }
    };

    public VulnMatcher(Store store) {
        this.advisories = new Advisories(store);
    }

    /** The findings of the SBOM components the store holds for a digest, with the digest's VEX statements applied. */
    public Result matchDigest(Store store, String digest) {
        List<String> purls = new ArrayList<>();
        for (dev.custody.store.Evidence.ComponentRow c : new dev.custody.store.Evidence(store).componentsOf(digest)) {
            if (c.purl() != null) {
                purls.add(c.purl());
            }
        }
        Result r = match(purls);
        List<dev.custody.store.ScanFindings.Row> scanned = new dev.custody.store.ScanFindings(store).of(digest);
        List<Finding> findings = r.findings();
        if (!scanned.isEmpty()) {
            findings = exploits(withScanners(findings, scanned));
            findings.sort(Comparator.comparing(Finding::purl).thenComparing(f -> RANK.indexOf(f.severity())).thenComparing(Finding::id));
        }
        return new Result(Vex.apply(store, digest, findings), r.unmatched(), r.components());
    }

    /**
     * Scanner findings merged into the database's: a scanner's finding about the same package (purl without its
     * qualifiers, or name and version when the scanner gave no purl) naming the same vulnerability (by id or alias)
     * adds its source; one the database does not have becomes a finding of its own, with the scanner as its source.
     */
    static List<Finding> withScanners(List<Finding> findings, List<dev.custody.store.ScanFindings.Row> rows) {
        List<Finding> out = new ArrayList<>(findings);
        for (dev.custody.store.ScanFindings.Row row : rows) {
            Set<String> names = new java.util.HashSet<>();
            names.add(row.vulnerability().toUpperCase(java.util.Locale.ROOT));
            row.aliases().forEach(a -> names.add(a.toUpperCase(java.util.Locale.ROOT)));
            String source = row.source() + ":" + row.vulnerability();
            int hit = -1;
            for (int i = 0; i < out.size() && hit < 0; i++) {
                Finding f = out.get(i);
                if (samePackage(f.purl(), row) && (names.contains(f.id().toUpperCase(java.util.Locale.ROOT))
                        || f.aliases().stream().anyMatch(a -> names.contains(a.toUpperCase(java.util.Locale.ROOT))))) {
                    hit = i;
                }
            }
            if (hit >= 0) {
                Finding f = out.get(hit);
                Set<String> sources = new TreeSet<>(f.sources());
                sources.add(source);
                Set<String> aliases = new TreeSet<>(f.aliases());
                aliases.addAll(row.aliases());
                if (!row.vulnerability().equals(f.id())) {
                    aliases.add(row.vulnerability());
                }
                aliases.remove(f.id());
                Set<String> fixed = new LinkedHashSet<>(f.fixed());
                if (fixed.isEmpty()) {
                    fixed.addAll(row.fixed());
                }
                String severity = f.severity().equals("unknown") ? row.severity() : f.severity();
                out.set(hit, new Finding(f.purl(), f.id(), List.copyOf(aliases), severity, f.score(), List.copyOf(fixed), List.copyOf(sources), f.status(),
                        f.exception(), f.knownExploited(), f.epss(), f.epssPercentile(), f.vex(), f.summary()));
            } else {
                String purl = !row.purl().isEmpty() ? row.purl() : row.packageName() + (row.version() == null ? "" : "@" + row.version());
                out.add(new Finding(purl, row.vulnerability(), List.copyOf(new TreeSet<>(row.aliases())), row.severity(), null, row.fixed(),
                        List.of(source), "affected", null, false, null, null, null, null));
            }
        }
        return out;
    }

    /** Whether a finding's component is the package a scanner row names. */
    static boolean samePackage(String purl, dev.custody.store.ScanFindings.Row row) {
        PackageUrl a = PackageUrl.parseOrNull(purl);
        if (!row.purl().isEmpty()) {
            PackageUrl b = PackageUrl.parseOrNull(row.purl());
            if (a != null && b != null) {
                return a.type().equalsIgnoreCase(b.type()) && a.namespace().equalsIgnoreCase(b.namespace()) && a.name().equalsIgnoreCase(b.name())
                        && java.util.Objects.equals(a.version(), b.version());
            }
            return purl.equals(row.purl());
        }
        if (a != null) {
            return a.name().equalsIgnoreCase(row.packageName()) && java.util.Objects.equals(a.version(), row.version());
        }
        return purl.equals(row.packageName() + (row.version() == null ? "" : "@" + row.version()));
    }

    /** Drops what is held when the database changed since it was read. */
    private void refresh() {
        long g = advisories.generation();
        if (g != generation) {
            byPackage.clear();
            heldRecords = 0;
            keys = advisories.packageKeys();
            generation = g;
        }
    }

    private List<Known> known(String ecosystem, String name) {
        String key = ecosystem + "\u0000" + name;
        if (!keys.contains(key)) {
            return List.of();
        }
        List<Known> held = byPackage.get(key);
        if (held == null) {
            held = new ArrayList<>();
            for (Advisories.Stored s : advisories.affecting(ecosystem, name)) {
                OsvRecord r = parse(s);
                if (r != null) {
                    held.add(new Known(s.id(), s.severity(), s.score(), r));
                }
            }
            held = List.copyOf(held);
            heldRecords += held.size();
            byPackage.put(key, held);
        }
        return held;
    }

    public synchronized Result match(Collection<String> purls) {
        refresh();
        List<Finding> findings = new ArrayList<>();
        List<Unmatched> unmatched = new ArrayList<>();
        for (String text : new TreeSet<>(purls)) {
            PackageUrl p = PackageUrl.parseOrNull(text);
            if (p == null) {
                unmatched.add(new Unmatched(text, "not a package URL"));
                continue;
            }
            Optional<Ecosystems.Query> q = Ecosystems.of(p);
            if (q.isEmpty()) {
                unmatched.add(new Unmatched(text, "no OSV ecosystem for purl type " + p.type()));
                continue;
            }
            if (q.get().version() == null || q.get().version().isBlank()) {
                unmatched.add(new Unmatched(text, "no version: every version would match"));
                continue;
            }
            Ecosystems.Query query = q.get();
            List<Known> candidates = known(query.ecosystem(), query.name());
            if (candidates.isEmpty()) {
                continue;
            }
            List<Hit> hits = new ArrayList<>();
            for (Known s : candidates) {
                OsvRecord r = s.record();
                for (OsvRecord.Affected a : r.affected()) {
                    if (!Ecosystems.key(a.ecosystem()).equals(query.ecosystem()) || !Ecosystems.name(query.ecosystem(), a.name()).equals(query.name())) {
                        continue;
                    }
                    String release = Ecosystems.release(a.ecosystem());
                    if (release != null && query.release() != null && !release.equalsIgnoreCase(query.release())) {
                        continue; // another release of the distribution
                    }
                    RangeMatcher.Verdict v = RangeMatcher.evaluate(a, query.version());
                    if (v.affected()) {
                        hits.add(new Hit(s, r, v.fixed()));
                        break;
                    }
                }
            }
            findings.addAll(merge(text, hits));
        }
        findings = exploits(findings);
        findings.sort(Comparator.comparing(Finding::purl).thenComparing(f -> RANK.indexOf(f.severity())).thenComparing(Finding::id));
        return new Result(findings, unmatched, new TreeSet<>(purls).size());
    }

    /** Marks findings whose CVE ids are known exploited, and gives each the highest exploit prediction score of its CVEs. */
    List<Finding> exploits(List<Finding> findings) {
        Set<String> cves = new TreeSet<>();
        for (Finding f : findings) {
            cves.addAll(cvesOf(f));
        }
        if (cves.isEmpty()) {
            return findings;
        }
        Set<String> kev = advisories.knownExploited(cves);
        Map<String, Advisories.Epss> epss = advisories.epss(cves);
        List<Finding> out = new ArrayList<>(findings.size());
        for (Finding f : findings) {
            boolean known = false;
            Advisories.Epss best = null;
            for (String c : cvesOf(f)) {
                known |= kev.contains(c);
                Advisories.Epss e = epss.get(c);
                if (e != null && (best == null || e.score() > best.score())) {
                    best = e;
                }
            }
            out.add(new Finding(f.purl(), f.id(), f.aliases(), f.severity(), f.score(), f.fixed(), f.sources(), f.status(), f.exception(), known,
                    best == null ? null : best.score(), best == null ? null : best.percentile(), f.vex(), f.summary()));
        }
        return out;
    }

    private static List<String> cvesOf(Finding f) {
        List<String> out = new ArrayList<>();
        if (f.id().startsWith("CVE-")) {
            out.add(f.id());
        }
        f.aliases().stream().filter(a -> a.startsWith("CVE-")).forEach(out::add);
        return out;
    }

    private record Hit(Known stored, OsvRecord record, List<String> fixed) {}

    /** Hits of one component joined where their ids or aliases meet. */
    private static List<Finding> merge(String purl, List<Hit> hits) {
        List<List<Hit>> groups = new ArrayList<>();
        List<Set<String>> names = new ArrayList<>();
        for (Hit h : hits) {
            Set<String> ids = new LinkedHashSet<>();
            ids.add(h.record().id());
            ids.addAll(h.record().aliases());
            List<Integer> meet = new ArrayList<>();
            for (int g = 0; g < names.size(); g++) {
                if (!java.util.Collections.disjoint(names.get(g), ids)) {
                    meet.add(g);
                }
            }
            List<Hit> group = new ArrayList<>(List.of(h));
            Set<String> all = new LinkedHashSet<>(ids);
            for (int k = meet.size() - 1; k >= 0; k--) {
                int g = meet.get(k);
                group.addAll(groups.remove(g));
                all.addAll(names.remove(g));
            }
            groups.add(group);
            names.add(all);
        }
        List<Finding> out = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            List<Hit> group = groups.get(g);
            // the id to lead with: an ecosystem's own advisory before a bare CVE
            group.sort(Comparator.comparing((Hit h) -> h.record().id().startsWith("CVE-") ? 1 : 0).thenComparing(h -> h.record().id()));
            String id = group.get(0).record().id();
            Set<String> aliases = new TreeSet<>(names.get(g));
            aliases.remove(id);
            String severity = "unknown";
            Double score = null;
            Set<String> fixed = new LinkedHashSet<>();
            Set<String> sources = new TreeSet<>();
            String summary = null;
            for (Hit h : group) {
                if (RANK.indexOf(h.stored().severity()) < RANK.indexOf(severity)) {
                    severity = h.stored().severity();
                }
                if (h.stored().score() != null && (score == null || h.stored().score() > score)) {
                    score = h.stored().score();
                }
                fixed.addAll(h.fixed());
                sources.add("osv:" + h.record().id());
                if (summary == null) {
                    summary = h.record().summary();
                }
            }
            out.add(new Finding(purl, id, List.copyOf(aliases), severity, score, List.copyOf(fixed), List.copyOf(sources), "affected", null, false, null,
                    null, null, summary));
        }
        return out;
    }

    private static OsvRecord parse(Advisories.Stored s) {
        try {
            return OsvRecord.parse(JSON.readTree(s.json()));
        } catch (IOException | OsvRecord.InvalidRecordException e) {
            return null; // stored only after it parsed; a record that does not now is skipped, not guessed at
        }
    }
}
