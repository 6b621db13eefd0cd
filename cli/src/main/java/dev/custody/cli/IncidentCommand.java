package dev.custody.cli;

import dev.custody.evidence.IncidentNotifier;
import dev.custody.evidence.IncidentTracker;
import dev.custody.evidence.OsvAdvisory;
import dev.custody.evidence.Times;
import dev.custody.store.Denylist;
import dev.custody.store.Incidents;
import dev.custody.store.Store;
import dev.custody.store.StoreException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code custody incident}: a bad artifact from the first query to the post-incident review. */
@Command(name = "incident", mixinStandardHelpOptions = true,
        description = {"Incidents: open one for a digest, a package or a vulnerability; see its blast radius from the evidence and the",
                "runtime inventory; block it (denylist entries named for it); decide per workload (restart, rollback, patch-forward,",
                "quarantine); follow its burn-down until nothing runs it. `custody serve` with a store tracks open incidents."},
        subcommands = {IncidentCommand.Open.class, IncidentCommand.Show.class, IncidentCommand.ListIncidents.class, IncidentCommand.Block.class,
                IncidentCommand.Act.class, IncidentCommand.Close.class, IncidentCommand.Track.class})
final class IncidentCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static String actor() {
        return System.getProperty("user.name", "");
    }

    /** A subcommand on the store: usage errors exit 2 and name the option, store errors exit 3. */
    abstract static class Sub implements Callable<Integer> {
        @Mixin
        StoreOption store;

        @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).")
        String output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract int run(IncidentTracker t, PrintWriter out, boolean json);

        void validate() {}

        @Override
        public Integer call() {
            if (!output.equals("text") && !output.equals("json")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--output must be text or json, found \"" + output + "\"");
            }
            validate();
            try (Store s = store.open(); IncidentTracker t = new IncidentTracker(s)) {
                return run(t, spec.commandLine().getOut(), output.equals("json"));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            } catch (StoreException e) {
                spec.commandLine().getErr().println("custody: store error: " + e.getMessage());
                return ExitCodes.INTERNAL_ERROR;
            }
        }

        Incidents.Incident incident(IncidentTracker t, String id) {
            Incidents.Incident i = t.incidents().get(id);
            if (i == null) {
                throw new IllegalArgumentException("no incident " + id + " (custody incident list shows them)");
            }
            return i;
        }
    }

    @Command(name = "open", mixinStandardHelpOptions = true,
            description = {"Open an incident and print its id. The blast radius is read at once: what runs the target now.",
                    "With --block, its denylist entries are added too."})
    static final class Open extends Sub {
        @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        static final class Target {
            @Option(names = "--digest", paramLabel = "sha256:HEX", required = true, description = "One image digest.")
            String digest;

            @Option(names = "--package", paramLabel = "PURL", required = true,
                    description = "A package as a scanner prints its purl; with a version that version, without every version.")
            String purl;

            @Option(names = "--vulnerability", paramLabel = "ID", required = true,
                    description = "A vulnerability id (CVE, GHSA, ...); its affected packages come from --advisory.")
            String vulnerability;
        }

        @Option(names = "--advisory", paramLabel = "FILE",
                description = "With --vulnerability: its OSV record; the affected versions it lists are the incident's packages.")
        Path advisory;

        @Option(names = "--title", required = true, description = "What happened, in a line.")
        String title;

        @Option(names = "--severity", defaultValue = "high", description = "critical, high, medium or low (default: ${DEFAULT-VALUE}).")
        String severity;

        @Option(names = "--owner", paramLabel = "TEAM", description = "Who leads the response.")
        String owner;

        @Option(names = "--block", description = "Also add the denylist entries that block the target (as `incident block`).")
        boolean block;

        @Option(names = "--reason", description = "With --block: the entries' reason (default: the title).")
        String reason;

        @Override
        void validate() {
            if (advisory != null && target.vulnerability == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--advisory goes with --vulnerability");
            }
        }

        @Override
        int run(IncidentTracker t, PrintWriter out, boolean json) {
            long now = System.currentTimeMillis();
            Incidents.TargetKind kind;
            String value;
            List<String> packages = new ArrayList<>();
            int unresolved = 0;
            if (target.digest != null) {
                kind = Incidents.TargetKind.DIGEST;
                value = target.digest;
            } else if (target.purl != null) {
                kind = Incidents.TargetKind.PACKAGE;
                value = target.purl;
            } else {
                kind = Incidents.TargetKind.VULNERABILITY;
                value = target.vulnerability;
                if (advisory != null) {
                    OsvAdvisory a = OsvAdvisory.read(advisory);
                    if (!a.id().equals(value) && !a.aliases().contains(value)) {
                        throw new IllegalArgumentException("--advisory " + advisory + " is " + a.id()
                                + (a.aliases().isEmpty() ? "" : " (" + String.join(", ", a.aliases()) + ")") + ", not " + value);
                    }
                    packages.addAll(a.packages());
                    unresolved = a.unresolved();
                }
            }
            if (block) {
                t.blockable(kind, value, packages); // refuse before anything is written
            }
            Incidents.Incident i = t.open(kind, value, packages, title, severity, owner, actor(), now);
            if (block) {
                t.block(i, reason, actor(), System.currentTimeMillis());
            }
            Map<String, Object> radius = t.blastRadius(i);
            if (json) {
                Json.print(out, t.view(t.incidents().get(i.id())));
                return ExitCodes.OK;
            }
            out.println(i.id());
            PrintWriter err = spec.commandLine().getErr();
            @SuppressWarnings("unchecked")
            Map<String, Integer> counts = (Map<String, Integer>) radius.get("counts");
            err.printf("%s: %d pods of %d workloads in %d namespaces of %d clusters run it%s%n", i.id(), counts.get("pods"), counts.get("workloads"),
                    counts.get("namespaces"), counts.get("clusters"), block ? "; blocked" : "");
            if (kind == Incidents.TargetKind.VULNERABILITY) {
                err.printf("%s: %d affected package versions from the advisory%s%n", i.id(), packages.size(),
                        unresolved == 0 ? "" : "; " + unresolved + " affected entries give ranges without listed versions and are not counted");
            }
            err.flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "An incident: target, blast radius now, burn-down, timeline and the post-incident summary.")
    static final class Show extends Sub {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        @SuppressWarnings("unchecked")
        int run(IncidentTracker t, PrintWriter out, boolean json) {
            Map<String, Object> v = t.view(incident(t, id));
            if (json) {
                Json.print(out, v);
                return ExitCodes.OK;
            }
            Map<String, Object> target = (Map<String, Object>) v.get("target");
            out.printf("%s  %s  [%s, %s]%n  %s %s%n  opened %s by %s%s%n", v.get("id"), v.get("title"), v.get("severity"), v.get("state"),
                    target.get("kind"), target.get("value"), v.get("openedAt"), v.get("openedBy"),
                    v.get("closedAt") == null ? "" : "; closed " + v.get("closedAt") + " by " + v.get("closedBy") + " (" + v.get("resolution")
                            + (v.get("note") == null ? "" : ": " + v.get("note")) + ")");
            Map<String, Object> r = (Map<String, Object>) v.get("blastRadius");
            Map<String, Object> counts = (Map<String, Object>) r.get("counts");
            out.printf("blast radius: %s pods, %s workloads, %s namespaces, %s clusters; teams %s%n", counts.get("pods"), counts.get("workloads"),
                    counts.get("namespaces"), counts.get("clusters"), r.get("teams"));
            for (Map<String, Object> w : (List<Map<String, Object>>) r.get("workloads")) {
                out.printf("  %s/%s %s/%s: %s pods%s%n", w.get("cluster"), w.get("namespace"), w.get("kind"), w.get("name"), w.get("pods"),
                        w.get("team") == null ? "" : " (team " + w.get("team") + ")");
            }
            List<Map<String, Object>> refs = (List<Map<String, Object>>) r.get("referencedBy");
            long notRunning = refs.stream().filter(m -> !(Boolean) m.get("runningNow")).count();
            if (notRunning > 0) {
                out.println("  admitted before, not running now:");
                refs.stream().filter(m -> !(Boolean) m.get("runningNow")).forEach(m -> out.printf("    %s/%s/%s (last %s %s)%n", m.get("namespace"),
                        m.get("kind"), m.get("name"), m.get("lastVerdict"), m.get("lastDecision")));
            }
            List<Map<String, Object>> fixed = (List<Map<String, Object>>) r.get("fixedImages");
            out.println(fixed.isEmpty() ? "fixed image: none known" : "fixed image: " + fixed.get(0).get("repository") + "@" + fixed.get(0).get("digest")
                    + " (" + fixed.get(0).get("basis") + ")" + (fixed.size() > 1 ? " and " + (fixed.size() - 1) + " more" : ""));
            out.println("burn-down:");
            for (Map<String, Object> p : (List<Map<String, Object>>) v.get("burndown")) {
                out.printf("  %s  %4s running%n", p.get("time"), p.get("running"));
            }
            out.println("timeline:");
            for (Map<String, Object> e : (List<Map<String, Object>>) v.get("timeline")) {
                out.printf("  %s  %-8s %s %s%n", e.get("time"), e.get("event"), e.get("actor"), e.get("detail"));
            }
            Map<String, Object> s = (Map<String, Object>) v.get("summary");
            Map<String, Object> adm = (Map<String, Object>) s.get("firstAdmitted");
            out.println("summary:");
            out.println("  first admitted: " + (adm == null ? "no admission decision recorded" : adm.get("time") + " (" + adm.get("verdict") + ", "
                    + adm.get("object") + ", decision " + adm.get("decision") + ", policy " + adm.get("policyVersion") + ")"));
            out.printf("  detected %s; %s; %s; peak %s running%n", s.get("detectedAt"),
                    s.get("blockedAt") == null ? "not blocked" : "blocked " + s.get("blockedAt") + " (after " + s.get("timeToBlockSeconds") + " s)",
                    s.get("zeroAt") == null ? "still running" : "zero " + s.get("zeroAt") + " (after " + s.get("timeToZeroSeconds") + " s)",
                    s.get("peakRunning"));
            if (s.get("closedAt") != null) {
                out.println("  closed " + s.get("closedAt"));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Incidents, newest first.")
    static final class ListIncidents extends Sub {
        @Option(names = "--state", defaultValue = "open", description = "open, closed or all (default: ${DEFAULT-VALUE}).")
        String state;

        @Override
        void validate() {
            if (!List.of("open", "closed", "all").contains(state)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--state must be open, closed or all, found \"" + state + "\"");
            }
        }

        @Override
        int run(IncidentTracker t, PrintWriter out, boolean json) {
            List<Incidents.Incident> list = t.incidents().list(state.equals("all") ? null : state);
            if (json) {
                Json.print(out, Map.of("incidents", list));
                return ExitCodes.OK;
            }
            for (Incidents.Incident i : list) {
                out.printf("%s  %-6s %-8s %4d running  %s %s  %s%n", i.id(), i.state(), i.severity(), i.running(), i.targetKind().label(), i.target(),
                        i.title());
            }
            out.println(list.size() + " incidents");
            return ExitCodes.OK;
        }
    }

    @Command(name = "block", mixinStandardHelpOptions = true,
            description = {"Block the incident's target: a denylist entry for its digest, or one per package, each naming the incident.",
                    "Every `custody serve` replica denies new admissions within its poll (0.5 s)."})
    static final class Block extends Sub {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(names = "--reason", description = "The entries' reason (default: the incident's title).")
        String reason;

        @Override
        int run(IncidentTracker t, PrintWriter out, boolean json) {
            List<Denylist.Entry> added = t.block(incident(t, id), reason, actor(), System.currentTimeMillis());
            if (json) {
                Json.print(out, Map.of("incident", id, "entries", added));
                return ExitCodes.OK;
            }
            added.forEach(e -> out.println("denylisted " + e.value() + " (id " + e.id() + ") for " + id));
            return ExitCodes.OK;
        }
    }

    @Command(name = "action", mixinStandardHelpOptions = true,
            description = {"Record what is done with one workload of the blast radius: restart, rollback, patch-forward or quarantine.",
                    "Quarantine writes a deny-all NetworkPolicy for the workload's affected pods (to --out, else stdout) and, with --apply,",
                    "applies it and labels the pods custody.dev/quarantine=ID."})
    static final class Act extends Sub {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(names = "--workload", required = true, paramLabel = "NAMESPACE/KIND/NAME", description = "e.g. shop/Deployment/api")
        String workload;

        @Option(names = "--cluster", description = "The cluster, when several run the workload.")
        String cluster;

        @Option(names = "--action", required = true, description = "restart, rollback, patch-forward or quarantine.")
        String action;

        @Option(names = "--note", description = "What was decided and why.")
        String note;

        @Option(names = "--out", paramLabel = "FILE", description = "With quarantine: write the NetworkPolicy here.")
        Path outFile;

        @Option(names = "--apply", description = "With quarantine: apply the NetworkPolicy and label the pods (needs --kubeconfig).")
        boolean apply;

        @Option(names = "--kubeconfig", paramLabel = "FILE", description = "With --apply: the cluster's kubeconfig (its current context).")
        Path kubeconfig;

        @Override
        void validate() {
            if (workload.split("/", -1).length != 3) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--workload is NAMESPACE/KIND/NAME, found \"" + workload + "\"");
            }
            if (apply && (!action.equals("quarantine") || kubeconfig == null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--apply goes with --action quarantine and --kubeconfig");
            }
        }

        @Override
        int run(IncidentTracker t, PrintWriter out, boolean json) {
            Incidents.Incident i = incident(t, id);
            String[] w = workload.split("/", -1);
            IncidentTracker.Action a = t.action(i, cluster, w[0], w[1], w[2], action);
            boolean applied = false;
            List<String> pods = a.pods();
            if (a.networkPolicy() != null) {
                String yaml;
                try {
                    yaml = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().writeValueAsString(a.networkPolicy());
                    if (outFile != null) {
                        Files.writeString(outFile, yaml);
                    } else if (!json) {
                        out.print(yaml);
                    }
                } catch (java.io.IOException e) {
                    throw new IllegalArgumentException("--out " + outFile + ": " + e.getMessage());
                }
                if (apply) {
                    List<dev.custody.inventory.Clusters.Connection> cs;
                    try {
                        cs = dev.custody.inventory.Clusters.fromKubeconfig(kubeconfig, List.of(), 10_000);
                    } catch (RuntimeException e) {
                        throw new IllegalArgumentException("--kubeconfig: " + e.getMessage());
                    }
                    try (var client = cs.get(0).client()) {
                        pods = dev.custody.inventory.Quarantine.apply(client, a.networkPolicy(), IncidentTracker.QUARANTINE_LABEL, i.id(), a.pods());
                        applied = true;
                    } catch (IllegalStateException e) {
                        spec.commandLine().getErr().println("custody: " + e.getMessage());
                        return ExitCodes.INTERNAL_ERROR;
                    }
                }
            }
            var done = new IncidentTracker.Action(a.cluster(), a.namespace(), a.kind(), a.name(), a.action(), pods, a.networkPolicy());
            t.recordAction(i, done, note, applied, actor(), System.currentTimeMillis());
            if (json) {
                Json.print(out, Map.of("incident", i.id(), "action", action, "pods", pods, "applied", applied));
            } else {
                spec.commandLine().getErr().printf("%s: %s recorded for %s (%d affected pods%s)%n", i.id(), action, workload, pods.size(),
                        applied ? ", NetworkPolicy applied and pods labelled" : "");
                spec.commandLine().getErr().flush();
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "close", mixinStandardHelpOptions = true,
            description = {"Close an incident. When nothing runs its target it closes as no longer running (the tracker does this itself",
                    "for a blocked incident); while pods still run it, only with --accept-risk by someone other than who opened it."})
    static final class Close extends Sub {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(names = "--accept-risk", paramLabel = "NOTE", description = "Why the remaining risk is accepted, and until when.")
        String acceptRisk;

        @Override
        int run(IncidentTracker t, PrintWriter out, boolean json) {
            Incidents.Incident i = incident(t, id);
            boolean closed = t.closeByHand(i, acceptRisk, actor(), System.currentTimeMillis());
            if (!closed) {
                throw new IllegalArgumentException("incident " + id + " is closed already");
            }
            out.println("closed " + id);
            return ExitCodes.OK;
        }
    }

    @Command(name = "track", mixinStandardHelpOptions = true,
            description = {"Track open incidents as `custody serve` does: count running pods, keep the burn-down, close blocked incidents",
                    "at zero, and send webhook alerts. With --once, one pass."})
    static final class Track extends Sub {
        @Option(names = "--once", description = "One pass, then exit.")
        boolean once;

        @Option(names = "--interval", defaultValue = "2s", description = "Between passes (default: ${DEFAULT-VALUE}).")
        String interval;

        @Option(names = "--notify-url", paramLabel = "URL", description = "POST opened, blocked and closed events here as JSON.")
        java.net.URI notifyUrl;

        @Option(names = "--notify-secret-file", paramLabel = "FILE", description = "Sign each alert body: X-Custody-Signature: sha256=HMAC.")
        Path notifySecret;

        @Override
        int run(IncidentTracker t, PrintWriter out, boolean json) {
            if (notifyUrl != null) {
                t.notifying(notifier(notifyUrl, notifySecret));
            }
            if (once) {
                t.tick(System.currentTimeMillis());
                Map<String, Integer> counts = t.lastCounts();
                if (json) {
                    Json.print(out, Map.of("running", counts));
                } else {
                    counts.forEach((k, v) -> out.println(k + " " + v + " running"));
                    out.println(counts.size() + " open incidents");
                }
                return ExitCodes.OK;
            }
            long every = Times.age(interval).toMillis();
            t.start(Math.max(200, every));
            try {
                Thread.currentThread().join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ExitCodes.OK;
        }
    }

    static IncidentNotifier notifier(java.net.URI url, Path secretFile) {
        byte[] secret = null;
        if (secretFile != null) {
            try {
                secret = Files.readString(secretFile).strip().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--notify-secret-file " + secretFile + ": " + e.getMessage());
            }
        }
        return new IncidentNotifier(url, secret, java.time.Duration.ofSeconds(5));
    }
}
