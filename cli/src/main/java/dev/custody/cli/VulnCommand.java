package dev.custody.cli;

import dev.custody.sbom.Sbom;
import dev.custody.sbom.SbomException;
import dev.custody.sbom.SbomReader;
import dev.custody.store.Advisories;
import dev.custody.store.SbomStore;
import dev.custody.store.Store;
import dev.custody.store.StoreException;
import dev.custody.vulns.AdvisoryImport;
import dev.custody.vulns.VulnMatcher;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code custody vuln}: the advisory database, and matching SBOM components against it. */
@Command(name = "vuln", mixinStandardHelpOptions = true, description = "Vulnerabilities: import OSV advisories, match SBOMs and digests against them.",
        subcommands = {VulnCommand.Db.class, VulnCommand.Match.class, VulnCommand.Report.class})
final class VulnCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "report", mixinStandardHelpOptions = true, description = "Scanner reports as evidence of an image digest.",
            subcommands = {ReportImport.class})
    static final class Report implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Store scanner reports as findings of the digest they are about: Trivy JSON (trivy image -f json), Grype JSON",
                    "(grype -o json), or a cosign vuln attestation (predicate or in-toto statement). A scanner's latest report for a digest",
                    "replaces its earlier findings; vuln match and the gate merge them with the advisory database's, each with its source."},
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:every report stored", "2:a report cannot be used (the message names the file and field)", "3:store error"})
    static final class ReportImport implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "FILE")
        List<Path> files = new ArrayList<>();

        @Option(names = "--digest", paramLabel = "sha256:HEX", description = "The image the reports are about, when they do not name it.")
        String digest;

        @Mixin
        StoreOption store;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (digest != null && !SbomStore.DIGEST.matcher(digest).matches()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--digest must be sha256:<64 lower-case hex>, found \"" + digest + "\"");
            }
            PrintWriter out = spec.commandLine().getOut();
            int failed = 0;
            try (Store s = store.open()) {
                for (Path f : files) {
                    try {
                        var r = dev.custody.vulns.ScanImport.importFile(s, f, digest);
                        out.printf("%s: %d findings from %s%s for %s%n", f, r.findings(), r.scanner(), r.version() == null ? "" : " " + r.version(), r.digest());
                    } catch (java.nio.file.NoSuchFileException e) {
                        spec.commandLine().getErr().println("custody: " + f + ": no such file");
                        failed++;
                    } catch (IOException e) {
                        spec.commandLine().getErr().println("custody: " + f + ": " + e.getMessage());
                        failed++;
                    } catch (dev.custody.vuln.scan.ScanReport.InvalidReportException e) {
                        spec.commandLine().getErr().println("custody: " + f + ": " + e.getMessage());
                        failed++;
                    }
                }
            } catch (StoreException e) {
                spec.commandLine().getErr().println("custody: store error: " + e.getMessage());
                return ExitCodes.INTERNAL_ERROR;
            }
            return failed > 0 ? ExitCodes.INPUT_ERROR : ExitCodes.OK;
        }
    }

    @Command(name = "db", mixinStandardHelpOptions = true, description = "The advisory database in the store.",
            subcommands = {Import.class, Status.class})
    static final class Db implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Import OSV records: a .json record, a directory of them (recursively), or OSV's per-ecosystem all.zip files.",
                    "Incremental by each record's modified time (run it again to resume); withdrawn records are kept and match nothing;",
                    "a broken record is refused, named with the field that is wrong, and nothing of it is stored."},
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:imported (refused records are listed, and do not fail the import)", "2:a path cannot be read", "3:store error"})
    static final class Import implements Callable<Integer> {
        @Parameters(arity = "0..*", paramLabel = "PATH")
        List<Path> paths = new ArrayList<>();

        @Option(names = "--kev", paramLabel = "FILE", description = "A known-exploited vulnerabilities catalogue (KEV JSON); replaces the last one.")
        Path kev;

        @Option(names = "--epss", paramLabel = "FILE", description = "Exploit prediction scores (EPSS CSV, .gz too); replaces the last ones.")
        Path epss;

        @Mixin
        StoreOption store;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (paths.isEmpty() && kev == null && epss == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give OSV record paths, --kev or --epss");
            }
            for (Path p : paths) {
                if (!Files.exists(p)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), p + ": no such file or directory");
                }
            }
            long t0 = System.nanoTime();
            Map<String, String> kevs = null;
            Map<String, Advisories.Epss> scores = null;
            try {
                kevs = kev == null ? null : dev.custody.vulns.ExploitFeeds.readKev(kev);
                scores = epss == null ? null : dev.custody.vulns.ExploitFeeds.readEpss(epss);
            } catch (IOException e) {
                err.println("custody: " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            }
            try (Store s = store.open()) {
                if (kevs != null) {
                    new Advisories(s).replaceKev(kevs, kev.getFileName().toString());
                    out.println(kevs.size() + " known-exploited CVEs from " + kev);
                }
                if (scores != null) {
                    new Advisories(s).replaceEpss(scores);
                    out.println(scores.size() + " exploit prediction scores from " + epss);
                }
                if (paths.isEmpty()) {
                    return ExitCodes.OK;
                }
                AdvisoryImport.Result r = new AdvisoryImport(s, m -> {
                    err.println("custody: " + m);
                    err.flush();
                }).run(paths);
                r.refusals().forEach(x -> err.println("refused " + x));
                out.printf("%d added, %d updated, %d withdrawn, %d unchanged, %d refused (%.1f s)%n", r.added(), r.updated(), r.withdrawn(),
                        r.unchanged(), r.refused(), (System.nanoTime() - t0) / 1e9);
                rematch(s, r, out);
                return ExitCodes.OK;
            } catch (IOException e) {
                err.println("custody: " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            } catch (StoreException e) {
                err.println("custody: store error: " + e.getMessage());
                return ExitCodes.INTERNAL_ERROR;
            }
        }
    }

    /** What the changed records reach now: stored digests, and through the runtime inventory, what runs them. */
    static void rematch(Store s, AdvisoryImport.Result r, PrintWriter out) {
        if (r.changed().isEmpty()) {
            return;
        }
        if (r.changedTruncated()) {
            out.printf("re-matched: more than %d records changed; custody serve re-matches the digests it holds in the background, "
                    + "and vuln match --digest answers from the database now%n", AdvisoryImport.MAX_CHANGED);
            return;
        }
        long t0 = System.nanoTime();
        Map<String, java.util.Set<String>> reached = dev.custody.vulns.VulnerableDigests.reachedBy(s, r.changed());
        List<dev.custody.store.RuntimeInventory.Running> running = reached.isEmpty() ? List.of()
                : new dev.custody.store.RuntimeInventory(s).runningAny(reached.keySet());
        java.util.Set<String> pods = new java.util.TreeSet<>();
        java.util.Set<String> workloads = new java.util.TreeSet<>();
        java.util.Map<String, java.util.Set<String>> runsBy = new java.util.TreeMap<>();
        for (var x : running) {
            pods.add(x.cluster() + "/" + x.namespace() + "/" + x.pod());
            String w = x.cluster() + "/" + x.namespace() + "/" + x.workloadKind() + "/" + x.workloadName();
            workloads.add(w);
            runsBy.computeIfAbsent(x.digest(), k -> new java.util.TreeSet<>()).add(w);
        }
        out.printf("re-matched: %d stored digests reached by the %d changed records; %d pods of %d workloads run them (%.1f s)%n", reached.size(),
                r.changed().size(), pods.size(), workloads.size(), (System.nanoTime() - t0) / 1e9);
        int shown = 0;
        for (var e : reached.entrySet()) {
            if (shown++ == 50) {
                out.printf("  and %d more digests (vuln match --digest shows each)%n", reached.size() - 50);
                break;
            }
            var w = runsBy.getOrDefault(e.getKey(), java.util.Set.of());
            out.printf("  %s  %s%s%n", e.getKey(), String.join(", ", e.getValue()), w.isEmpty() ? "" : "  runs in " + String.join(", ", w));
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "How many advisories the store holds.")
    static final class Status implements Callable<Integer> {
        @Mixin
        StoreOption store;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            try (Store s = store.open()) {
                long[] c = new Advisories(s).counts();
                spec.commandLine().getOut().printf("%d advisories (%d withdrawn)%n", c[0], c[1]);
                return ExitCodes.OK;
            } catch (StoreException e) {
                spec.commandLine().getErr().println("custody: store error: " + e.getMessage());
                return ExitCodes.INTERNAL_ERROR;
            }
        }
    }

    @Command(name = "match", mixinStandardHelpOptions = true,
            description = {"Match an SBOM file's components (not stored) or a stored digest's SBOM components against the advisory database,",
                    "with each ecosystem's own version order."})
    static final class Match implements Callable<Integer> {
        @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        static final class Target {
            @Option(names = "--sbom", paramLabel = "FILE", required = true, description = "A CycloneDX or SPDX file.")
            Path sbom;

            @Option(names = "--digest", paramLabel = "sha256:HEX", required = true, description = "A digest whose SBOM the store holds.")
            String digest;
        }

        @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).")
        String output;

        @Mixin
        StoreOption store;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (!output.equals("text") && !output.equals("json")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--output must be text or json, found \"" + output + "\"");
            }
            List<String> purls = new ArrayList<>();
            if (target.sbom != null) {
                try {
                    Sbom sbom = SbomReader.read(Files.readAllBytes(target.sbom), target.sbom.toString());
                    sbom.components().forEach(c -> {
                        if (c.purl() != null) {
                            purls.add(c.purl());
                        }
                    });
                } catch (IOException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), target.sbom + ": " + e.getMessage());
                } catch (SbomException e) {
                    spec.commandLine().getErr().println("custody: " + e.getMessage());
                    return ExitCodes.INPUT_ERROR;
                }
            } else if (!SbomStore.DIGEST.matcher(target.digest).matches()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--digest must be sha256:<64 lower-case hex>, found \"" + target.digest + "\"");
            }
            try (Store s = store.open()) {
                if (target.digest != null && !new SbomStore(s).linked(target.digest) && !new dev.custody.store.ScanFindings(s).exists(target.digest)) {
                    spec.commandLine().getErr().println("custody: the store holds no SBOM of " + target.digest + " and no scanner report (custody sbom ingest, custody vuln report import)");
                    return ExitCodes.INPUT_ERROR;
                }
                VulnMatcher.Result r = target.digest != null ? new VulnMatcher(s).matchDigest(s, target.digest) : new VulnMatcher(s).match(purls);
                if (target.digest != null) {
                    r = dev.custody.vulns.StoredVulnEvidence.withExceptions(s, target.digest, r);
                }
                PrintWriter out = spec.commandLine().getOut();
                if (output.equals("json")) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put(target.digest != null ? "digest" : "sbom", target.digest != null ? target.digest : target.sbom.toString());
                    o.put("components", r.components());
                    o.put("findings", r.findings());
                    o.put("unmatched", r.unmatched());
                    Json.print(out, o);
                } else {
                    for (VulnMatcher.Finding f : r.findings()) {
                        out.printf("%-9s %-20s %s%s%s%s%s%n", f.severity(), f.id(), f.purl(), f.status().equals("affected") ? "" : "  [" + f.status() + "]",
                                f.exception() == null ? "" : "  [exception " + f.exception() + "]",
                                f.fixed().isEmpty() ? "" : "  fixed in " + String.join(", ", f.fixed()),
                                f.aliases().isEmpty() ? "" : "  (" + String.join(", ", f.aliases()) + ")");
                    }
                    out.printf("%d findings in %d components (%d not matchable)%n", r.findings().size(), r.components(), r.unmatched().size());
                }
                return ExitCodes.OK;
            } catch (StoreException e) {
                spec.commandLine().getErr().println("custody: store error: " + e.getMessage());
                return ExitCodes.INTERNAL_ERROR;
            }
        }
    }
}
