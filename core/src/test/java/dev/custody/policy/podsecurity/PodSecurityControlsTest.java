package dev.custody.policy.podsecurity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.decision.Action;
import dev.custody.decision.Outcome;
import dev.custody.decision.ReasonCode;
import dev.custody.manifest.FieldPath;
import dev.custody.manifest.ManifestReader;
import dev.custody.policy.ResultSink;
import dev.custody.policy.RuleContext;
import dev.custody.workload.Workload;
import dev.custody.workload.WorkloadExtractor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each control with passing and failing pods: findings are the exact field paths (relative to the pod spec,
 * written {@code spec...}); "-" means the control holds; "exempt" means it does not apply.
 */
class PodSecurityControlsTest {

    record Result(List<String> findings, boolean exempt) {}

    static Result run(String control, String version, String kind, String podSpec, String annotations) {
        String yaml = switch (kind) {
            case "Pod" -> "apiVersion: v1\nkind: Pod\nmetadata: {name: p, annotations: " + annotations + "}\nspec: " + podSpec + "\n";
            case "CronJob" -> "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec: {schedule: '* * * * *', jobTemplate: {spec: "
                    + "{template: {metadata: {annotations: " + annotations + "}, spec: " + podSpec + "}}}}\n";
            default -> throw new IllegalArgumentException(kind);
        };
        Workload w = WorkloadExtractor.extract(new ManifestReader().read("t.yaml", yaml)).workloads().get(0);
        Control c = Controls.byId(control);
        List<String> findings = new ArrayList<>();
        boolean[] exempt = {false};
        String prefix = w.podSpecPath().toString();
        new PodSecurityRule(c, c.level, PssVersion.parse(version), Action.ENFORCE).evaluate(w, new RuleContext("d", Map.of()), new ResultSink() {
            public void pass(ReasonCode code, FieldPath path, String message) {}

            public void fail(ReasonCode code, FieldPath path, String message) {
                assertThat(code).isEqualTo(c.code);
                assertThat(message).contains(control);
                findings.add("spec" + path.toString().substring(prefix.length()));
            }

            public void error(ReasonCode code, FieldPath path, String message) {
                throw new AssertionError(message);
            }

            public void skip(ReasonCode code, FieldPath path, String message) {
                exempt[0] = true;
            }
        });
        return new Result(findings, exempt[0]);
    }

