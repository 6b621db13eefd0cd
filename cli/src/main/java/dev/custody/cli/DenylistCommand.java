package dev.custody.cli;

import dev.custody.evidence.Times;
import dev.custody.store.Denylist;
import dev.custody.store.Store;
import dev.custody.store.StoreException;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code custody denylist}: digests and packages that must not run. */
@Command(name = "denylist", mixinStandardHelpOptions = true, description = "Block image digests or packages (the incident path).",
        subcommands = {DenylistCommand.Add.class, DenylistCommand.List.class, DenylistCommand.Remove.class, DenylistCommand.History.class})
final class DenylistCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add (or renew) an entry; the OS user is recorded as its author.")
    static final class Add implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "sha256:HEX", description = "The digest to block (or give --digest, --purl or --repository).")
        String digestArgument;

        @CommandLine.ArgGroup(exclusive = true, multiplicity = "0..1")
        Target target;

        static final class Target {
            @Option(names = "--digest", paramLabel = "sha256:HEX", required = true)
            String digest;

            @Option(names = "--purl", paramLabel = "PURL", required = true,
                    description = "Without a version: every version. Blocks every digest whose stored SBOM lists the package.")
            String purl;

            @Option(names = "--vulnerability", paramLabel = "ID", required = true,
                    description = "A vulnerability id: every digest whose stored SBOM lists a version the advisory database says it affects.")
            String vulnerability;

            @Option(names = "--repository", paramLabel = "NAME", required = true,
                    description = "Every image of a repository, e.g. registry.example/shop/api (nginx means docker.io/library/nginx).")
            String repository;
        }

        @Option(names = "--reason", required = true, description = "Why (an advisory id, a ticket).")
        String reason;

        @Option(names = "--expires-in", paramLabel = "AGE", description = "Lift the entry after this long, e.g. 30d (default: never).")
        String expiresIn;

        @Option(names = "--incident", paramLabel = "ID", description = "The incident the entry is for; every denial names it.")
        String incident;

        @Mixin
        StoreOption store;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Long expires = null;
            if (expiresIn != null) {
                try {
                    expires = System.currentTimeMillis() + Times.age(expiresIn).toMillis();
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--expires-in: " + e.getMessage());
                }
            }
            if ((digestArgument == null) == (target == null)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "give what to block: a digest (sha256:HEX or --digest), --purl, --vulnerability or --repository, one of them");
            }
            String digest = digestArgument != null ? digestArgument : target.digest;
            Denylist.Kind kind = digest != null ? Denylist.Kind.DIGEST : target.purl != null ? Denylist.Kind.PURL
                    : target.vulnerability != null ? Denylist.Kind.VULNERABILITY : Denylist.Kind.REPOSITORY;
            String value;
            try {
                value = digest != null ? digest : target.purl != null ? target.purl : target.vulnerability != null ? target.vulnerability
                        : dev.custody.engine.Denylisted.repository(target.repository);
                Denylist.validate(kind, value, reason); // before the store is opened
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            try (Store s = store.open()) {
                Denylist.Entry e = new Denylist(s).add(kind, value, reason, System.getProperty("user.name", ""), expires, incident);
                spec.commandLine().getOut().println("denylisted " + e.value() + " (id " + e.id() + ")"
                        + (e.expiresAt() == null ? "" : " until " + Instant.ofEpochMilli(e.expiresAt())));
                return ExitCodes.OK;
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            } catch (StoreException e) {
                spec.commandLine().getErr().println("custody: store error: " + e.getMessage());
                return ExitCodes.INTERNAL_ERROR;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Entries in force.")
    static final class List implements Callable<Integer> {
        @Mixin
        StoreOption store;

        @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).")
        String output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            try (Store s = store.open()) {
                var entries = new Denylist(s).active(System.currentTimeMillis());
                var out = spec.commandLine().getOut();
                if (output.equals("json")) {
                    Json.print(out, java.util.Map.of("entries", entries));
                } else {
                    for (Denylist.Entry e : entries) {
                        out.printf("%s  %-6s %s  (%s, by %s%s)%n", e.id(), e.kind().name().toLowerCase(), e.value(), e.reason(), e.createdBy(),
                                e.expiresAt() == null ? "" : ", until " + Instant.ofEpochMilli(e.expiresAt()));
                    }
                    out.println(entries.size() + " entries");
                }
                return ExitCodes.OK;
            } catch (StoreException e) {
                spec.commandLine().getErr().println("custody: store error: " + e.getMessage());
                return ExitCodes.INTERNAL_ERROR;
            }
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove an entry by id; recorded with the OS user and the reason.")
    static final class Remove implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(names = "--reason", required = true, description = "Why the entry is lifted (a fixed image rolled out, a false positive).")
        String reason;

        @Mixin
        StoreOption store;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            try (Store s = store.open()) {
                if (reason.isBlank()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--reason must say why the entry is lifted");
                }
                if (!new Denylist(s).remove(id, System.getProperty("user.name", ""), reason)) {
                    spec.commandLine().getErr().println("custody: no denylist entry " + id);
                    return ExitCodes.DENIED;
                }
                spec.commandLine().getOut().println("removed " + id);
                return ExitCodes.OK;
            } catch (StoreException e) {
                spec.commandLine().getErr().println("custody: store error: " + e.getMessage());
                return ExitCodes.INTERNAL_ERROR;
            }
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true, description = "Every entry added, renewed or removed: who, when and why.")
    static final class History implements Callable<Integer> {
        @Mixin
        StoreOption store;

        @Option(names = "--since", paramLabel = "TIME", description = "From this time (instant, date, or age such as 7d; default: all), as query takes it.")
        String since;

        @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).")
        String output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            long from = 0;
            if (since != null) {
                try {
                    from = Times.parse(since, Instant.now());
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--since: " + e.getMessage());
                }
            }
            try (Store s = store.open()) {
                var events = new Denylist(s).history(from);
                var out = spec.commandLine().getOut();
                if (output.equals("json")) {
                    Json.print(out, java.util.Map.of("events", events));
                } else {
                    for (Denylist.Event e : events) {
                        out.printf("%s  %-6s %s %-10s %s  by %s: %s%n", Instant.ofEpochMilli(e.at()), e.action(), e.entryId(),
                                e.kind().name().toLowerCase(), e.value(), e.actor(), e.reason());
                    }
                    out.println(events.size() + " events");
                }
                return ExitCodes.OK;
            } catch (StoreException e) {
                spec.commandLine().getErr().println("custody: store error: " + e.getMessage());
                return ExitCodes.INTERNAL_ERROR;
            }
        }
    }
}
