package dev.custody.vuln.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A few readable cases of the Packagist, Pub, CRAN and Hackage orders, and inputs their tools would reject. */
class PackagistPubCranHackageOrderTest {

    private static VersionOrder order(String ecosystem) {
        return VersionOrders.forEcosystem(ecosystem).orElseThrow();
    }

    /** Each version sorts strictly before the next, both ways round. */
    private static void ascending(VersionOrder order, String... versions) {
        for (int i = 0; i + 1 < versions.length; i++) {
            assertThat(order.compare(versions[i], versions[i + 1])).as(versions[i] + " < " + versions[i + 1]).isNegative();
            assertThat(order.compare(versions[i + 1], versions[i])).as(versions[i + 1] + " > " + versions[i]).isPositive();
        }
    }

    private static void same(VersionOrder order, String a, String b) {
        assertThat(order.compare(a, b)).as(a + " = " + b).isZero();
        assertThat(order.compare(b, a)).as(b + " = " + a).isZero();
    }

    @Test
    void packagistSortsAsPhpVersionCompare() {
        VersionOrder php = order("Packagist");
        ascending(php, "dev-main", "1.0-dev", "1.0alpha1", "1.0b1", "1.0RC1", "1.0", "1.0.0", "1.0pl1", "1.1");
        same(php, "1.0.0-RC2", "1.0.0rc2");
        same(php, "1.0.0-beta2.1", "v1.0.0_b.2.1");
        same(php, "1.0.0-alpha", "1.0.0-a");
        // PHP's special forms are case-sensitive: an upper-case BETA is an unknown word, which sorts before dev
        ascending(php, "1.0-BETA1", "1.0-dev");
        same(php, "1.0-ALPHA1", "1.0-BETA1");
    }

    @Test
    void pubSortsBuildsAfterTheRelease() {
        VersionOrder pub = order("Pub");
        ascending(pub, "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0",
                "1.0.0+2", "1.0.0+10", "1.0.0+a", "1.0.1");
        ascending(pub, "1.0.0-pre", "1.0.0-pre+build", "1.0.0");
        same(pub, "v1.2.3", "1.2.3");
    }

    @Test
    void cranComparesNumbersSeparatedByDotsOrDashes() {
        VersionOrder cran = order("CRAN");
        ascending(cran, "0.1-1", "0.1-4", "0.9", "0.75", "1.0", "1.0-1", "1.0.1.0");
        ascending(cran, "0.1.0", "0.1.0.0");
        same(cran, "1.0-0", "1.0.0");
        same(cran, "0.01.0", "0.1-0");
    }

    @Test
    void hackageComparesListsOfNumbers() {
        VersionOrder cabal = order("Hackage");
        ascending(cabal, "0", "0.1", "0.1.0", "0.1.0.0", "0.9", "0.10", "1.0");
        same(cabal, "1.2-beta", "1.2");
        same(cabal, "01.2", "1.2");
    }

    @Test
    void malformedVersionsAreOrderedWithoutThrowing() {
        String longDigits = "9".repeat(20_000);
        List<String> odd = List.of("", " ", "v", "V", "-", "+", ".", "#", "#N#", "..1..", "1..2", "-1", "1.0-", "1.0+",
                "1.0.0-+", "+build", "dev-", "not a version", "!@$%^&*()", "1.0\u00e9", "\u0000", "1.0-\uD83D\uDE00",
                longDigits, longDigits + "." + longDigits, "1." + longDigits + "-rc" + longDigits, "0." + "0".repeat(5000) + "1");
        for (String ecosystem : List.of("Packagist", "Pub", "CRAN", "Hackage")) {
            VersionOrder order = order(ecosystem);
            for (String a : odd) {
                for (String b : odd) {
                    assertThatCode(() -> order.compare(a, b)).as(ecosystem + ": " + a + " vs " + b).doesNotThrowAnyException();
                    assertThat(Integer.signum(order.compare(a, b))).as(ecosystem + ": antisymmetric").isEqualTo(-Integer.signum(order.compare(b, a)));
                }
                assertThat(order.compare(a, a)).as(ecosystem + ": " + a + " equals itself").isZero();
            }
            // very long numbers are compared by value, not overflowed
            assertThat(order.compare(longDigits, "1" + longDigits)).as(ecosystem).isNegative();
        }
    }
}
