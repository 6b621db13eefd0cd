package dev.custody.policy;

import dev.custody.decision.Action;
import dev.custody.manifest.Position;
import java.util.List;

/**
 * A loaded, compiled policy: which namespaces it governs, its tier and its rules.
 *
 * @param name          metadata.name, unique within a policy set
 * @param origin        where it was defined
 * @param tier          the environment tier whose defaults it started from
 * @param namespaces    which namespaces it governs
 * @param defaultAction the action of rules that do not set their own
 * @param rules         compiled rules in evaluation order
 * @param digest        sha256 of the policy's canonical JSON form, a stable version
 */
public record Policy(String name, Position origin, Tier tier, NamespaceMatch namespaces, Action defaultAction,
                     List<Rule> rules, String digest) {}
