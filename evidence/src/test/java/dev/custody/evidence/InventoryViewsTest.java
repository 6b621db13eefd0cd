package dev.custody.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.policy.InvalidPolicyException;
import dev.custody.policy.PolicyParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class InventoryViewsTest {

    /** Spellings SLSA provenance (GitHub, GitLab, Buildkite builders) and people use for one repository. */
    @ParameterizedTest
    @ValueSource(strings = {"git+https://github.com/acme/shop@refs/heads/main", "git+https://github.com/acme/shop.git", "https://github.com/acme/shop",
            "https://GitHub.com/acme/shop/", "github.com/acme/shop", "git@github.com:acme/shop.git", "ssh://git@github.com/acme/shop.git",
            "https://token@github.com/acme/shop"})
    void repositorySpellingsReduceToOneKey(String spelling) {
        assertThat(InventoryViews.repositoryKey(spelling)).isEqualTo("github.com/acme/shop");
    }

    @Test
    void otherRepositoriesStayApart() {
        assertThat(InventoryViews.repositoryKey("https://github.com/acme/shop-api")).isNotEqualTo(InventoryViews.repositoryKey("github.com/acme/shop"));
        assertThat(InventoryViews.repositoryKey("https://gitlab.com/acme/shop")).isEqualTo("gitlab.com/acme/shop");
    }

    @Test
    void anAllowlistIsOnePolicyAndAPatternCannotInjectYaml() {
        var set = InventoryViews.allowlist(new PolicyParser(), java.util.List.of("ghcr.io/acme", "registry.example.com:5000"));
        assertThat(set.policies()).singleElement().satisfies(p -> assertThat(p.rules().stream().map(r -> r.id()))
                .contains("images.allowedRegistries"));
        assertThatThrownBy(() -> InventoryViews.allowlist(new PolicyParser(), java.util.List.of("x\"\n  tier: [")))
                .isInstanceOf(InvalidPolicyException.class);
    }
}
