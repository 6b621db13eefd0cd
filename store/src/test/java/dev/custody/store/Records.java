package dev.custody.store;

import dev.custody.sbom.Component;
import dev.custody.sbom.Dependency;
import dev.custody.sbom.Quality;
import dev.custody.sbom.Sbom;
import dev.custody.sbom.SbomFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test data for store tests. */
final class Records {

    static final String D1 = "sha256:" + "1".repeat(64);
    static final String D2 = "sha256:" + "2".repeat(64);

    private Records() {}

    static DecisionRecord decision(int i, String namespace, String verdict, String digest) {
        List<DecisionRecord.RuleOutcome> rules = new ArrayList<>();
        rules.add(new DecisionRecord.RuleOutcome("prod", "images.requireDigest", verdict.equals("denied") ? "FAIL" : "PASS", "ENFORCE",
                verdict.equals("denied") ? "IMAGE_NOT_PINNED" : "OK", "spec.containers[0].image", "checked"));
        rules.add(new DecisionRecord.RuleOutcome("prod", "podSecurity.privileged", "PASS", "ENFORCE", "OK", "spec.containers[0]", "ok"));
        String image = digest == null ? "registry.example/app:v" + i : "registry.example/app@" + digest;
        return new DecisionRecord(1_700_000_000_000L + i, "admission", "uid-" + i, "alice", "CREATE", namespace, "Deployment", "app-" + i,
                verdict, false, "pv1", List.of(new DecisionRecord.Image("app", image, digest)), rules, List.of());
    }

    static Sbom sbom(String hash, List<String> subjects, String... purls) {
        List<Component> components = new ArrayList<>();
        int n = 0;
        for (String purl : purls) {
            String name = purl.replaceAll("^pkg:[^/]+/(?:[^/]+/)?([^@]+)@.*$", "$1");
            String version = purl.replaceAll("^.*@([^?#]+).*$", "$1");
            components.add(new Component("ref-" + n++, purl, "library", name, version, List.of("MIT"), Map.of("SHA-256", "ab".repeat(32)), "Acme"));
        }
        List<Dependency> deps = components.size() > 1 ? List.of(new Dependency("ref-0", "ref-1")) : List.of();
        return new Sbom(SbomFormat.CYCLONEDX_JSON, "1.5", "urn:uuid:" + hash, "app", subjects, components, deps,
                "sha256:" + hash.repeat(64).substring(0, 64), new Quality(components.size(), 1, 1, 1, 1, true, 0, List.of(), 100));
    }
}
