package dev.custody.cli;

import dev.custody.evidence.Times;
import dev.custody.sbom.PackageUrl;
import dev.custody.store.Evidence;
import dev.custody.store.SbomStore;
import dev.custody.store.Store;
import dev.custody.store.StoreException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code custody query}: read the evidence store. */
@Command(name = "query", mixinStandardHelpOptions = true, description = "Query the evidence store.",
        subcommands = {QueryCommand.Components.class, QueryCommand.Artifact.class, QueryCommand.Decisions.class,
                QueryCommand.AdmittedWithout.class, InventoryQueries.Pods.class, InventoryQueries.Drift.class, InventoryQueries.Clusters.class,
                InventoryQueries.BuiltFrom.class, InventoryQueries.RunningWithout.class, InventoryQueries.NeverAdmitted.class,
                InventoryQueries.OlderPolicy.class, InventoryQueries.Registries.class, InventoryQueries.Reports.class})
final class QueryCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Shared by the query subcommands: the store, the output format, and error handling. */
    abstract static class Base implements Callable<Integer> {
        @Mixin
        StoreOption store;

        @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).")
        String output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract int query(Store s, PrintWriter out, boolean json);

        /** Checks the arguments before the store is opened (a typo must not create or migrate a database). */
        void validate() {}

        @Override
        public Integer call() {
            if (!output.equals("text") && !output.equals("json")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--output must be text or json, found \"" + output + "\"");
            }
            validate();
            try (Store s = store.open()) {
                return query(s, spec.commandLine().getOut(), output.equals("json"));
            } catch (StoreException e) {
                spec.commandLine().getErr().println("custody: store error: " + e.getMessage());
                return ExitCodes.INTERNAL_ERROR;
            }
        }

        String digest(String d) {
            if (!SbomStore.DIGEST.matcher(d).matches()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "digest must be sha256:<64 lower-case hex>, found \"" + d + "\"");
            }
            return d;
        }

        /** Checks an optional time option (null: not given). */
        void checkTime(String option, String text) {
            if (text != null) {
                time(option, text);
            }
        }

        long time(String option, String text) {
            try {
                return Times.parse(text, Instant.now());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + e.getMessage());
            }
        }
    }

    // Not mixinStandardHelpOptions: its --version would collide with the component version below, and picocli then
    // drops the mixin's --help with it.
    @Command(name = "components",
            description = {"Components of an image (every SBOM linked to its digest), or where a package is (by purl, or name and version)."})
    static final class Components extends Base {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Option(names = "--digest", paramLabel = "sha256:HEX", description = "Components of this image.")
        String digest;

        @Option(names = "--purl", paramLabel = "PURL", description = {"Find a package by purl, compared by its parts: any spelling (1.30+dfsg or "
                + "1.30%2Bdfsg), qualifiers in any order and counted only where given; without a version, every version."})
        String purl;

        private PackageUrl parsedPurl;

        @Option(names = "--name", paramLabel = "NAME", description = "Find a package by name.")
        String name;

        @Option(names = "--version", paramLabel = "VERSION", description = "With --name: only this version.")
        String version;

        @Override
        void validate() {
            int given = (digest != null ? 1 : 0) + (purl != null ? 1 : 0) + (name != null ? 1 : 0);
            if (given != 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give one of --digest, --purl or --name");
            }
            if (digest != null) {
                digest(digest);
            }
            if (purl != null) {
                try {
                    parsedPurl = PackageUrl.parse(purl);
                } catch (PackageUrl.MalformedException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--purl: " + e.getMessage());
                }
            }
        }

        @Override
        int query(Store s, PrintWriter out, boolean json) {
            Evidence e = new Evidence(s);
            if (digest != null) {
                List<Evidence.ComponentRow> rows = e.componentsOf(digest(digest));
                if (json) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("digest", digest);
                    o.put("components", rows);
                    Json.print(out, o);
                } else {
                    for (Evidence.ComponentRow r : rows) {
                        out.printf("%-60s %-30s %s%n", r.purl() == null ? "-" : r.purl(), r.name(), r.version() == null ? "-" : r.version());
                    }
                    out.println(rows.size() + " components");
                }
                return ExitCodes.OK;
            }
            List<Evidence.ComponentHit> hits = purl != null ? e.componentsByPurl(parsedPurl) : e.componentsByName(name, version);
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("components", hits.stream().map(h -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("purl", h.component().purl());
                    m.put("name", h.component().name());
                    m.put("version", h.component().version());
                    m.put("type", h.component().type());
                    m.put("licenses", h.component().licenses());
                    m.put("digests", h.digests());
                    m.put("sboms", h.sboms());
                    return m;
                }).toList());
                Json.print(out, o);
            } else {
                for (Evidence.ComponentHit h : hits) {
                    out.printf("%s  (%s %s)%n", h.component().purl() == null ? "-" : h.component().purl(), h.component().name(),
                            h.component().version() == null ? "-" : h.component().version());
                    for (String d : h.digests()) {
                        out.println("    in " + d);
                    }
                    if (h.digests().isEmpty()) {
                        out.println("    in " + h.sboms().size() + " SBOM(s) not linked to a digest");
                    }
                }
                out.println(hits.size() + " matching components");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "artifact", mixinStandardHelpOptions = true,
            description = "Everything known about an image digest: tags, signatures, provenance, SBOMs, decisions.")
    static final class Artifact extends Base {
        @Parameters(index = "0", paramLabel = "sha256:HEX")
        String digest;

        @Option(names = "--decisions", defaultValue = "20", paramLabel = "N", description = "How many recent decisions (default: ${DEFAULT-VALUE}).")
        int decisions;

        @Override
        void validate() {
            digest(digest);
        }

        @Override
        int query(Store s, PrintWriter out, boolean json) {
            Evidence.Artifact a = new Evidence(s).artifact(digest(digest), decisions);
            if (a == null) {
                spec.commandLine().getErr().println("custody: the store knows nothing about " + digest);
                return ExitCodes.DENIED;
            }
            List<dev.custody.store.RuntimeInventory.Admitted> running = new dev.custody.store.RuntimeInventory(s).runningWithAdmission(a.digest());
            if (json) {
                Json.print(out, dev.custody.evidence.InventoryViews.artifact(s, a, running));
                return ExitCodes.OK;
            }
            out.println(a.digest());
            a.tags().forEach(t -> out.println("  tag " + t.repository() + ":" + t.tag()));
            a.verifications().forEach(v -> out.println("  " + v.kind() + " by " + v.signerIdentity() + " (" + v.trustRoot() + ")"));
            a.provenance().forEach(p -> out.println("  built by " + p.builderId() + " from " + p.sourceRepository() + "@" + p.sourceCommit()));
            if (a.verifications().isEmpty()) {
                out.println("  no verified signatures or attestations");
            }
            for (Evidence.SbomSummary b : a.sboms()) {
                out.printf("  sbom %s %s %s, %d components, quality %.1f%n", b.contentHash(), b.format(), b.specVersion(),
                        b.components(), b.qualityScore());
                // quality records stored before deviations were kept have neither field
                int deviations = b.quality().path("deviationCount").asInt(0);
                if (deviations > 0) {
                    out.println("    deviates from its schema in " + deviations + (deviations == 1 ? " place:" : " places:"));
                    int listed = 0;
                    for (var d : b.quality().path("deviations")) {
                        if (listed++ == SbomCommand.LISTED_DEVIATIONS) {
                            break;
                        }
                        out.println("      " + d.path("path").asText() + " " + d.path("reason").asText() + ": " + d.path("message").asText());
                    }
                    if (deviations > SbomCommand.LISTED_DEVIATIONS) {
                        out.println("      and " + (deviations - SbomCommand.LISTED_DEVIATIONS) + " more (-o json)");
                    }
                }
            }
            if (a.sboms().isEmpty()) {
                out.println("  no SBOM");
            }
            a.decisions().forEach(d -> out.printf("  decision #%d %s %s %s/%s %s%n", d.seq(), Instant.ofEpochMilli(d.record().path("recordedAt").asLong()),
                    d.record().path("verdict").asText(), d.record().path("namespace").asText(), d.record().path("name").asText(),
                    d.record().path("source").asText()));
            for (var r : running) {
                out.printf("  runs in %s/%s pod %s (%s %s/%s, container %s), %s%n", r.row().cluster(), r.row().namespace(), r.row().pod(),
                        r.row().workload().kind(), r.row().namespace(), r.row().workload().name(), r.row().container(), r.decisionSeq() == null
                                ? "never seen by admission" : "admitted by decision #" + r.decisionSeq() + " under policies " + r.policyVersion());
            }
            if (running.isEmpty()) {
                out.println("  not running in any collected cluster");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "decisions", mixinStandardHelpOptions = true, description = "Logged decisions, newest first.")
    static final class Decisions extends Base {
        @Option(names = "--since", paramLabel = "TIME", description = "From this time (instant, date, or age such as 24h).")
        String since;

        @Option(names = "--until", paramLabel = "TIME", description = "Before this time.")
        String until;

        @Option(names = {"-n", "--namespace"}, paramLabel = "NS")
        String namespace;

        @Option(names = "--verdict", paramLabel = "VERDICT", description = "allowed, warned, denied or error.")
        String verdict;

        @Option(names = "--rule", paramLabel = "RULE", description = "Only decisions where this rule (policy/rule or rule) did not pass.")
        String rule;

        @Option(names = "--limit", defaultValue = "100", paramLabel = "N", description = "At most this many (default: ${DEFAULT-VALUE}).")
        int limit;

        @Override
        void validate() {
            checkTime("--since", since);
            checkTime("--until", until);
        }

        @Override
        int query(Store s, PrintWriter out, boolean json) {
            List<Evidence.Decision> ds = new Evidence(s).decisions(new Evidence.DecisionQuery(since == null ? null : time("--since", since),
                    until == null ? null : time("--until", until), namespace, verdict, rule, Math.max(1, Math.min(limit, 100_000))));
            if (json) {
                Json.print(out, Map.of("decisions", ds));
                return ExitCodes.OK;
            }
            for (Evidence.Decision d : ds) {
                var r = d.record();
                out.printf("#%d %s %-7s %s %s %s/%s by %s%n", d.seq(), Instant.ofEpochMilli(r.path("recordedAt").asLong()), r.path("verdict").asText(),
                        r.path("source").asText(), r.path("kind").asText(), r.path("namespace").asText(), r.path("name").asText(),
                        r.path("username").asText());
                for (var rule : r.path("rules")) {
                    String outcome = rule.path("outcome").asText();
                    if (!outcome.equals("PASS") && !outcome.equals("SKIP")) {
                        out.printf("    %s %s/%s %s at %s%n", outcome, rule.path("policy").asText(), rule.path("rule").asText(),
                                rule.path("reason").asText(), rule.path("path").asText());
                    }
                }
            }
            out.println(ds.size() + " decisions");
            return ExitCodes.OK;
        }
    }

    @Command(name = "admitted-without", mixinStandardHelpOptions = true,
            description = "Images admitted in a time window without a verified signature, or without an SBOM.")
    static final class AdmittedWithout extends Base {
        @Parameters(index = "0", paramLabel = "signature|sbom")
        String evidence;

        @Option(names = "--since", defaultValue = "24h", paramLabel = "TIME", description = "From this time (default: ${DEFAULT-VALUE} ago).")
        String since;

        @Option(names = "--until", paramLabel = "TIME", description = "Before this time (default: now).")
        String until;

        @Override
        void validate() {
            if (!evidence.equals("signature") && !evidence.equals("sbom")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "evidence must be signature or sbom, found \"" + evidence + "\"");
            }
            checkTime("--since", since);
            checkTime("--until", until);
        }

        @Override
        int query(Store s, PrintWriter out, boolean json) {
            long from = time("--since", since);
            long to = until == null ? System.currentTimeMillis() + 1 : time("--until", until);
            List<Evidence.Unevidenced> rows = new Evidence(s).admittedWithout(evidence, from, to);
            if (json) {
                Json.print(out, Map.of("evidence", evidence, "since", Instant.ofEpochMilli(from).toString(), "until",
                        Instant.ofEpochMilli(to).toString(), "images", rows));
                return ExitCodes.OK;
            }
            for (Evidence.Unevidenced u : rows) {
                out.printf("%-80s %6d admissions, last %s%n", u.image(), u.admissions(), Instant.ofEpochMilli(u.lastAdmitted()));
            }
            out.println(rows.size() + " images admitted without " + (evidence.equals("sbom") ? "an SBOM" : "a verified signature"));
            return ExitCodes.OK;
        }
    }
}
