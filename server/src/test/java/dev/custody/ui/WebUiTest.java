package dev.custody.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.api.ApiTokens;
import org.junit.jupiter.api.Test;

class WebUiTest {

    static final ApiTokens.Caller ALICE = new ApiTokens.Caller("alice", ApiTokens.Role.OPERATOR);

    @Test
    void aSessionEndsWhenIdleTooLongOrTooOldAndOnLogout() {
        Sessions s = new Sessions();
        Sessions.Session a = s.open(ALICE, 0);
        assertThat(a.id()).isNotEqualTo(a.csrf()).hasSizeGreaterThan(40);
        assertThat(s.find(a.id(), Sessions.IDLE_MILLIS - 1)).isPresent();
        // touched at IDLE-1, so still alive almost two idle periods after the login
        assertThat(s.find(a.id(), 2 * Sessions.IDLE_MILLIS - 2)).isPresent();
        assertThat(s.find(a.id(), 4 * Sessions.IDLE_MILLIS)).isEmpty();

        Sessions.Session b = s.open(ALICE, 0);
        long t = 0;
        while (t < Sessions.MAX_MILLIS) {
            t += Sessions.IDLE_MILLIS / 2;
            if (t <= Sessions.MAX_MILLIS) {
                assertThat(s.find(b.id(), t)).as("kept alive at " + t).isPresent();
            }
        }
        assertThat(s.find(b.id(), Sessions.MAX_MILLIS + 1)).as("no session outlives its maximum").isEmpty();

        Sessions.Session c = s.open(ALICE, 0);
        s.close(c.id());
        assertThat(s.find(c.id(), 1)).isEmpty();
        assertThat(s.find("not-a-session", 1)).isEmpty();
        assertThat(s.find(null, 1)).isEmpty();
    }

    @Test
    void aFloodOfLoginsIsBounded() {
        Sessions s = new Sessions();
        Sessions.Session first = s.open(ALICE, 0);
        for (int i = 1; i <= Sessions.MAX_SESSIONS; i++) {
            s.open(ALICE, i);
        }
        assertThat(s.size()).isEqualTo(Sessions.MAX_SESSIONS);
        assertThat(s.find(first.id(), Sessions.MAX_SESSIONS + 1)).as("the oldest went first").isEmpty();
    }

    @Test
    void secretsCompareWholly() {
        assertThat(Sessions.same("abc", "abc")).isTrue();
        assertThat(Sessions.same("abc", "abd")).isFalse();
        assertThat(Sessions.same("abc", null)).isFalse();
        assertThat(Sessions.same(null, null)).isFalse();
    }

    @Test
    void aLoginLinkCannotSendTheBrowserElsewhere() {
        assertThat(WebUi.safeNext("/ui/exceptions?state=active")).isEqualTo("/ui/exceptions?state=active");
        for (String bad : new String[] {null, "", "https://evil.example/ui/", "//evil.example", "/ui//evil.example", "/api/v1/audit/verify",
                "/ui/\\evil", "/ui/x?u=https://evil.example"}) {
            assertThat(WebUi.safeNext(bad)).as(String.valueOf(bad)).isEqualTo("/ui/inventory");
        }
    }

    @Test
    void countdownsReadAsPeopleSayThem() {
        assertThat(WebUi.countdown(3 * 86_400_000L + 4 * 3_600_000L + 5_000)).isEqualTo("in 3d 4h");
        assertThat(WebUi.countdown(5 * 3_600_000L + 12 * 60_000L)).isEqualTo("in 5h 12m");
        assertThat(WebUi.countdown(40 * 60_000L + 3_000)).isEqualTo("in 40m 3s");
        assertThat(WebUi.countdown(-2 * 86_400_000L)).isEqualTo("ended 2d 0h ago");
    }

    @Test
    void theSearchBoxReadsEachKindOfQuery() {
        assertThat(ReadPages.kindOf("sha256:" + "ab".repeat(32))).isEqualTo("digest");
        assertThat(ReadPages.kindOf("pkg:npm/left-pad@1.3.0")).isEqualTo("package URL");
        assertThat(ReadPages.kindOf("8d2f1c0")).isEqualTo("commit");
        assertThat(ReadPages.kindOf("8d2f1c0a9b7e6d5c4b3a29180f7e6d5c4b3a2918")).isEqualTo("commit");
        for (String id : new String[] {"CVE-2023-26119", "cve-2021-44228", "GHSA-29mw-wpgm-hmr9", "GO-2022-0001", "PYSEC-2021-1", "RUSTSEC-2020-0071",
                "DSA-5371-1", "RHSA-2023:1234", "MAL-2022-1", "DEBIAN-CVE-2023-1234"}) {
            assertThat(ReadPages.kindOf(id)).as(id).isEqualTo("vulnerability");
        }
        for (String name : new String[] {"left-pad", "go-yaml", "lodash", "team-payments", "spring-core"}) {
            assertThat(ReadPages.kindOf(name)).as(name).isEqualTo("package name");
        }
        assertThat(ReadPages.kindOf("ghcr.io/shop/web:1.4.2")).isEqualTo("image reference");
        assertThat(ReadPages.kindOf("nginx:latest")).isEqualTo("image reference");
    }
}
