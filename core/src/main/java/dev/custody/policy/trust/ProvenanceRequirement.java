package dev.custody.policy.trust;

import dev.custody.policy.Glob;
import java.util.List;

/**
 * What a trust rule requires of SLSA provenance: attested by the rule's authorities, with a builder, source
 * repository and ref matching these patterns (an empty list allows any), a source commit when asked, and a CEL
 * condition over the whole predicate for anything else (null for none).
 */
public record ProvenanceRequirement(List<Glob> builders, List<Glob> repositories, List<Glob> refs, boolean requireCommit,
                                    dev.custody.policy.cel.CelRules.PredicateCondition condition) {

    public ProvenanceRequirement(List<Glob> builders, List<Glob> repositories, List<Glob> refs, boolean requireCommit) {
        this(builders, repositories, refs, requireCommit, null);
    }

    public ProvenanceRequirement {
        builders = List.copyOf(builders);
        repositories = List.copyOf(repositories);
        refs = List.copyOf(refs);
    }

    /** Null when the predicate satisfies the condition (or there is none), else why not. */
    public String conditionProblem(com.fasterxml.jackson.databind.JsonNode predicate, String predicateType) {
        return condition == null ? null : condition.problem(predicate, predicateType);
    }

    /** Null when the facts satisfy the requirement, else what does not. */
    public String problem(String builder, String repository, String ref, String commit) {
        if (!builders.isEmpty() && (builder == null || builders.stream().noneMatch(g -> g.matches(builder)))) {
            return "builder " + builder + " is not one of " + patterns(builders);
        }
        if (!repositories.isEmpty() && (repository == null || repositories.stream().noneMatch(g -> g.matches(repository)))) {
            return "source repository " + repository + " is not one of " + patterns(repositories);
        }
        if (!refs.isEmpty() && (ref == null || refs.stream().noneMatch(g -> g.matches(ref)))) {
            return "source ref " + ref + " is not one of " + patterns(refs);
        }
        if (requireCommit && (commit == null || commit.isBlank())) {
            return "the provenance names no source commit";
        }
        return null;
    }

    private static List<String> patterns(List<Glob> globs) {
        return globs.stream().map(Glob::pattern).toList();
    }

    @Override
    public String toString() {
        return "provenance[builders=" + patterns(builders) + ", repositories=" + patterns(repositories) + ", refs=" + patterns(refs)
                + ", requireCommit=" + requireCommit + (condition == null ? "" : ", condition=" + condition) + "]";
    }
}
