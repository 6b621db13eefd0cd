package dev.custody.verify.intoto;

import static dev.custody.verify.intoto.InvalidStatementException.Kind.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The in-toto attestation library's own test cases ({@code validation-vectors.jsonl}, lifted from its Go tests):
 * each valid one is accepted, each invalid one refused with the kind and field that correspond to the Go error.
 */
class ValidationVectorsTest {

    /** A Go error and what it is here: the kind, and a pattern for the field named. */
    record Expected(InvalidStatementException.Kind kind, String field) {}

    static final Map<String, Expected> GO_ERRORS = Map.ofEntries(
            Map.entry("ErrInvalidStatementType", new Expected(INVALID_STATEMENT_TYPE, "_type")),
            Map.entry("ErrSubjectRequired", new Expected(SUBJECT_REQUIRED, "subject")),
            Map.entry("ErrRDRequiredField", new Expected(RD_REQUIRED_FIELD, "(subject\\[0\\]|rd)")),
            Map.entry("ErrDigestRequired", new Expected(DIGEST_REQUIRED, "subject\\[0\\]\\.digest")),
            Map.entry("ErrPredicateTypeRequired", new Expected(PREDICATE_TYPE_REQUIRED, "predicateType")),
            Map.entry("ErrPredicateRequired", new Expected(PREDICATE_REQUIRED, "predicate")),
            Map.entry("ErrInvalidDigestEncoding", new Expected(INVALID_DIGEST_ENCODING, "rd\\.digest\\.sha256")),
            Map.entry("ErrIncorrectDigestLength", new Expected(INCORRECT_DIGEST_LENGTH, "rd\\.digest\\.(sha256|gitCommit)")),
            Map.entry("ErrBuildDefinitionRequired", new Expected(BUILD_DEFINITION_REQUIRED, "predicate\\.buildDefinition")),
            Map.entry("ErrBuildTypeRequired", new Expected(BUILD_TYPE_REQUIRED, "predicate\\.buildDefinition\\.buildType")),
            Map.entry("ErrExternalParamsRequired", new Expected(EXTERNAL_PARAMETERS_REQUIRED, "predicate\\.buildDefinition\\.externalParameters")),
            Map.entry("ErrRunDetailsRequired", new Expected(RUN_DETAILS_REQUIRED, "predicate\\.runDetails")),
            Map.entry("ErrBuilderRequired", new Expected(BUILDER_REQUIRED, "predicate\\.runDetails\\.builder")),
            Map.entry("ErrBuilderIdRequired", new Expected(BUILDER_ID_REQUIRED, "predicate\\.runDetails\\.builder\\.id")));

    record Vector(String object, String name, JsonNode json, boolean valid, String error) {}

    static List<Vector> vectors() throws Exception {
        List<String> lines = Files.readAllLines(Corpus.dir("in-toto-attestation").resolve("validation-vectors.jsonl"), StandardCharsets.UTF_8);
        return lines.stream().filter(l -> !l.isBlank()).map(l -> {
            try {
                JsonNode v = Corpus.JSON.readTree(l);
                return new Vector(v.get("object").asText(), v.get("case").asText(), v.get("json"), v.get("expected").asText().equals("valid"),
                        v.get("expected_error").asText());
            } catch (Exception e) {
                throw new IllegalStateException(l, e);
            }
        }).toList();
    }

    /** Validates as the object kind of the vector; null when valid. */
    static InvalidStatementException check(Vector v) throws Exception {
        try {
            switch (v.object()) {
                case "Statement" -> Statement.parse(Corpus.JSON.writeValueAsBytes(v.json()), v.name());
                case "ResourceDescriptor" -> ResourceDescriptor.fromJson(v.json(), "rd");
                case "SLSA Provenance v1 predicate" -> SlsaProvenance.validateV1(v.json());
                default -> fail("unknown object kind %s", v.object());
            }
            return null;
        } catch (InvalidStatementException e) {
            return e;
        }
    }

    @Test
    void allVectorsAreCoveredAndEveryGoErrorIsMapped() throws Exception {
        List<Vector> vectors = vectors();
        assertThat(vectors).hasSize(26);
        assertThat(vectors).map(Vector::object).containsOnly("Statement", "ResourceDescriptor", "SLSA Provenance v1 predicate");
        assertThat(GO_ERRORS).containsKeys(vectors.stream().filter(v -> !v.valid()).map(Vector::error).distinct().toArray(String[]::new));
        long passing = 0;
        for (Vector v : vectors) {
            InvalidStatementException e = check(v);
            passing += (v.valid() ? e == null : e != null && e.kind() == GO_ERRORS.get(v.error()).kind()) ? 1 : 0;
        }
        assertThat(passing).as("vectors giving the upstream result").isEqualTo(26);
    }

    @TestFactory
    Stream<DynamicTest> eachVector() throws Exception {
        return vectors().stream().map(v -> DynamicTest.dynamicTest(v.object() + ": " + v.name(), () -> {
            InvalidStatementException e = check(v);
            if (v.valid()) {
                assertThat(e).as("refused with %s", e == null ? null : e.getMessage()).isNull();
            } else {
                Expected want = GO_ERRORS.get(v.error());
                assertThat(e).as("accepted, but upstream says %s", v.error()).isNotNull();
                assertThat(e.kind()).as(e.getMessage()).isEqualTo(want.kind());
                assertThat(e.field()).as(e.getMessage()).matches(want.field());
            }
        }));
    }
}
