package dev.custody.vulns;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.sbom.PackageUrl;
import dev.custody.store.Advisories;
import dev.custody.store.Evidence;
import dev.custody.store.Store;
import dev.custody.vuln.osv.OsvRecord;
import dev.custody.vuln.osv.RangeMatcher;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The stored digests a vulnerability reaches: every record of the advisory database that has the id or names it as
 * an alias, every package those records affect, every stored component of that package whose version the record's
 * ranges hold, and the digests whose SBOMs list those components. What the denylist and incidents use for a
 * vulnerability id. Distribution records name source packages; components are found by the purl the record gives
 * or its ecosystem and name, so a binary package known only by its {@code upstream} qualifier is not found yet.
 */
public final class VulnerableDigests {

    /** What was found: digests, the records used, and whether the database knew the id at all. */
    public record Reach(Set<String> digests, Set<String> records, boolean known) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private VulnerableDigests() {}

    public static Reach of(Store store, String vulnerability) {
        Advisories advisories = new Advisories(store);
        Evidence evidence = new Evidence(store);
        Set<String> digests = new TreeSet<>();
        Set<String> used = new TreeSet<>();
        for (Advisories.Stored s : advisories.allNaming(vulnerability)) {
            OsvRecord r;
            try {
                r = OsvRecord.parse(JSON.readTree(s.json()));
            } catch (IOException | OsvRecord.InvalidRecordException e) {
                continue;
            }
            if (r.isWithdrawn()) {
                continue;
            }
            used.add(r.id());
            for (OsvRecord.Affected a : r.affected()) {
                Optional<PackageUrl> base = base(a);
                if (base.isEmpty()) {
                    continue;
                }
                for (Evidence.ComponentHit hit : evidence.componentsByPurl(base.get())) {
                    PackageUrl c = PackageUrl.parseOrNull(hit.component().purl());
                    if (c != null && c.version() != null && RangeMatcher.evaluate(a, c.version()).affected()) {
                        digests.addAll(hit.digests());
                    }
                }
            }
        }
        return new Reach(digests, used, !used.isEmpty());
    }

    /**
     * The stored digests whose components records affect (withdrawn ones included: a withdrawal changes what they
     * match), each with the ids of the records that reach it: what an import re-matches.
     */
    public static java.util.Map<String, Set<String>> reachedBy(Store store, java.util.Collection<OsvRecord> records) {
        Evidence evidence = new Evidence(store);
        java.util.Map<String, Set<String>> out = new java.util.TreeMap<>();
        java.util.Map<String, java.util.List<Evidence.ComponentHit>> byBase = new java.util.HashMap<>();
        for (OsvRecord r : records) {
            for (OsvRecord.Affected a : r.affected()) {
                Optional<PackageUrl> base = base(a);
                if (base.isEmpty()) {
                    continue;
                }
                for (Evidence.ComponentHit hit : byBase.computeIfAbsent(base.get().toString(), k -> evidence.componentsByPurl(base.get()))) {
                    PackageUrl c = PackageUrl.parseOrNull(hit.component().purl());
                    if (c != null && c.version() != null && (r.isWithdrawn() || RangeMatcher.evaluate(a, c.version()).affected())) {
                        for (String d : hit.digests()) {
                            out.computeIfAbsent(d, k -> new TreeSet<>()).add(r.id());
                        }
                    }
                }
            }
        }
        return out;
    }

    /** The affected package as a purl without version: the record's own, else built from its ecosystem and name. */
    static Optional<PackageUrl> base(OsvRecord.Affected a) {
        if (a.purl() != null) {
            PackageUrl p = PackageUrl.parseOrNull(a.purl());
            if (p != null) {
                return Optional.of(new PackageUrl(p.type(), p.namespace(), p.name(), null, new java.util.TreeMap<>(), null));
            }
        }
        String key = Ecosystems.key(a.ecosystem());
        String name = a.name();
        String type;
        String ns = "";
        switch (key) {
            case "maven" -> {
                type = "maven";
                int colon = name.indexOf(':');
                if (colon > 0) {
                    ns = name.substring(0, colon);
                    name = name.substring(colon + 1);
                }
            }
            case "npm", "go", "packagist" -> {
                type = key.equals("go") ? "golang" : key.equals("packagist") ? "composer" : "npm";
                int slash = name.lastIndexOf('/');
                if (slash > 0) {
                    ns = name.substring(0, slash);
                    name = name.substring(slash + 1);
                }
            }
            case "pypi" -> type = "pypi";
            case "crates.io" -> type = "cargo";
            case "rubygems" -> type = "gem";
            case "nuget" -> type = "nuget";
            case "debian", "ubuntu" -> {
                type = "deb";
                ns = key;
            }
            case "alpine" -> {
                type = "apk";
                ns = "alpine";
            }
            default -> {
                return Optional.empty();
            }
        }
        return Optional.of(new PackageUrl(type, ns, name, null, new java.util.TreeMap<>(), null));
    }
}
