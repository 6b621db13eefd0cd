package dev.custody.cli;

import dev.custody.policy.PolicyParser;

/** The one place that assembles the policy parser with every feature's spec sections. */
final class Policies {

    private Policies() {}

    static PolicyParser parser() {
        return new PolicyParser();
    }
}
