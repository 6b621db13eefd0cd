package dev.custody.files;

import dev.custody.manifest.Position;
import dev.custody.policy.InvalidPolicyException;
import dev.custody.policy.PolicyError;
import dev.custody.policy.PolicyParser;
import dev.custody.policy.PolicySet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Loads policy files and directories given on the command line into one validated {@link PolicySet}. */
public final class PolicyFiles {

    public static final long MAX_POLICY_BYTES = 1024 * 1024;

    private PolicyFiles() {}

    private static PolicyError error(InputFiles.Problem p) {
        return new PolicyError(new Position(p.source(), 0, 0), "", p.reason());
    }

    public static PolicySet load(List<String> args, PolicyParser parser) {
        List<InputFiles.Problem> problems = new ArrayList<>();
        List<Path> paths = InputFiles.expand(args, problems);
        List<PolicyError> errors = new ArrayList<>();
        problems.forEach(p -> errors.add(error(p)));
        Map<String, String> sources = new LinkedHashMap<>();
        for (Path p : paths) {
            if (p == null) {
                errors.add(new PolicyError(new Position("-", 0, 0), "", "policies cannot be read from standard input"));
                continue;
            }
            try {
                InputFiles.Input in = InputFiles.read(p, MAX_POLICY_BYTES, System.in);
                sources.put(in.name(), in.text());
            } catch (InputFiles.InputException e) {
                errors.add(error(e.problem()));
            }
        }
        if (sources.isEmpty() && errors.isEmpty()) {
            errors.add(new PolicyError(new Position(String.join(", ", args), 0, 0), "", "no policy files found"));
        }
        PolicySet set = null;
        try {
            set = parser.load(sources);
        } catch (InvalidPolicyException e) {
            errors.addAll(e.errors());
        }
        if (!errors.isEmpty()) {
            throw new InvalidPolicyException(errors);
        }
        return set;
    }
}
