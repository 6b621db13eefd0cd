package dev.custody.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code custody} command. Wiring only: every decision is made in the core. */
@Command(name = "custody", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Proves that what runs in a cluster is what was intended, and refuses what is not.",
        subcommands = {CheckCommand.class, ServeCommand.class, InstallCommand.class, PolicyCommand.class, SbomCommand.class,
                QueryCommand.class, CollectCommand.class, AuditCommand.class, DenylistCommand.class, IncidentCommand.class, EvidenceCommand.class, VulnCommand.class, VexCommand.class, ExceptionCommand.class, IdentitiesCommand.class, PromoteCommand.class, AssessCommand.class, ApiCommand.class, VerifyCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:nothing denied", "1:at least one workload denied", "2:usage or input error", "3:internal error"})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        PrintWriter out = new PrintWriter(new java.io.BufferedWriter(
                new java.io.OutputStreamWriter(System.out, java.nio.charset.StandardCharsets.UTF_8), 1 << 16));
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, java.nio.charset.StandardCharsets.UTF_8), true);
        try {
            return run(out, err, args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** Runs with the given output streams; tests use this to read what a user would see. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(out, err).execute(args);
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("custody: internal error: " + ex);
            if (System.getenv("CUSTODY_DEBUG") != null) {
                ex.printStackTrace(commandLine.getErr());
            } else {
                commandLine.getErr().println("(set CUSTODY_DEBUG=1 for the stack trace, and please report it)");
            }
            return ExitCodes.INTERNAL_ERROR;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("custody: " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
            return ExitCodes.INPUT_ERROR;
        });
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }

    /** Prints the build version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"custody " + version(), "Java " + Runtime.version()};
        }
    }
}
