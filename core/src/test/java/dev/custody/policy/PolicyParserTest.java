package dev.custody.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.decision.Action;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyParserTest {

    final PolicyParser parser = new PolicyParser();

    List<PolicyError> errors(String yaml) {
        try {
            parser.load(Map.of("p.yaml", yaml));
        } catch (InvalidPolicyException e) {
            return e.errors();
        }
        throw new AssertionError("expected the policy to be rejected");
    }

    @Test
    void unknownFieldsNameFileLineAndFieldWithASuggestion() {
        List<PolicyError> errs = errors("""
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: p}
                spec:
                  tier: production
                  images:
                    requireDigest:
                      acton: warn
                """);
        assertThat(errs).singleElement().satisfies(e -> {
            assertThat(e.position().source()).isEqualTo("p.yaml");
            assertThat(e.position().line()).isEqualTo(8);
            assertThat(e.field()).isEqualTo("spec.images.requireDigest.acton");
            assertThat(e.message()).contains("unknown field \"acton\"").contains("did you mean \"action\"");
            assertThat(e.describe()).startsWith("p.yaml:8:");
        });
    }

    @Test
    void reportsEveryErrorInOnePass() {
        List<PolicyError> errs = errors("""
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: Bad_Name}
                spec:
                  tier: prod
                  action: block
                  namespaces:
                    selector:
                      matchExpressions:
                        - {key: a, operator: Maybe}
                        - {key: b, operator: In}
                  images:
                    allowedRegistries: []
                    denyTags: {tags: latest}
                    requireDigest: "yes"
                  colour: blue
                """);
        assertThat(errs).extracting(PolicyError::field).containsExactlyInAnyOrder(
                "metadata.name", "spec.tier", "spec.action",
                "spec.namespaces.selector.matchExpressions[0].operator",
                "spec.namespaces.selector.matchExpressions[1].values",
                "spec.images.allowedRegistries", "spec.images.denyTags.tags", "spec.images.denyTags", "spec.images.requireDigest",
                "spec.colour");
        assertThat(errs).allSatisfy(e -> assertThat(e.position().line()).isPositive());
    }

    @Test
    void wrongKindOrApiVersionAndMissingFields() {
        assertThat(errors("apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: x}\nspec: {}\n"))
                .extracting(PolicyError::field).containsExactly("apiVersion", "kind");
        assertThat(errors("apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {}\nspec: {}\n"))
                .extracting(PolicyError::field).containsExactly("metadata.name", "spec.tier");
        assertThat(errors("apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: a}\n"))
                .extracting(PolicyError::field).containsExactly("spec");
    }

    @Test
    void emptyAndMalformedFilesAreErrorsWithTheFile() {
        assertThat(errors("")).singleElement().satisfies(e -> assertThat(e.message()).contains("no policy in this file"));
        assertThat(errors("# only a comment\n")).singleElement().satisfies(e -> assertThat(e.position().source()).isEqualTo("p.yaml"));
        assertThat(errors("spec: [\n")).singleElement().satisfies(e -> assertThat(e.message()).contains("malformed YAML"));
    }

    @Test
    void duplicateNamesAcrossFilesAreErrors() {
        String p = "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: same}\nspec: {tier: dev}\n";
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("a.yaml", p);
        sources.put("b.yaml", p);
        assertThatThrownBy(() -> parser.load(sources)).isInstanceOf(InvalidPolicyException.class)
                .hasMessageContaining("already defined at a.yaml");
    }

    @Test
    void tiersCarryTheMissionDefaults() {
        Map<String, List<String>> expected = Map.of(
                "dev", List.of("images.validReference"),
                "staging", List.of("images.validReference", "images.requireDigest", "images.denyTags"),
                "production", List.of("images.validReference", "images.requireDigest", "images.denyTags",
                        "serviceAccount.denyDefault", "serviceAccount.automountToken"),
                "regulated", List.of("images.validReference", "images.requireDigest", "images.denyTags",
                        "images.requireSignature", "images.requireProvenance", "serviceAccount.denyDefault", "serviceAccount.automountToken"));
        for (var e : expected.entrySet()) {
            PolicySet set = parser.load(Map.of("t.yaml",
                    "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: t}\nspec: {tier: " + e.getKey() + "}\n"));
            assertThat(set.policies().get(0).rules()).extracting(Rule::id).as(e.getKey()).containsExactlyElementsOf(e.getValue());
            assertThat(set.policies().get(0).rules()).allSatisfy(r -> assertThat(r.action()).isEqualTo(Action.ENFORCE));
        }
    }

    @Test
    void versionChangesWhenAPolicyChanges() {
        String a = "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: t}\nspec: {tier: dev}\n";
        String b = "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: t}\nspec: {tier: production}\n";
        assertThat(parser.load(Map.of("x", a)).version()).isEqualTo(parser.load(Map.of("y", a)).version())
                .isNotEqualTo(parser.load(Map.of("x", b)).version());
    }

    @Test
    void fuzzedPoliciesOnlyEverFailAsInvalidPolicy() {
        String seed = """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: p}
                spec:
                  tier: production
                  action: warn
                  namespaces: {include: ["a-*"], selector: {matchLabels: {a: b}, matchExpressions: [{key: k, operator: In, values: [v]}]}}
                  images:
                    allowedRegistries: {registries: [ghcr.io/acme], action: enforce}
                    denyTags: [latest]
                    requireSignature: {failureMode: open}
                """;
        java.util.Random rnd = new java.util.Random(11);
        String chars = "{}[],:-#&*!|>'\"\n 0aZ.";
        int loaded = 0;
        for (int i = 0; i < 3_000; i++) {
            StringBuilder sb = new StringBuilder(seed);
            for (int e = 0; e < 1 + rnd.nextInt(4); e++) {
                int pos = rnd.nextInt(sb.length());
                switch (rnd.nextInt(3)) {
                    case 0 -> sb.insert(pos, chars.charAt(rnd.nextInt(chars.length())));
                    case 1 -> sb.deleteCharAt(pos);
                    default -> sb.setCharAt(pos, chars.charAt(rnd.nextInt(chars.length())));
                }
            }
            try {
                parser.load(Map.of("fuzz.yaml", sb.toString()));
                loaded++;
            } catch (InvalidPolicyException expected) {
                assertThat(expected.errors()).isNotEmpty().allSatisfy(err -> assertThat(err.message()).isNotBlank());
            }
        }
        assertThat(loaded).isGreaterThan(0);
    }
}
