package dev.custody.policy.cel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.decision.Outcome;
import dev.custody.decision.ReasonCode;
import dev.custody.decision.RuleResult;
import dev.custody.decision.WorkloadDecision;
import dev.custody.engine.Engine;
import dev.custody.manifest.ManifestReader;
import dev.custody.policy.InvalidPolicyException;
import dev.custody.policy.PolicyError;
import dev.custody.policy.PolicyParser;
import dev.custody.workload.Workload;
import dev.custody.workload.WorkloadExtractor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CelRulesTest {

    static final String POD = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: api
              namespace: shop
              labels: {team: payments}
            spec:
              template:
                metadata: {labels: {app: api}}
                spec:
                  containers:
                    - name: api
                      image: registry.example.com/api:1.2@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
                      resources: {limits: {memory: 128Mi}}
                      ports: [{containerPort: 8080}]
                  initContainers:
                    - name: init
                      image: busybox
            """;

    static String policy(String cel) {
        return """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: custom}
                spec:
                  tier: dev
                  cel:
                %s
                """.formatted(cel.indent(4));
    }

    static WorkloadDecision evaluate(String cel, Map<String, String> nsLabels) {
        Engine engine = new Engine(new PolicyParser().load(Map.of("p.yaml", policy(cel))));
        Workload w = WorkloadExtractor.extract(new ManifestReader().read("w.yaml", POD)).workloads().get(0);
        return engine.evaluate(w, "default", nsLabels);
    }

    static RuleResult only(WorkloadDecision d, String rule) {
        return d.results().stream().filter(r -> r.rule().equals(rule)).findFirst().orElseThrow();
    }

    @Test
    void expressionsSeeKubernetesAndCustodyVariables() {
        WorkloadDecision d = evaluate("""
                - name: team-label
                  expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
                - name: limits
                  expression: "containers.all(c, c.containerList != 'containers' || has(c.resources.limits))"
                - name: pinned-app-images
                  expression: "images.filter(i, i.containerList == 'containers').all(i, i.pinned && i.registry == 'registry.example.com')"
                - name: namespace-tier
                  expression: "namespaceObject.metadata.labels['tier'] == 'prod' && namespaceObject.metadata.name == 'shop'"
                - name: integers-are-int64
                  expression: "object.spec.template.spec.containers.all(c, !has(c.ports) || c.ports.all(p, p.containerPort > 1024)) && size(containers) == 2"
                - name: pod-labels
                  expression: "podMetadata.labels.app == 'api' && request.kind.kind == 'Deployment' && request.operation == 'CREATE'"
                """, Map.of("tier", "prod"));
        assertThat(d.results()).extracting(RuleResult::outcome).containsOnly(Outcome.PASS);
        assertThat(d.results()).hasSize(8); // six CEL rules and images.validReference for two containers
    }

    @Test
    void failingExpressionUsesMessageExpression() {
        WorkloadDecision d = evaluate("""
                - name: all-pinned
                  expression: "images.all(i, i.pinned)"
                  message: every image must be pinned
                  messageExpression: "'unpinned: ' + images.filter(i, !i.pinned).map(i, i.image).join(', ')"
                """, Map.of());
        RuleResult r = only(d, "cel.all-pinned");
        assertThat(r.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(r.code()).isEqualTo(ReasonCode.CEL_FAILED);
        assertThat(r.message()).isEqualTo("unpinned: busybox");
        assertThat(d.allowed()).isFalse();
    }

    @Test
    void warnActionDoesNotDeny() {
        WorkloadDecision d = evaluate("""
                - name: owner
                  expression: "'owner' in object.metadata.labels"
                  message: name an owner
                  action: warn
                """, Map.of());
        assertThat(d.allowed()).isTrue();
        assertThat(d.warnings()).extracting(RuleResult::message).containsExactly("name an owner");
    }

    @Test
    void invalidExpressionsAreRejectedAtLoadWithPosition() {
        assertThatThrownBy(() -> new PolicyParser().load(Map.of("p.yaml", policy("""
                - name: broken
                  expression: "object.metadata.name == "
                - name: undeclared
                  expression: "nosuchvar.x == 1"
                - name: not-bool
                  expression: "object.metadata.name + 'x'"
                """))))
                .isInstanceOf(InvalidPolicyException.class)
                .satisfies(e -> {
                    List<PolicyError> errs = ((InvalidPolicyException) e).errors();
                    assertThat(errs).extracting(PolicyError::field).containsExactly(
                            "spec.cel[0].expression", "spec.cel[1].expression", "spec.cel[2].expression");
                    assertThat(errs).extracting(err -> err.position().line()).containsExactly(8, 10, 12);
                    assertThat(errs.get(0).message()).startsWith("invalid CEL at 1:");
                    assertThat(errs.get(1).message()).contains("undeclared reference").contains("nosuchvar");
                });
    }

    @Test
    void expensiveExpressionIsStoppedNotHung() {
        long start = System.nanoTime();
        WorkloadDecision d = evaluate("""
                - name: quadratic
                  expression: "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, a + b + c + d + e > 0)))))"
                  costLimit: 10000
                """, Map.of());
        RuleResult r = only(d, "cel.quadratic");
        assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.code()).isEqualTo(ReasonCode.CEL_COST_LIMIT_EXCEEDED);
        assertThat(d.allowed()).isFalse(); // enforce + closed failure mode
        assertThat(System.nanoTime() - start).as("stopped, not hung").isLessThan(5_000_000_000L);
    }

    @Test
    void runtimeErrorsAreErrorsNotFailures() {
        WorkloadDecision d = evaluate("""
                - name: missing-field
                  expression: "object.spec.nosuch.field == 'x'"
                  failureMode: open
                """, Map.of());
        RuleResult r = only(d, "cel.missing-field");
        assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.code()).isEqualTo(ReasonCode.CEL_EVALUATION_ERROR);
        assertThat(r.message()).as("the error names the missing key").contains("nosuch");
        assertThat(d.allowed()).isTrue();
        assertThat(d.warnings()).hasSize(1);
    }

    /** matches keeps the standard semantics (RE2, partial match) while its compiled patterns are cached. */
    @Test
    void regexMatchesIsPartialRe2AndABrokenPatternIsAnError() {
        WorkloadDecision d = evaluate("""
                - name: partial
                  expression: "'registry.example.com'.matches('example') && matches('abc', '^a') && !('abc'.matches('^b'))"
                - name: twice
                  expression: "containers.all(c, c.name.matches('^[a-z]+$')) && containers.all(c, c.name.matches('^[a-z]+$'))"
                - name: broken
                  expression: "object.metadata.name.matches('(')"
                  failureMode: open
                """, Map.of());
        assertThat(only(d, "cel.partial").outcome()).isEqualTo(Outcome.PASS);
        assertThat(only(d, "cel.twice").outcome()).isEqualTo(Outcome.PASS);
        RuleResult broken = only(d, "cel.broken");
        assertThat(broken.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(broken.code()).isEqualTo(ReasonCode.CEL_EVALUATION_ERROR);
    }
}
