package dev.custody.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.decision.Outcome;
import dev.custody.decision.ReasonCode;
import dev.custody.decision.RuleResult;
import dev.custody.decision.WorkloadDecision;
import dev.custody.manifest.ManifestReader;
import dev.custody.policy.PolicyParser;
import dev.custody.workload.Workload;
import dev.custody.workload.WorkloadExtractor;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DenylistedTest {

    static final String BAD = "sha256:" + "b".repeat(64);
    static final String GOOD = "sha256:" + "a".repeat(64);

    static Workload pod(String image) {
        return WorkloadExtractor.extract(new ManifestReader().read("pod.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: api, namespace: shop}
                spec:
                  containers:
                    - name: app
                      image: %s
                """.formatted(image))).workloads().getFirst();
    }

    // a policy for another namespace only: the denylist does not depend on any policy selecting the workload
    static final Engine ENGINE = new Engine(new PolicyParser().load(Map.of("p.yaml", """
            apiVersion: custody.dev/v1alpha1
            kind: Policy
            metadata: {name: elsewhere}
            spec:
              tier: production
              namespaces:
                selector:
                  matchLabels: {team: payments}
              images: {requireDigest: true}
            """)));

    static final Denylisted LIST = new Denylisted(List.of(new Denylisted.Entry("e1", Denylisted.Kind.DIGEST, BAD, "INC-7: backdoored build"),
            new Denylisted.Entry("e2", Denylisted.Kind.REPOSITORY, "docker.io/library/nginx", "INC-8: not ours")));

    static WorkloadDecision decide(String image, Map<String, String> running) {
        return ENGINE.decide(pod(image), "shop", Map.of(), null, null, null, LIST, running, Instant.now().plusSeconds(5));
    }

    @Test
    void aListedDigestIsDeniedInANamespaceNoPolicySelects() {
        WorkloadDecision d = decide("registry.example/shop/api@" + BAD, null);
        assertThat(d.allowed()).isFalse();
        RuleResult r = d.results().getFirst();
        assertThat(r.code()).isEqualTo(ReasonCode.DENYLISTED);
        assertThat(r.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(r.rule()).isEqualTo(Engine.DENYLIST_RULE);
        assertThat(r.path().toString()).contains("containers[0].image");
        assertThat(r.message()).contains("e1").contains("INC-7: backdoored build");
        assertThat(decide("registry.example/shop/api@" + GOOD, null).allowed()).isTrue();
    }

    @Test
    void aRepositoryEntryBlocksEveryTagAndDigestOfItAsNormalized() {
        assertThat(decide("nginx:1.27", null).allowed()).isFalse();
        assertThat(decide("docker.io/library/nginx@" + GOOD, null).allowed()).isFalse();
        assertThat(decide("docker.io/library/nginxx:1", null).allowed()).isTrue();
    }

    @Test
    void theDigestAPodRunsIsCheckedThoughItsSpecNamesATag() {
        String image = "registry.example/shop/api:v2";
        assertThat(decide(image, null).allowed()).as("admission of a tag: the running digest is not known").isTrue();
        assertThat(decide(image, Map.of(image, BAD)).allowed()).as("re-evaluation: the kubelet reports the bad digest").isFalse();
    }

    @Test
    void noListChangesNothing() {
        Workload w = pod("registry.example/shop/api@" + BAD);
        assertThat(ENGINE.decide(w, "shop", Map.of(), null, null, null, Denylisted.NONE, null, Instant.now()).results())
                .isEqualTo(ENGINE.evaluate(w, "shop", Map.of()).results());
    }
}
