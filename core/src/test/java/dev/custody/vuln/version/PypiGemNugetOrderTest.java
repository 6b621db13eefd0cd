package dev.custody.vuln.version;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A few readable cases for the PyPI, RubyGems and NuGet orders; the OSV vectors cover the bulk. */
class PypiGemNugetOrderTest {

    private static final VersionOrder PYPI = VersionOrders.forEcosystem("PyPI").orElseThrow();
    private static final VersionOrder GEMS = VersionOrders.forEcosystem("RubyGems").orElseThrow();
    private static final VersionOrder NUGET = VersionOrders.forEcosystem("NuGet").orElseThrow();

    /** Each version sorts strictly before the next, in both directions. */
    private static void ascending(VersionOrder order, String... versions) {
        for (int i = 0; i + 1 < versions.length; i++) {
            assertThat(Integer.signum(order.compare(versions[i], versions[i + 1]))).as(versions[i] + " < " + versions[i + 1]).isEqualTo(-1);
            assertThat(Integer.signum(order.compare(versions[i + 1], versions[i]))).as(versions[i + 1] + " > " + versions[i]).isEqualTo(1);
        }
    }

    private static void same(VersionOrder order, String a, String b) {
        assertThat(order.compare(a, b)).as(a + " = " + b).isZero();
        assertThat(order.compare(b, a)).as(b + " = " + a).isZero();
    }

    @Test
    void pep440OrdersEveryKindOfRelease() {
        ascending(PYPI, "1.0.dev0", "1.0a1.dev1", "1.0a1", "1.0a1.post1", "1.0b2", "1.0rc1", "1.0", "1.0+abc", "1.0+1",
                "1.0+1.0", "1.0.post1.dev1", "1.0.post1", "1.0.1", "1.10", "1!0.1");
    }

    @Test
    void pep440NormalizesSpellings() {
        same(PYPI, "1.0", "1.0.0");
        same(PYPI, "v1.0", "1.0");
        same(PYPI, "1.0a1", "1.0-ALPHA.1");
        same(PYPI, "1.0c1", "1.0rc1");
        same(PYPI, "1.0.preview_2", "1.0rc2");
        same(PYPI, "1.0-1", "1.0.post1");
        same(PYPI, "1.0.rev", "1.0.post0");
        same(PYPI, "1.0+Ubuntu-1", "1.0+ubuntu.1");
    }

    @Test
    void notPep440SortsBeforeEveryValidVersion() {
        ascending(PYPI, "trunk", "0.0.dev0");
        ascending(PYPI, "1.0-foo", "0.1");
        ascending(PYPI, "0.9-bar", "0.9-baz"); // among themselves by LegacyVersion's parts
    }

    @Test
    void rubyGemsTreatsLettersAsPrerelease() {
        ascending(GEMS, "1.0.a", "1.0.a.1", "1.0.b", "1.0.rc1", "1.0", "1.0.1", "1.10");
        ascending(GEMS, "1.0-1", "1.0"); // "-" reads as ".pre."
        same(GEMS, "1.0.0", "1");
        same(GEMS, "1.0.a", "1.a");
        same(GEMS, "1.0.a2", "1.0.a.2");
    }

    @Test
    void nugetWidensSemverToFourParts() {
        ascending(NUGET, "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta.2", "1.0.0-beta.10", "1.0.0", "1.0.0.1", "1.0.1");
        same(NUGET, "1.0", "1.0.0.0");
        same(NUGET, "1.0.0-BETA", "1.0.0-beta");
        same(NUGET, "1.0.0+build.5", "1.0.0");
    }

    @Test
    void malformedInputIsOrderedAndNeverThrows() {
        String longDigits = "9".repeat(5_000);
        List<String> odd = List.of("", "   ", "garbage!!", "+", "-", "!", "1!", "..", "1..2", "1.0+", "1.0+a..b", "v", "ß", "😀1.0",
                longDigits, longDigits + ".0", "1.".repeat(20_000), "1-".repeat(20_000), "a".repeat(20_000), "1.0-" + longDigits);
        for (VersionOrder order : List.of(PYPI, GEMS, NUGET)) {
            for (String a : odd) {
                assertThat(order.compare(a, a)).as(a).isZero();
                for (String b : odd) {
                    assertThat(Integer.signum(order.compare(a, b))).isEqualTo(-Integer.signum(order.compare(b, a)));
                }
            }
            assertThat(Integer.signum(order.compare(longDigits, "1.0"))).isEqualTo(1);
        }
    }
}