    @ParameterizedTest(name = "{0} {1} {2}: {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            hostNamespaces | latest | Pod | {hostNetwork: true, hostPID: false, hostIPC: true, containers: [{name: a}]} | spec.hostNetwork;spec.hostIPC
            hostNamespaces | latest | Pod | {hostNetwork: false, containers: [{name: a}]} | -
            privileged | latest | Pod | {containers: [{name: a, securityContext: {privileged: false}}], initContainers: [{name: i, securityContext: {privileged: true}}]} | spec.initContainers[0].securityContext.privileged
            privileged | latest | Pod | {containers: [{name: a}], ephemeralContainers: [{name: e, securityContext: {privileged: true}}]} | spec.ephemeralContainers[0].securityContext.privileged
            privileged | latest | CronJob | {containers: [{name: a, securityContext: {privileged: true}}]} | spec.containers[0].securityContext.privileged
            capabilities_baseline | latest | Pod | {containers: [{name: a, securityContext: {capabilities: {add: [CHOWN, NET_RAW, SYS_ADMIN], drop: [ALL]}}}]} | spec.containers[0].securityContext.capabilities.add[1];spec.containers[0].securityContext.capabilities.add[2]
            capabilities_baseline | latest | Pod | {containers: [{name: a, securityContext: {capabilities: {add: [KILL, NET_BIND_SERVICE, SYS_CHROOT]}}}]} | -
            capabilities_baseline | latest | Pod | {containers: [{name: a, securityContext: {capabilities: {add: [CAP_CHOWN]}}}]} | spec.containers[0].securityContext.capabilities.add[0]
            hostPathVolumes | latest | Pod | {volumes: [{name: d, emptyDir: {}}, {name: h, hostPath: {path: /var}}], containers: [{name: a}]} | spec.volumes[1].hostPath
            hostPorts | latest | Pod | {containers: [{name: a, ports: [{containerPort: 80, hostPort: 0}, {containerPort: 81, hostPort: 8081}]}]} | spec.containers[0].ports[1].hostPort
            hostPorts | latest | Pod | {containers: [{name: a, ports: [{containerPort: 80}]}], initContainers: [{name: i, ports: [{containerPort: 1, hostPort: 1}]}]} | spec.initContainers[0].ports[0].hostPort
            appArmorProfile | latest | Pod | {securityContext: {appArmorProfile: {type: Unconfined}}, containers: [{name: a, securityContext: {appArmorProfile: {type: Localhost, localhostProfile: x}}}]} | spec.securityContext.appArmorProfile.type
            appArmorProfile | latest | Pod | {containers: [{name: a, securityContext: {appArmorProfile: {type: RuntimeDefault}}}]} | -
            seLinuxOptions | latest | Pod | {securityContext: {seLinuxOptions: {type: container_t, level: 's0:c1'}}, containers: [{name: a, securityContext: {seLinuxOptions: {type: spc_t, user: root}}}]} | spec.containers[0].securityContext.seLinuxOptions.type;spec.containers[0].securityContext.seLinuxOptions.user
            seLinuxOptions | v1.30 | Pod | {containers: [{name: a, securityContext: {seLinuxOptions: {type: container_engine_t}}}]} | spec.containers[0].securityContext.seLinuxOptions.type
            seLinuxOptions | v1.31 | Pod | {containers: [{name: a, securityContext: {seLinuxOptions: {type: container_engine_t}}}]} | -
            procMount | latest | Pod | {containers: [{name: a, securityContext: {procMount: Unmasked}}, {name: b, securityContext: {procMount: Default}}]} | spec.containers[0].securityContext.procMount
            procMount | latest | Pod | {hostUsers: false, containers: [{name: a, securityContext: {procMount: Unmasked}}]} | exempt
            procMount | v1.34 | Pod | {hostUsers: false, containers: [{name: a, securityContext: {procMount: Unmasked}}]} | spec.containers[0].securityContext.procMount
            procMount_restricted | latest | Pod | {hostUsers: false, containers: [{name: a, securityContext: {procMount: Unmasked}}]} | spec.containers[0].securityContext.procMount
            seccompProfile_baseline | latest | Pod | {securityContext: {seccompProfile: {type: Unconfined}}, containers: [{name: a}], ephemeralContainers: [{name: e, securityContext: {seccompProfile: {type: Unconfined}}}]} | spec.securityContext.seccompProfile.type;spec.ephemeralContainers[0].securityContext.seccompProfile.type
            seccompProfile_baseline | latest | Pod | {containers: [{name: a}]} | -
            sysctls | latest | Pod | {securityContext: {sysctls: [{name: net.ipv4.tcp_syncookies, value: '1'}, {name: kernel.msgmax, value: '1'}]}, containers: [{name: a}]} | spec.securityContext.sysctls[1].name
            sysctls | v1.28 | Pod | {securityContext: {sysctls: [{name: net.ipv4.tcp_keepalive_time, value: '1'}]}, containers: [{name: a}]} | spec.securityContext.sysctls[0].name
            sysctls | v1.29 | Pod | {securityContext: {sysctls: [{name: net.ipv4.tcp_keepalive_time, value: '1'}]}, containers: [{name: a}]} | -
            sysctls | v1.36 | Pod | {securityContext: {sysctls: [{name: net.ipv4.tcp_slow_start_after_idle, value: '0'}, {name: net.ipv4.tcp_notsent_lowat, value: '16384'}]}, containers: [{name: a}]} | spec.securityContext.sysctls[0].name;spec.securityContext.sysctls[1].name
            sysctls | v1.37 | Pod | {securityContext: {sysctls: [{name: net.ipv4.tcp_slow_start_after_idle, value: '0'}, {name: net.ipv4.tcp_notsent_lowat, value: '16384'}]}, containers: [{name: a}]} | -
            sysctls | latest | Pod | {securityContext: {sysctls: [{name: net.ipv4.tcp_slow_start_after_idle, value: '0'}, {name: net.ipv4.tcp_notsent_lowat, value: '16384'}]}, containers: [{name: a}]} | -
            windowsHostProcess | latest | Pod | {securityContext: {windowsOptions: {hostProcess: true}}, containers: [{name: a, securityContext: {windowsOptions: {hostProcess: true}}}]} | spec.securityContext.windowsOptions.hostProcess;spec.containers[0].securityContext.windowsOptions.hostProcess
            hostProbesAndHostLifecycle | latest | Pod | {containers: [{name: a, livenessProbe: {httpGet: {host: 10.0.0.1, port: 80}}, lifecycle: {preStop: {tcpSocket: {host: x, port: 1}}}}]} | spec.containers[0].livenessProbe.httpGet.host;spec.containers[0].lifecycle.preStop.tcpSocket.host
            restrictedVolumes | latest | Pod | {volumes: [{name: a, configMap: {name: x}}, {name: b, nfs: {server: s, path: /}}, {name: c, image: {reference: r}}, {name: d, gitRepo: {repository: r}}], containers: [{name: a}]} | spec.volumes[1].nfs;spec.volumes[3].gitRepo
            restrictedVolumes | latest | Pod | {volumes: [{name: d}, {name: e, hostPath: null}], containers: [{name: a}]} | -
            restrictedVolumes | v1.0 | Pod | {volumes: [{name: d}], containers: [{name: a}]} | -
            restrictedVolumes | latest | Pod | {volumes: [{name: d, futureSource: {x: y}}], containers: [{name: a}]} | spec.volumes[0].futureSource
            allowPrivilegeEscalation | latest | Pod | {containers: [{name: a, securityContext: {allowPrivilegeEscalation: false}}, {name: b}], initContainers: [{name: i, securityContext: {allowPrivilegeEscalation: true}}]} | spec.initContainers[0].securityContext.allowPrivilegeEscalation;spec.containers[1].securityContext.allowPrivilegeEscalation
            allowPrivilegeEscalation | latest | Pod | {os: {name: windows}, containers: [{name: a}]} | exempt
            allowPrivilegeEscalation | v1.24 | Pod | {os: {name: windows}, containers: [{name: a}]} | spec.containers[0].securityContext.allowPrivilegeEscalation
            seccompProfile_restricted | latest | Pod | {securityContext: {seccompProfile: {type: RuntimeDefault}}, containers: [{name: a}, {name: b, securityContext: {seccompProfile: {type: Unconfined}}}]} | spec.containers[1].securityContext.seccompProfile.type
            seccompProfile_restricted | latest | Pod | {containers: [{name: a, securityContext: {seccompProfile: {type: Localhost, localhostProfile: p}}}], ephemeralContainers: [{name: e}]} | spec.ephemeralContainers[0].securityContext.seccompProfile
            seccompProfile_restricted | latest | CronJob | {securityContext: {seccompProfile: {type: RuntimeDefault}}, containers: [{name: a}]} | -
            capabilities_restricted | latest | Pod | {containers: [{name: a, securityContext: {capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}}, {name: b, securityContext: {capabilities: {drop: [all], add: [CHOWN]}}}, {name: c}]} | spec.containers[1].securityContext.capabilities.drop;spec.containers[1].securityContext.capabilities.add[0];spec.containers[2].securityContext.capabilities.drop
            runAsNonRoot | latest | Pod | {securityContext: {runAsNonRoot: true}, containers: [{name: a}, {name: b, securityContext: {runAsNonRoot: false}}]} | spec.containers[1].securityContext.runAsNonRoot
            runAsNonRoot | latest | Pod | {containers: [{name: a, securityContext: {runAsNonRoot: true}}, {name: b, securityContext: {runAsUser: 1000}}]} | spec.containers[1].securityContext.runAsNonRoot
            runAsNonRoot | latest | CronJob | {containers: [{name: a, securityContext: {runAsNonRoot: true}}], initContainers: [{name: i, securityContext: {runAsNonRoot: true}}]} | -
            runAsUser | latest | Pod | {securityContext: {runAsUser: 0}, containers: [{name: a, securityContext: {runAsUser: 1000}}, {name: b, securityContext: {runAsUser: 0}}]} | spec.securityContext.runAsUser;spec.containers[1].securityContext.runAsUser
            runAsUser | latest | Pod | {hostUsers: false, securityContext: {runAsUser: 0}, containers: [{name: a}]} | exempt
            """)
    void control(String control, String version, String kind, String podSpec, String expected) {
        Result r = run(control, version, kind, podSpec, "{}");
        switch (expected) {
            case "-" -> {
                assertThat(r.findings()).isEmpty();
                assertThat(r.exempt()).isFalse();
            }
            case "exempt" -> assertThat(r.exempt()).isTrue();
            default -> assertThat(r.findings()).containsExactlyElementsOf(Arrays.asList(expected.split(";")));
        }
    }

    @Test
    void annotationsAreCheckedWhereTheStandardSaysSo() {
        Result apparmor = run("appArmorProfile", "latest", "CronJob", "{containers: [{name: a}]}",
                "{container.apparmor.security.beta.kubernetes.io/a: unconfined, container.apparmor.security.beta.kubernetes.io/b: 'localhost/x'}");
        assertThat(apparmor.findings()).singleElement().asString().contains("annotations['container.apparmor.security.beta.kubernetes.io/a']");
        Result seccompOld = run("seccompProfile_baseline", "v1.18", "Pod", "{containers: [{name: a}]}",
                "{seccomp.security.alpha.kubernetes.io/pod: unconfined}");
        assertThat(seccompOld.findings()).hasSize(1);
        Result seccompNew = run("seccompProfile_baseline", "v1.19", "Pod", "{containers: [{name: a}]}",
                "{seccomp.security.alpha.kubernetes.io/pod: unconfined}");
        assertThat(seccompNew.findings()).isEmpty();
    }

    @Test
    void levelsSelectControlsVersionByVersion() {
        assertThat(Controls.select(Level.BASELINE, PssVersion.LATEST)).extracting(c -> c.id).containsExactly(
                "appArmorProfile", "capabilities_baseline", "hostNamespaces", "hostPathVolumes", "hostPorts", "hostProbesAndHostLifecycle",
                "privileged", "procMount", "seLinuxOptions", "seccompProfile_baseline", "sysctls", "windowsHostProcess");
        assertThat(Controls.select(Level.RESTRICTED, PssVersion.LATEST)).extracting(c -> c.id).containsExactly(
                "appArmorProfile", "hostNamespaces", "hostPorts", "hostProbesAndHostLifecycle", "privileged", "seLinuxOptions", "sysctls",
                "windowsHostProcess", "allowPrivilegeEscalation", "capabilities_restricted", "procMount_restricted", "restrictedVolumes",
                "runAsNonRoot", "runAsUser", "seccompProfile_restricted");
        assertThat(Controls.select(Level.RESTRICTED, PssVersion.parse("v1.18"))).extracting(c -> c.id)
                .contains("seccompProfile_baseline", "capabilities_baseline").doesNotContain("seccompProfile_restricted", "runAsUser");
        assertThat(Controls.select(Level.BASELINE, PssVersion.parse("v1.33"))).extracting(c -> c.id).doesNotContain("hostProbesAndHostLifecycle");
        assertThat(PssVersion.LATEST).isEqualTo(PssVersion.parse("v1.37"));
        assertThat(PssVersion.parse("v1.99")).isEqualTo(PssVersion.LATEST);
        assertThat(PssVersion.parse("1.30")).isNull();
    }

    @Test
    void outcomesAreFailUnderEnforce() {
        Workload w = WorkloadExtractor.extract(new ManifestReader().read("t.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostPID: true, containers: [{name: a}]}\n")).workloads().get(0);
        List<Outcome> outcomes = new ArrayList<>();
        new PodSecurityRule(Controls.HOST_NAMESPACES, Level.BASELINE, PssVersion.LATEST, Action.WARN).evaluate(w, new RuleContext("d", Map.of()),
                new ResultSink() {
                    public void pass(ReasonCode c, FieldPath p, String m) {
                        outcomes.add(Outcome.PASS);
                    }

                    public void fail(ReasonCode c, FieldPath p, String m) {
                        outcomes.add(Outcome.FAIL);
                    }

                    public void error(ReasonCode c, FieldPath p, String m) {
                        outcomes.add(Outcome.ERROR);
                    }

                    public void skip(ReasonCode c, FieldPath p, String m) {
                        outcomes.add(Outcome.SKIP);
                    }
                });
        assertThat(outcomes).containsExactly(Outcome.FAIL);
    }
}
