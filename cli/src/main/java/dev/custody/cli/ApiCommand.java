package dev.custody.cli;

import dev.custody.api.ApiTokens;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code custody api}: helpers for the evidence API that {@code custody serve --api-port} serves. */
@Command(name = "api", mixinStandardHelpOptions = true, description = "Helpers for the evidence API (custody serve --api-port).",
        subcommands = ApiCommand.Token.class)
final class ApiCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = {"Mint a bearer token: prints the token (give it to the client) and the entry for the --api-tokens file,",
                    "which keeps only the token's SHA-256."})
    static final class Token implements Callable<Integer> {
        @Option(names = "--name", required = true, description = "Who holds the token, e.g. ci-pipeline.")
        String name;

        @Option(names = "--role", required = true, description = "viewer, operator or admin.")
        String role;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            try {
                ApiTokens.Role.valueOf(role.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--role must be viewer, operator or admin, found \"" + role + "\"");
            }
            String token = ApiTokens.generate();
            var out = spec.commandLine().getOut();
            out.println("token: " + token);
            out.println("# add to the --api-tokens file under tokens:");
            out.println("  - name: " + name);
            out.println("    role: " + role.toLowerCase(java.util.Locale.ROOT));
            out.println("    sha256: " + ApiTokens.sha256(token));
            return ExitCodes.OK;
        }
    }
}
