package dev.custody.cli;

import dev.custody.evidence.Times;
import dev.custody.store.Audit;
import dev.custody.store.Store;
import dev.custody.store.StoreException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code custody audit}: the decision log's integrity and retention. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Check and maintain the decision log.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Prune.class})
final class AuditCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check the decision log's hash chain: any altered, removed or reordered record is reported.",
                    "Keep the printed head hash elsewhere and pass it with --expect-head to also detect records cut off the end."},
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:the chain is intact", "1:the chain is broken", "2:usage error", "3:store error"})
    static final class Verify implements Callable<Integer> {
        @Mixin
        StoreOption store;

        @Option(names = "--expect-head", paramLabel = "HASH", description = "A head hash printed by an earlier verify; it must still be in the chain.")
        String expectHead;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Audit.Verification v;
            try (Store s = store.open()) {
                v = new Audit(s).verify(expectHead);
            } catch (StoreException e) {
                spec.commandLine().getErr().println("custody: store error: " + e.getMessage());
                return ExitCodes.INTERNAL_ERROR;
            }
            for (String p : v.problems()) {
                out.println("BROKEN: " + p);
            }
            out.printf("%s: %d records (#%d..#%d), head %s%n", v.ok() ? "intact" : "broken", v.records(), v.firstSeq(), v.lastSeq(), v.head());
            return v.ok() ? ExitCodes.OK : ExitCodes.DENIED;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Remove decisions older than an age, oldest first, in small transactions; the rest still verifies.")
    static final class Prune implements Callable<Integer> {
        @Mixin
        StoreOption store;

        @Option(names = "--older-than", required = true, paramLabel = "AGE", description = "Remove records older than this, e.g. 90d.")
        String olderThan;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Duration age;
            try {
                age = Times.age(olderThan);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--older-than: " + e.getMessage());
            }
            try (Store s = store.open()) {
                Audit.Pruned p = new Audit(s).prune(System.currentTimeMillis() - age.toMillis(), 1000);
                spec.commandLine().getOut().printf("removed %d records; the chain now starts after #%d%n", p.records(), p.anchorSeq());
                return ExitCodes.OK;
            } catch (StoreException e) {
                spec.commandLine().getErr().println("custody: store error: " + e.getMessage());
                return ExitCodes.INTERNAL_ERROR;
            }
        }
    }
}
