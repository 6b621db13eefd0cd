package dev.custody.bench;

import dev.custody.engine.Engine;
import dev.custody.manifest.ManifestReader;
import dev.custody.policy.PolicyParser;
import dev.custody.policy.PolicySet;
import dev.custody.workload.Workload;
import dev.custody.workload.WorkloadExtractor;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * 50 compiled rules against one Pod, in process: the Pod Security Standards restricted level (15 controls at
 * latest) plus 35 CEL rules over the object, the containers and the parsed images. SampleTime mode reports
 * the latency distribution (p50, p99) of one full evaluation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class RulesBenchmark {

    static final String[] CEL = {
        "has(object.metadata.labels) && 'app' in object.metadata.labels",
        "object.metadata.name.size() < 64",
        "containers.all(c, has(c.resources) && has(c.resources.limits))",
        "containers.all(c, has(c.resources.limits.memory))",
        "containers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || !c.securityContext.privileged)",
        "images.all(i, i.valid)",
        "images.all(i, i.pinned)",
        "images.all(i, i.registry == 'registry.example.com' || i.registry == 'ghcr.io')",
        "images.all(i, !i.repository.startsWith('library/'))",
        "images.exists(i, i.containerList == 'containers')",
        "containers.all(c, c.name.matches('^[a-z][-a-z0-9]*$'))",
        "containers.all(c, !has(c.ports) || c.ports.all(p, p.containerPort > 1024))",
        "containers.all(c, has(c.livenessProbe) || c.containerList != 'containers')",
        "containers.all(c, has(c.readinessProbe) || c.containerList != 'containers')",
        "containers.all(c, !has(c.env) || c.env.all(e, !e.name.startsWith('AWS_SECRET')))",
        "!has(podSpec.hostAliases)",
        "!has(podSpec.nodeName)",
        "has(podSpec.securityContext) && podSpec.securityContext.runAsNonRoot == true",
        "podSpec.automountServiceAccountToken == false",
        "has(podSpec.serviceAccountName) && podSpec.serviceAccountName != 'default'",
        "!has(podSpec.priorityClassName) || podSpec.priorityClassName != 'system-cluster-critical'",
        "size(containers) <= 10",
        "namespaceObject.metadata.name != 'kube-system'",
        "request.operation in ['CREATE', 'UPDATE']",
        "!has(object.metadata.annotations) || !('custody.dev/skip' in object.metadata.annotations)",
        "containers.all(c, !has(c.securityContext) || !has(c.securityContext.capabilities) || !has(c.securityContext.capabilities.add) || c.securityContext.capabilities.add.all(x, x == 'NET_BIND_SERVICE'))",
        "!has(podSpec.volumes) || podSpec.volumes.all(v, !has(v.hostPath))",
        "images.all(i, i.tag != 'latest')",
        "images.all(i, i.digest.startsWith('sha256:'))",
        "containers.all(c, !has(c.imagePullPolicy) || c.imagePullPolicy != 'Never')",
        "object.metadata.labels.app == podMetadata.labels.app",
        "containers.map(c, c.name).size() == size(containers)",
        "!has(podSpec.hostNetwork) || !podSpec.hostNetwork",
        "containers.all(c, c.image.size() < 256)",
        "containers.filter(c, c.containerList == 'initContainers').size() <= 3",
    };

    /** How many of the CEL rules to compile (35 makes 50 rules with the 15 restricted controls). */
    @org.openjdk.jmh.annotations.Param("35")
    public int celRules;

    /** Whether the restricted Pod Security Standards controls are part of the policy. */
    @org.openjdk.jmh.annotations.Param("true")
    public boolean podSecurity;

    Engine engine;
    Workload pod;

    @Setup
    public void setup() {
        StringBuilder policy = new StringBuilder("""
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: bench}
                spec:
                  tier: dev
                  images: {validReference: false}
                """ + (podSecurity ? "  podSecurity: {level: restricted, version: latest}\n" : "") + (celRules > 0 ? "  cel:\n" : ""));
        for (int i = 0; i < celRules; i++) {
            policy.append("    - name: rule-").append(i).append("\n      expression: \"").append(CEL[i].replace("\"", "\\\"")).append("\"\n");
        }
        PolicySet set = new PolicyParser().load(Map.of("bench.yaml", policy.toString()));
        int rules = set.policies().get(0).rules().size();
        if (rules != celRules + (podSecurity ? 15 : 0)) {
            throw new IllegalStateException("compiled " + rules + " rules");
        }
        engine = new Engine(set);
        String yaml = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: api
                  namespace: shop
                  labels: {app: api, team: payments}
                spec:
                  serviceAccountName: api
                  automountServiceAccountToken: false
                  securityContext: {runAsNonRoot: true, runAsUser: 10001, seccompProfile: {type: RuntimeDefault}}
                  volumes:
                    - {name: cache, emptyDir: {}}
                    - {name: config, configMap: {name: api}}
                  initContainers:
                    - name: migrate
                      image: registry.example.com/shop/migrate@sha256:4b0e2e8fbd4e1f3c3b5ba3c8e1f4a1d2c6b7e8f9a0b1c2d3e4f5a6b7c8d9e0f1
                      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
                      resources: {limits: {cpu: 200m, memory: 128Mi}}
                  containers:
                    - name: api
                      image: registry.example.com/shop/api:1.4.2@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
                      ports: [{containerPort: 8080}]
                      env: [{name: MODE, value: prod}, {name: PORT, value: "8080"}]
                      livenessProbe: {httpGet: {path: /healthz, port: 8080}}
                      readinessProbe: {httpGet: {path: /readyz, port: 8080}}
                      securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
                      resources: {limits: {cpu: "1", memory: 256Mi}}
                    - name: proxy
                      image: ghcr.io/acme/proxy@sha256:4b0e2e8fbd4e1f3c3b5ba3c8e1f4a1d2c6b7e8f9a0b1c2d3e4f5a6b7c8d9e0f1
                      ports: [{containerPort: 9090}]
                      livenessProbe: {tcpSocket: {port: 9090}}
                      readinessProbe: {tcpSocket: {port: 9090}}
                      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}
                      resources: {limits: {cpu: 100m, memory: 64Mi}}
                """;
        pod = WorkloadExtractor.extract(new ManifestReader().read("pod.yaml", yaml)).workloads().get(0);
        if (!engine.evaluate(pod, "shop", Map.of()).allowed()) {
            throw new IllegalStateException("the benchmark pod should pass every rule: "
                    + engine.evaluate(pod, "shop", Map.of()).violations());
        }
    }

    @Benchmark
    public boolean evaluate50Rules() {
        return engine.evaluate(pod, "shop", Map.of()).allowed();
    }
}
