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

    public static PolicySet load(List<String> args, PolicyParser parser) {
        List<String> problems = new ArrayList<>();
        List<Path> paths = InputFiles.expand(args, problems);
        List<PolicyError> errors = new ArrayList<>();
        for (String p : problems) {
            errors.add(new PolicyError(new Position(p.substring(0, p.indexOf(':')), 0, 0), "", p.substring(p.indexOf(':') + 2)));
        }
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
                errors.add(new PolicyError(new Position(InputFiles.display(p), 0, 0), "", e.getMessage().substring(InputFiles.display(p).length() + 2)));
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
