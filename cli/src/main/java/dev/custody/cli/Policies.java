package dev.custody.cli;

import dev.custody.files.PolicyFiles;
import dev.custody.policy.InvalidPolicyException;
import dev.custody.policy.PolicyError;
import dev.custody.policy.PolicyParser;
import dev.custody.policy.PolicySet;
import java.io.PrintWriter;
import java.util.List;

/** The one place that assembles the policy parser with every feature's spec sections. */
final class Policies {

    private Policies() {}

    static PolicyParser parser() {
        return new PolicyParser();
    }

    /** Loads policy files; when they are invalid, prints every error (file, line, field) and returns null. */
    static PolicySet loadOrReport(List<String> paths, PrintWriter err) {
        try {
            return PolicyFiles.load(paths, parser());
        } catch (InvalidPolicyException e) {
            for (PolicyError pe : e.errors()) {
                err.println("custody: policy error: " + pe.describe());
            }
            return null;
        }
    }
}
