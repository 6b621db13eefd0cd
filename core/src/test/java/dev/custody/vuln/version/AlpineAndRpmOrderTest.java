package dev.custody.vuln.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

/** A few readable cases for the apk and rpm orders; the corpus vectors cover the rest. */
class AlpineAndRpmOrderTest {

    private final VersionOrder apk = VersionOrders.forEcosystem("Alpine:v3.20").orElseThrow();
    private final VersionOrder rpm = VersionOrders.forEcosystem("Red Hat:enterprise_linux:9").orElseThrow();

    private static void assertOrdered(VersionOrder order, String... ascending) {
        for (int k = 0; k + 1 < ascending.length; k++) {
            assertThat(order.compare(ascending[k], ascending[k + 1])).as(ascending[k] + " < " + ascending[k + 1]).isNegative();
            assertThat(order.compare(ascending[k + 1], ascending[k])).as(ascending[k + 1] + " > " + ascending[k]).isPositive();
        }
    }

    @Test
    void alpineSuffixesLettersAndRevisions() {
        assertOrdered(apk, "1.2_alpha", "1.2_alpha2", "1.2_beta", "1.2_pre1", "1.2_rc1", "1.2", "1.2-r1", "1.2-r10",
                "1.2_cvs1", "1.2_svn1", "1.2_git1", "1.2_hg1", "1.2_p1", "1.2a", "1.2.1");
        assertOrdered(apk, "1.0~1234", "1.0~2345-r0", "1.0~2345-r1");
        assertOrdered(apk, "8.2.0", "8.2.001", "8.2.0015", "8.2.002", "8.2.1"); // a leading zero compares by text
        assertThat(apk.compare("1-r1", "1-r01")).isZero();
        assertThat(apk.compare("1-r", "1-r0")).isZero(); // apk 2 reads a bare -r as -r0
    }

    @Test
    void alpineInvalidVersionsSortBelowValidOnes() {
        assertOrdered(apk, "1.2_blah", "1.2");
        assertOrdered(apk, "1-ruff", "1");
        assertOrdered(apk, "1.2.0A", "1.2.0d");
        assertOrdered(apk, "6.6.2_p1", "6.6.2p1", "6.6.2p2", "6.6.2p10"); // digits after the letter, as apk 2 read them
        assertThat(apk.compare("1-r0-1", "1-r0-2")).isZero(); // nothing after the revision is read
    }

    @Test
    void rpmEpochVersionRelease() {
        assertOrdered(rpm, "1.0~rc1~git1", "1.0~rc1", "1.0", "1.0^git1", "1.0^git2", "1.0a", "1.0.1", "1.1");
        assertOrdered(rpm, "2.0", "2.0-1", "2.0-1.el9", "2.0-2", "2.0-10", "1:1.0", "2:0.1");
        assertOrdered(rpm, "0:3.10.0-229.el7", "0:3.10.0-229.1.2.ael7b", "0:3.10.0-229.1.2.el7");
        assertThat(rpm.compare("10.0001", "10.1")).isZero();
        assertThat(rpm.compare("2_0", "2.0")).isZero(); // separators only separate
        assertThat(rpm.compare("a:1", "0:a.1")).isZero(); // a colon after a non-digit is no epoch
        assertThat(rpm.compare("1.1.α", "1.1.β")).isZero(); // non-ASCII letters are separators to rpm
        assertThat(VersionOrders.forEcosystem("openSUSE:Leap 15.5")).containsSame(VersionOrders.forEcosystem("openSUSE").orElseThrow());
        for (String e : new String[] {"Rocky Linux:9", "AlmaLinux:9", "SUSE:Linux Enterprise Server 15", "Mageia:9"}) {
            assertThat(VersionOrders.forEcosystem(e)).as(e).isPresent();
        }
    }

    @Test
    void malformedInputsDoNotThrowAndStayConsistent() {
        String longDigits = "9".repeat(5_000);
        String[] odd = {"", " ", "garbage", "!!!", "-", ":", "::", "-r", "_", "~", "^", "~~^^", ".", "...", "1..", "1.-r",
            "1_", "1_p_", "1~", "1-r-r-r", "0:", ":1", "-1", "1-", "a:b:c-d-e", "\u0000", "1\u00002", "١٢٣", "1.α",
            longDigits, "1." + longDigits, "1-r" + longDigits, longDigits + ":" + longDigits + "-" + longDigits, null};
        for (VersionOrder order : new VersionOrder[] {apk, rpm}) {
            for (String a : odd) {
                for (String b : odd) {
                    assertThatCode(() -> order.compare(a, b)).as(a + " vs " + b).doesNotThrowAnyException();
                    assertThat(Integer.signum(order.compare(a, b))).as(a + " vs " + b).isEqualTo(-Integer.signum(order.compare(b, a)));
                }
                assertThat(order.compare(a, a)).as(a + " vs itself").isZero();
            }
        }
        assertThat(apk.compare(longDigits, "9".repeat(4_999))).isPositive();
        assertThat(rpm.compare("1." + longDigits, "1." + "9".repeat(4_999) + "8")).isPositive();
    }
}
