package dev.custody.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.store.Exceptions.VulnException;
import java.util.List;
import java.util.Map;

class ExceptionsTest {

    static final long DAY = 86_400_000L;
    static final long T = 1_796_000_000_000L;

    static Exceptions.Request request(long expires) {
        return new Exceptions.Request(Records.D1, "shop", "vulnerabilities.gate", "CVE-2024-1234", "payments", "no fix upstream; not reachable",
                "https://tickets.example/SEC-7", expires);
    }

    @StoreTest
    void aRequestIsApprovedByAnotherIdentityIsActiveUntilItsExpiryAndEveryStepIsInTheHashChain(Store store) {
        Exceptions ex = new Exceptions(store);
        VulnException e = ex.request(request(T + 30 * DAY), "alice", T);
        assertThat(e.id()).matches("EXC-\\d{8}-[0-9a-f]{6}");
        assertThat(e.state(T)).isEqualTo(Exceptions.REQUESTED);
        assertThat(ex.granted(T, 0)).as("a request grants nothing").isEmpty();

        assertThatThrownBy(() -> ex.approve(e.id(), "alice", null, T + 1)).isInstanceOf(Exceptions.Refused.class)
                .hasMessage("exception " + e.id() + " was requested by alice; another identity must approve it");
        VulnException a = ex.approve(e.id(), "bob", "reviewed in SEC-7", T + DAY);
        assertThat(a.approver()).isEqualTo("bob");
        assertThat(a.state(T + DAY)).isEqualTo(Exceptions.ACTIVE);
        assertThat(a.state(T + 30 * DAY)).isEqualTo(Exceptions.EXPIRED);
        assertThat(ex.granted(T + DAY, 0)).extracting(VulnException::id).containsExactly(e.id());
        assertThatThrownBy(() -> ex.approve(e.id(), "carol", null, T + 2 * DAY)).hasMessageContaining("is active; only a requested exception");

        // the sweep writes the expiry once, and the chain holds all three transitions
        assertThat(ex.sweep(T + 29 * DAY)).isEmpty();
        assertThat(ex.sweep(T + 30 * DAY)).extracting(VulnException::id).containsExactly(e.id());
        assertThat(ex.sweep(T + 31 * DAY)).isEmpty();
        assertThat(ex.find(e.id()).orElseThrow().storedState()).isEqualTo(Exceptions.EXPIRED);
        assertThat(ex.granted(T + 31 * DAY, 0)).as("expired: no longer read without a recent window").isEmpty();
        assertThat(ex.granted(T + 31 * DAY, 30 * DAY)).as("read a while after expiry, so a denial can name it").extracting(VulnException::id)
                .containsExactly(e.id());
        assertThat(ex.granted(T + 61 * DAY, 30 * DAY)).isEmpty();
        assertThatThrownBy(() -> ex.revoke(e.id(), "bob", "late", T + 31 * DAY)).hasMessageContaining("is expired");
        List<Exceptions.Event> h = ex.history(e.id());
        assertThat(h).extracting(Exceptions.Event::action).containsExactly("request", "approve", "expire");
        assertThat(h).extracting(Exceptions.Event::actor).containsExactly("alice", "bob", "custody");
        Audit.Verification v = new Audit(store).verify(null);
        assertThat(v.ok()).as(String.valueOf(v.problems())).isTrue();
        assertThat(v.records()).isEqualTo(3);
        assertThat(h).extracting(Exceptions.Event::auditSeq).containsExactly(1L, 2L, 3L);
    }

    @StoreTest
    void aRevokedExceptionStopsAndBadRequestsAreRefusedWithAReason(Store store) {
        Exceptions ex = new Exceptions(store);
        VulnException e = ex.request(request(T + 10 * DAY), "alice", T);
        ex.approve(e.id(), "bob", null, T + 1);
        String before = ex.version();
        VulnException r = ex.revoke(e.id(), "carol", "a fix shipped", T + 2);
        assertThat(r.state(T + 3)).isEqualTo(Exceptions.REVOKED);
        assertThat(r.closedBy()).isEqualTo("carol");
        assertThat(ex.granted(T + 3, 30 * DAY)).as("a revoked exception is never read").isEmpty();
        assertThat(ex.version()).isNotEqualTo(before);
        assertThatThrownBy(() -> ex.request(request(T - 1), "alice", T)).hasMessageContaining("is not in the future");
        assertThatThrownBy(() -> ex.request(new Exceptions.Request(Records.D1, null, null, "CVE-1", "", "why", null, T + DAY), "alice", T))
                .hasMessage("an exception needs an owner team");
        assertThatThrownBy(() -> ex.approve("EXC-nope", "bob", null, T)).hasMessage("no exception EXC-nope");
        // a request with no namespace covers any, as '*'; with no rule, the vulnerability gate
        VulnException wide = ex.request(new Exceptions.Request("*", "", null, "CVE-1", "t", "why", null, T + DAY), "alice", T);
        assertThat(List.of(wide.digest(), wide.namespace(), wide.rule())).containsExactly("*", "*", "vulnerabilities.gate");
        // an unapproved request lapses at its expiry
        assertThat(wide.state(T + DAY)).isEqualTo(Exceptions.EXPIRED);
    }

    @StoreTest
    void aFindingKeepsTheTimeItWasFirstSeen(Store store) {
        Exceptions ex = new Exceptions(store);
        String k1 = "CVE-1\u0000pkg:npm/a@1";
        String k2 = "CVE-2\u0000pkg:npm/b@1";
        assertThat(ex.firstSeen(Records.D1, List.of(k1), 1_000)).isEqualTo(Map.of(k1, 1_000L));
        assertThat(ex.firstSeen(Records.D1, List.of(k1, k2), 5_000)).isEqualTo(Map.of(k1, 1_000L, k2, 5_000L));
        assertThat(ex.firstSeen(Records.D2, List.of(k1), 9_000)).isEqualTo(Map.of(k1, 9_000L));
    }
}
