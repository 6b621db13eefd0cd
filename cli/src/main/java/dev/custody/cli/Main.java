package dev.custody.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code custody} command. Wiring only: every decision is made in the core. */
@Command(name = "custody", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Proves that what runs in a cluster is what was intended, and refuses what is not.",
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
        return commandLine(out, err, args.length > 0 ? args[0] : null).execute(args);
    }

    /**
     * The subcommands, in the order help lists them. Only the one a command line names is built: picocli reads every
     * option of every subcommand it is given by reflection, which cost a short command about a third of its start.
     * (A switch rather than a map of constructor references: lambdas held in static state broke the JDK 25
     * ahead-of-time cache's assembly.)
     */
    static final List<String> SUBCOMMANDS = List.of("check", "serve", "install", "policy", "sbom", "query", "collect", "audit", "denylist",
            "incident", "evidence", "vuln", "vex", "exception", "identities", "promote", "assess", "api", "verify", "help");

    static Object subcommand(String name) {
        return switch (name) {
            case "check" -> new CheckCommand();
            case "serve" -> new ServeCommand();
            case "install" -> new InstallCommand();
            case "policy" -> new PolicyCommand();
            case "sbom" -> new SbomCommand();
            case "query" -> new QueryCommand();
            case "collect" -> new CollectCommand();
            case "audit" -> new AuditCommand();
            case "denylist" -> new DenylistCommand();
            case "incident" -> new IncidentCommand();
            case "evidence" -> new EvidenceCommand();
            case "vuln" -> new VulnCommand();
            case "vex" -> new VexCommand();
            case "exception" -> new ExceptionCommand();
            case "identities" -> new IdentitiesCommand();
            case "promote" -> new PromoteCommand();
            case "assess" -> new AssessCommand();
            case "api" -> new ApiCommand();
            case "verify" -> new VerifyCommand();
            case "help" -> new CommandLine.HelpCommand();
            default -> throw new IllegalArgumentException("no subcommand " + name);
        };
    }

    /** The whole command tree (help, documentation tests). */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, null);
    }

    /** The tree for a command line whose first word is {@code first}: that subcommand alone, or all of them. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, String first) {
        CommandLine cl = new CommandLine(new Main());
        if (first != null && SUBCOMMANDS.contains(first) && !first.equals("help")) {
            cl.addSubcommand(subcommand(first));
        } else if (!"--version".equals(first) && !"-V".equals(first)) {
            for (String name : SUBCOMMANDS) {
                cl.addSubcommand(subcommand(name));
            }
        }
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
