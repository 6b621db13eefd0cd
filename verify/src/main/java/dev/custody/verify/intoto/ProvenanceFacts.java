package dev.custody.verify.intoto;

import static dev.custody.verify.intoto.InvalidStatementException.Kind.UNSUPPORTED_PREDICATE_TYPE;

import java.util.List;

/**
 * What a policy asks of SLSA provenance, the same for v0.2 and v1: who built the artifact, from which source
 * and commit, with which workflow, on which trigger. A fact the provenance does not state is null; facts are as
 * trustworthy as the builder that signed them, so a policy checks {@link #builderId()} first.
 *
 * @param predicateType    {@link SlsaProvenance#V1} or {@link SlsaProvenance#V0_2}
 * @param builderId        always present: provenance without it is refused
 * @param buildType        always present
 * @param sourceRepository e.g. {@code https://github.com/sigstore/sigstore-js} (without {@code git+} or ref)
 * @param sourceRef        e.g. {@code refs/heads/main}
 * @param sourceCommit     the source's {@code gitCommit} or {@code sha1} digest
 * @param workflowPath     GitHub Actions builds: e.g. {@code .github/workflows/release.yml}
 * @param trigger          GitHub Actions builds: the event name, e.g. {@code push}
 * @param materials        v1 {@code resolvedDependencies}, v0.2 {@code materials}
 */
public record ProvenanceFacts(String predicateType, String builderId, String buildType, String sourceRepository, String sourceRef,
                              String sourceCommit, String workflowPath, String trigger, List<ResourceDescriptor> materials) {

    public ProvenanceFacts {
        materials = List.copyOf(materials);
    }

    /**
     * Validates a statement's SLSA provenance predicate and reads its facts.
     *
     * @throws InvalidStatementException when the predicate is not valid provenance (fields are named from the
     *                                   statement's root, e.g. {@code predicate.runDetails.builder.id}), or the
     *                                   statement is not SLSA provenance ({@code UNSUPPORTED_PREDICATE_TYPE})
     */
    public static ProvenanceFacts from(Statement statement) throws InvalidStatementException {
        return switch (statement.predicateType()) {
            case SlsaProvenance.V1 -> SlsaProvenance.factsV1(statement.predicate());
            case SlsaProvenance.V0_2 -> SlsaProvenance.factsV02(statement.predicate());
            default -> throw new InvalidStatementException(UNSUPPORTED_PREDICATE_TYPE, "predicateType", "expected "
                    + SlsaProvenance.V1 + " or " + SlsaProvenance.V0_2 + ", found \"" + ResourceDescriptor.clip(statement.predicateType()) + "\"");
        };
    }
}
