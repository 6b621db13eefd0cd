package dev.custody.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.decision.Action;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Rule families register themselves; the parser names none of them, so no family and the parser import each other. */
class RuleFamilyTest {

    static final Path POLICY_SOURCES = Path.of("src/main/java/dev/custody/policy");

    @Test
    void theRegisteredFamiliesInTheirOrder() {
        assertThat(PolicyParser.registered()).extracting(RuleFamily::field)
                .containsExactlyInAnyOrder("images", "podSecurity", "serviceAccount", "ownership", "delivery", "cel", "trust", "vulnerabilities");
        assertThat(new PolicyParser().load(Map.of("p.yaml", """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: p}
                spec:
                  tier: production
                  podSecurity: {level: baseline, version: latest}
                """)).policies().get(0).rules().get(0).id()).startsWith("images.");
    }

    @Test
    void aNewFamilyNeedsNoChangeToTheParser() {
        RuleFamily extra = new RuleFamily() {
            public String field() {
                return "extra";
            }

            public List<Rule> read(Fields spec, Tier tier, Action defaultAction) {
                spec.choice("extra", List.of("on", "off"), "off"); // reads its field, reports errors with paths
                return List.of();
            }
        };
        List<RuleFamily> families = new java.util.ArrayList<>(PolicyParser.registered());
        families.add(extra);
        PolicyParser parser = new PolicyParser(families);
        String policy = "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: p}\nspec:\n  tier: dev\n  extra: \"%s\"\n";
        assertThat(parser.load(Map.of("p.yaml", policy.formatted("on"))).policies()).hasSize(1);
        assertThatThrownBy(() -> parser.load(Map.of("p.yaml", policy.formatted("maybe")))).isInstanceOf(InvalidPolicyException.class)
                .hasMessageContaining("spec.extra");
        assertThatThrownBy(() -> new PolicyParser().load(Map.of("p.yaml", policy.formatted("on")))).isInstanceOf(InvalidPolicyException.class);
        assertThatThrownBy(() -> new PolicyParser(List.of(extra, extra))).hasMessageContaining("spec.extra");
    }

    @Test
    void theParserImportsNoFamilyAndNoFamilyUsesTheParsersTypes() throws IOException {
        String parser = Files.readString(POLICY_SOURCES.resolve("PolicyParser.java"));
        assertThat(parser).doesNotContainPattern("dev\\.custody\\.policy\\.(images|podsecurity|identity|cel|trust)\\.");
        try (Stream<Path> files = Files.walk(POLICY_SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && !p.getParent().equals(POLICY_SOURCES)).toList()) {
                assertThat(Files.readString(f)).as(f.toString()).doesNotContain("PolicyParser.SpecSection");
            }
        }
    }
}
