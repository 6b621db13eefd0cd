package dev.custody.cli;

import dev.custody.files.PolicyFiles;
import dev.custody.policy.InvalidPolicyException;
import dev.custody.policy.Policy;
import dev.custody.policy.PolicyError;
import dev.custody.policy.PolicySet;
import dev.custody.policy.Rule;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code custody policy}: work with policy files. */
@Command(name = "policy", mixinStandardHelpOptions = true, description = "Work with policy files.",
        subcommands = {PolicyCommand.Validate.class, DryRunCommand.class})
final class PolicyCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code custody policy validate}: schema-check policies and print what each one enforces. */
    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Validate policy files; errors name the file, line and field.",
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:valid", "2:invalid"})
    static final class Validate implements Callable<Integer> {

        @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "Policy files or directories.")
        List<String> paths;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            java.io.PrintWriter out = spec.commandLine().getOut();
            java.io.PrintWriter err = spec.commandLine().getErr();
            PolicySet set;
            try {
                set = PolicyFiles.load(paths, Policies.parser());
            } catch (InvalidPolicyException e) {
                for (PolicyError pe : e.errors()) {
                    err.println("custody: policy error: " + pe.describe());
                }
                err.println(e.errors().size() + " error(s); no policy was loaded");
                return ExitCodes.INPUT_ERROR;
            }
            for (Policy p : set.policies()) {
                out.printf("%s  (%s)  tier %s, default action %s%n", p.name(), p.origin(), p.tier().label(), p.defaultAction().label());
                for (Rule r : p.rules()) {
                    out.printf("    %-28s %s%n", r.id(), r.action().label());
                }
            }
            out.printf("%d policies valid; version %s%n", set.policies().size(), set.version());
            return ExitCodes.OK;
        }
    }
}
