package dev.custody.policy.podsecurity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.TestPaths;
import dev.custody.decision.Action;
import dev.custody.decision.ReasonCode;
import dev.custody.manifest.FieldPath;
import dev.custody.manifest.ManifestReader;
import dev.custody.policy.ResultSink;
import dev.custody.policy.RuleContext;
import dev.custody.workload.Workload;
import dev.custody.workload.WorkloadExtractor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Replays Kyverno's pod-security test results (../shared/corpora/kyverno-policies, classic, CEL and
 * ValidatingPolicy flavours) through the equivalent Custody control at version latest. Kyverno's
 * disallow-host-ports-range (not a Pod Security Standards control) and the podSecurity sub-rule tests are left
 * out. Every disagreement must be one of {@link #KNOWN_DIFFERENCES}, each explained in
 * docs/kyverno-equivalence.md; where Kyverno lags the Kubernetes standard, the standard wins.
 */
class KyvernoPodSecurityTest {

    record Mapping(String control, Predicate<String> findingFilter) {}

    static final Predicate<String> ANY = p -> true;

    static Mapping map(String policy, String rule) {
        return switch (policy + "/" + rule) {
            case "disallow-selinux/selinux-type" -> new Mapping("seLinuxOptions", p -> p.endsWith(".type"));
            case "disallow-selinux/selinux-user-role" -> new Mapping("seLinuxOptions", p -> p.endsWith(".user") || p.endsWith(".role"));
            case "disallow-capabilities-strict/adding-capabilities-strict", "adding-capabilities-strict/" ->
                    new Mapping("capabilities_restricted", p -> p.contains(".add["));
            case "disallow-capabilities-strict/require-drop-all" -> new Mapping("capabilities_restricted", p -> p.endsWith(".drop"));
            default -> switch (policy) {
                case "disallow-capabilities" -> new Mapping("capabilities_baseline", ANY);
                case "disallow-capabilities-strict" -> new Mapping("capabilities_restricted", p -> p.endsWith(".drop"));
                case "disallow-host-namespaces" -> new Mapping("hostNamespaces", ANY);
                case "disallow-host-path" -> new Mapping("hostPathVolumes", ANY);
                case "disallow-host-ports" -> new Mapping("hostPorts", ANY);
                case "disallow-host-process" -> new Mapping("windowsHostProcess", ANY);
                case "disallow-privileged-containers" -> new Mapping("privileged", ANY);
                case "disallow-proc-mount" -> new Mapping("procMount", ANY);
                case "disallow-selinux" -> new Mapping("seLinuxOptions", ANY);
                case "restrict-apparmor-profiles" -> new Mapping("appArmorProfile", ANY);
                case "restrict-seccomp" -> new Mapping("seccompProfile_baseline", ANY);
                case "restrict-sysctls" -> new Mapping("sysctls", ANY);
                case "disallow-privilege-escalation" -> new Mapping("allowPrivilegeEscalation", ANY);
                case "require-run-as-non-root-user" -> new Mapping("runAsUser", ANY);
                case "require-run-as-nonroot" -> new Mapping("runAsNonRoot", ANY);
                case "restrict-seccomp-strict" -> new Mapping("seccompProfile_restricted", ANY);
                case "restrict-volume-types" -> new Mapping("restrictedVolumes", ANY);
                default -> null;
            };
        };
    }

    /** Rows where Custody follows the standard and Kyverno does not; see docs/kyverno-equivalence.md. */
    static final Map<String, String> KNOWN_DIFFERENCES = Map.of();

    @Test
    void reproducesKyvernoPodSecurityVerdicts() throws IOException {
        Path corpus = TestPaths.corpora().resolve("kyverno-policies");
        List<String> lines = Files.readAllLines(corpus.resolve("expected-results.csv"));
        Map<String, List<Workload>> files = new HashMap<>();
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        TreeSet<String> controls = new TreeSet<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (!f[0].startsWith("pod-security")) {
                continue;
            }
            Mapping m = map(f[3], f[4]);
            if (m == null) {
                continue;
            }
            String resourceFile = f[2];
            List<Workload> workloads = files.computeIfAbsent(resourceFile, r -> read(corpus.resolve(r)));
            String name = f[6].contains("/") ? f[6].substring(f[6].indexOf('/') + 1) : f[6];
            Workload w = workloads.stream().filter(x -> x.kind().kind().equals(f[5]) && x.name().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError(f[5] + "/" + name + " not in " + resourceFile));
            Control control = Controls.byId(m.control());
            List<String> findings = evaluate(control, w);
            boolean fail = findings.stream().anyMatch(m.findingFilter());
            String ours = fail ? "fail" : "pass";
            compared++;
            controls.add(control.id);
            if (!ours.equals(f[8])) {
                String key = f[0].substring(0, f[0].indexOf('/')) + " " + f[3] + "/" + f[4] + " " + f[5] + "/" + name;
                if (!KNOWN_DIFFERENCES.containsKey(key)) {
                    mismatches.add(key + ": kyverno " + f[8] + ", custody " + ours + " " + findings);
                }
            }
        }
        assertThat(compared).isGreaterThan(2_500);
        assertThat(controls).hasSize(17);
        assertThat(mismatches).as("undocumented disagreements with Kyverno").isEmpty();
    }

    static List<Workload> read(Path file) {
        try {
            return WorkloadExtractor.extract(new ManifestReader().read(file.toString(), Files.readString(file))).workloads();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<String> evaluate(Control control, Workload w) {
        List<String> findings = new ArrayList<>();
        PodSecurityRule rule = new PodSecurityRule(control, control.level, PssVersion.LATEST, Action.ENFORCE);
        rule.evaluate(w, new RuleContext("default", Map.of()), new ResultSink() {
            public void pass(ReasonCode code, FieldPath path, String message) {}

            public void fail(ReasonCode code, FieldPath path, String message) {
                findings.add(path.toString());
            }

            public void error(ReasonCode code, FieldPath path, String message) {
                findings.add("ERROR " + path);
            }

            public void skip(ReasonCode code, FieldPath path, String message) {}
        });
        return findings;
    }
}
