package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.decision.RuleResult;
import dev.custody.decision.WorkloadDecision;
import dev.custody.engine.Engine;
import dev.custody.files.PolicyFiles;
import dev.custody.manifest.InputLimits;
import dev.custody.policy.PolicySet;
import dev.custody.policy.podsecurity.PodSecurityRules;
import dev.custody.policy.podsecurity.PssVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Custody against Kubernetes' own Pod Security Standards verdicts: k8s.io/pod-security-admission ships the
 * fixtures its tests generate and Kubernetes' integration tests create through a real API server,
 * test/testdata/{baseline,restricted}/v1.N/{pass,fail}/*.yaml for every policy version. Each one goes through the path `custody check` takes, with the
 * example policy of its level set to its version: a pass fixture must be admitted, a fail fixture denied by the
 * control it is named after (or, under restricted, by the control that overrides that one). The newest version
 * is checked a second time with the example as it is, at {@code latest}. Needs CUSTODY_PSA_FIXTURES (scripts/test.sh fetches the module and sets it);
 * skipped without it.
 */
class PodSecurityFixturesTest {

    static final Path ROOT = CheckCommandTest.ROOT;
    /** A fail fixture is named after the check it fails: lower-case check id, then a number. */
    static final Pattern FAIL_NAME = Pattern.compile("([a-z_]+?)\\d+\\.yaml");
    static final Map<String, String> CONTROLS_BY_FILE_NAME = new HashMap<>();

    /**
     * Upstream's overrides: from the version given, restricted runs the second check instead of the baseline one,
     * so a restricted fixture named after the baseline check is denied by the one that replaces it.
     */
    record Replacement(String restricted, int since) {}

    static final Map<String, Replacement> OVERRIDDEN = Map.of(
            "podSecurity.hostPathVolumes", new Replacement("podSecurity.restrictedVolumes", 0),
            "podSecurity.seccompProfile_baseline", new Replacement("podSecurity.seccompProfile_restricted", 19),
            "podSecurity.capabilities_baseline", new Replacement("podSecurity.capabilities_restricted", 22),
            "podSecurity.procMount", new Replacement("podSecurity.procMount_restricted", 35));

    static {
        for (String id : PodSecurityRules.controlIds()) {
            CONTROLS_BY_FILE_NAME.put(id.toLowerCase(Locale.ROOT), "podSecurity." + id);
        }
    }

    @TempDir
    Path work;

    @Test
    void everyUpstreamFixtureGetsKubernetesVerdict() throws IOException {
        String env = System.getenv("CUSTODY_PSA_FIXTURES");
        Assumptions.assumeTrue(env != null && !env.isBlank(),
                "CUSTODY_PSA_FIXTURES is not set: scripts/test.sh fetches k8s.io/pod-security-admission and sets it");
        Path testdata = Path.of(env).resolve("test/testdata");
        assertThat(testdata.resolve("baseline")).as("fixtures of CUSTODY_PSA_FIXTURES=%s", env).isDirectory();

        List<String> mismatches = new ArrayList<>();
        Map<String, Integer> checked = new TreeMap<>();
        int newest = -1;
        for (String level : List.of("baseline", "restricted")) {
            String example = Files.readString(ROOT.resolve("examples/policies/pod-security-" + level + ".yaml"));
            assertThat(example).contains("version: latest");
            int minor = 0;
            for (; Files.isDirectory(testdata.resolve(level).resolve("v1." + minor)); minor++) {
                String version = "v1." + minor;
                check(level, version, testdata, example.replace("version: latest", "version: " + version), mismatches, checked);
            }
            newest = minor - 1;
            // the example as it is: latest must be the newest version upstream has fixtures for
            check(level, "v1." + newest, testdata, example, mismatches, checked);
        }
        int total = checked.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf("PodSecurityFixturesTest: %d fixture verdicts compared (%s), %d mismatches%n", total, checked, mismatches.size());
        assertThat(mismatches).as("fixtures where Custody and Kubernetes disagree (%d compared: %s)", total, checked).isEmpty();
        assertThat(newest).as("the newest policy version upstream has fixtures for is Custody's latest").isEqualTo(PssVersion.LATEST_MINOR);
    }

    /** One `custody check` run: the policy parsed once, every fixture of one level and version evaluated. */
    private void check(String level, String version, Path testdata, String policyText, List<String> mismatches,
                       Map<String, Integer> checked) throws IOException {
        Path dir = testdata.resolve(level).resolve(version);
        int minor = Integer.parseInt(version.substring("v1.".length()));
        String as = policyText.contains("version: latest") ? " (as latest)" : "";
        Path policy = work.resolve(level + "-" + version + (as.isEmpty() ? "" : "-latest") + ".yaml");
        Files.writeString(policy, policyText);
        PolicySet set = PolicyFiles.load(List.of(policy.toString()), Policies.parser());
        CheckReport report = new CheckRun(new Engine(set), InputLimits.DEFAULT, null, Map.of())
                .run(List.of(dir.toString()), InputStream.nullInputStream());
        report.problems().forEach(p -> mismatches.add(level + " " + version + as + ": input problem: " + p));
        Map<Path, List<CheckReport.Entry>> byFile = new HashMap<>();
        for (CheckReport.Entry e : report.entries()) {
            byFile.computeIfAbsent(Path.of(e.source()).toAbsolutePath().normalize(), k -> new ArrayList<>()).add(e);
        }
        for (String expect : List.of("pass", "fail")) {
            List<Path> fixtures;
            try (Stream<Path> s = Files.list(dir.resolve(expect))) {
                fixtures = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            }
            for (Path f : fixtures) {
                checked.merge(level + " " + expect + as, 1, Integer::sum);
                String where = testdata.relativize(f) + as + ": expected " + (expect.equals("pass") ? "admitted" : "denied");
                List<CheckReport.Entry> entries = byFile.getOrDefault(f.toAbsolutePath().normalize(), List.of());
                if (entries.size() != 1 || !(entries.get(0) instanceof CheckReport.Decided d)) {
                    mismatches.add(where + ", got " + entries);
                    continue;
                }
                if (expect.equals("pass")) {
                    if (!d.decision().allowed()) {
                        mismatches.add(where + ", got " + verdict(d.decision()));
                    }
                    continue;
                }
                Matcher m = FAIL_NAME.matcher(f.getFileName().toString());
                String named = m.matches() ? CONTROLS_BY_FILE_NAME.get(m.group(1)) : null;
                Replacement o = named == null ? null : OVERRIDDEN.get(named);
                String rule = level.equals("restricted") && o != null && minor >= o.since() ? o.restricted() : named;
                if (rule == null) {
                    mismatches.add(where + ", but its file name names no control Custody knows");
                } else if (d.decision().violations().stream().noneMatch(r -> r.rule().equals(rule) && r.code().name().startsWith("PSS_"))) {
                    mismatches.add(where + " by " + rule + ", got " + verdict(d.decision()));
                }
            }
        }
    }

    private static String verdict(WorkloadDecision d) {
        if (d.allowed()) {
            return "admitted";
        }
        List<String> why = new ArrayList<>();
        for (RuleResult r : d.violations()) {
            why.add(r.rule() + " " + r.code() + " " + r.path());
        }
        return "denied " + why;
    }
}
