package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code custody promote} on stored evidence and the corpus's advisories: a digest whose worst finding is a high with
 * a fix (bcprov-jdk15on 1.66, GHSA-73xv-w5gp-frxh) goes to staging, then to production from staging; one with a
 * critical with a fix (htmlunit 2.37.0) is refused for production with the gate's reason; a denylisted digest is
 * refused and shows as revoked. Each promotion is in the hash chain and in {@code query artifact}'s release state.
 */
class PromoteCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String OK = "sha256:" + "b1".repeat(32);
    static final String BAD = "sha256:" + "b2".repeat(32);

    @TempDir
    Path tmp;

    void sbom(String store, String digest, String purl, String name, String version) throws Exception {
        Path f = tmp.resolve(name + ".json");
        Files.writeString(f, """
                {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
                  {"type": "library", "name": "%s", "version": "%s", "purl": "%s"}]}
                """.formatted(name, version, purl));
        assertThat(CliResult.run("sbom", "ingest", f.toString(), "--digest", digest, "--store", store).code()).isZero();
    }

    @Test
    void aDigestMovesTierByTierOnlyWhenItsEvidenceSatisfiesEachTiersPolicies() throws Exception {
        String store = tmp.resolve("promote.db").toString();
        assertThat(CliResult.run("vuln", "db", "import", VulnCommandTest.OSV.resolve("ghsa-maven-zeppelin").toString(), "--store", store).code()).isZero();
        sbom(store, OK, "pkg:maven/org.bouncycastle/bcprov-jdk15on@1.66", "bcprov-jdk15on", "1.66");
        sbom(store, BAD, "pkg:maven/net.sourceforge.htmlunit/htmlunit@2.37.0", "htmlunit", "2.37.0");
        Path policies = Files.createDirectories(tmp.resolve("policies"));
        for (String tier : new String[] {"staging", "production"}) {
            Files.writeString(policies.resolve(tier + ".yaml"), """
                    apiVersion: custody.dev/v1alpha1
                    kind: Policy
                    metadata: {name: %s}
                    spec:
                      tier: %s
                      namespaces: {include: [%s]}
                      images: {allowedRegistries: [registry.example]}
                      vulnerabilities: {}
                    """.formatted(tier, tier, tier));
        }
        String repo = "registry.example/shop/web";
        CliResult early = CliResult.run("promote", "--digest", OK, "--to", "production", "--from", "staging", "--image", repo, "--policy",
                policies.toString(), "--store", store);
        assertThat(early.code()).isEqualTo(ExitCodes.DENIED);
        assertThat(early.out()).contains("has not been promoted to staging");

        CliResult staging = CliResult.run("promote", "--digest", OK, "--to", "staging", "--image", repo, "--policy", policies.toString(),
                "--store", store, "--as", "release-bot");
        assertThat(staging.code()).as(staging.out() + staging.err()).isZero();
        assertThat(staging.out()).startsWith("promoted " + repo + "@" + OK + " to staging (PRM-");
        CliResult production = CliResult.run("promote", "--digest", OK, "--to", "production", "--from", "staging", "--image", repo, "--policy",
                policies.toString(), "--store", store, "--as", "release-bot", "-o", "json");
        assertThat(production.code()).as(production.out() + production.err()).isZero();
        JsonNode p = JSON.readTree(production.out());
        assertThat(p.path("promoted").asBoolean()).isTrue();
        assertThat(p.path("policies").toString()).isEqualTo("[\"production\"]");

        // another registry is refused by the tier's image rules, a critical with a fix by its gate
        CliResult elsewhere = CliResult.run("promote", "--digest", OK, "--to", "staging", "--image", "docker.io/acme/web", "--policy",
                policies.toString(), "--store", store);
        assertThat(elsewhere.code()).isEqualTo(ExitCodes.DENIED);
        assertThat(elsewhere.out()).contains("images.allowedRegistries");
        CliResult refused = CliResult.run("promote", "--digest", BAD, "--to", "production", "--image", repo, "--policy", policies.toString(),
                "--store", store, "-o", "json");
        assertThat(refused.code()).isEqualTo(ExitCodes.DENIED);
        JsonNode r = JSON.readTree(refused.out());
        assertThat(r.path("promoted").asBoolean()).isFalse();
        assertThat(r.path("reasons").toString()).contains("production/vulnerabilities.gate VULN_EXCEPTION_REQUIRED").contains("GHSA-3xrr-7m6p-p7xh");

        // the release state and the chain
        JsonNode artifact = JSON.readTree(CliResult.run("query", "artifact", OK, "--store", store, "-o", "json").out());
        assertThat(artifact.path("release").path("state").asText()).isEqualTo("promoted");
        assertThat(artifact.path("release").path("stages").path("promoted").toString()).isEqualTo("[\"staging\",\"production\"]");
        assertThat(artifact.path("release").path("stages").path("scanned").asBoolean()).isTrue();
        assertThat(artifact.path("promotions").findValuesAsText("actor")).containsExactly("release-bot", "release-bot");
        assertThat(CliResult.run("audit", "verify", "--store", store).code()).isZero();

        // production admission, with a trust rule that requires a promotion from staging: OK has one, BAD none
        String key = Files.readString(CommandTreeTest.KEY).strip().indent(14);
        Path trust = tmp.resolve("trust.yaml");
        Files.writeString(trust, """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: production-trust}
                spec:
                  tier: production
                  images: {allowedRegistries: false}
                  serviceAccount: {denyDefault: false, automountToken: false}
                  trust:
                    - name: release
                      images: ["registry.example/**"]
                      authorities:
                        - name: ci
                          key: |
                %s
                      promotion: {from: staging}
                """.formatted(key));
        Path pods = tmp.resolve("pods.yaml");
        Files.writeString(pods, "apiVersion: v1\nkind: Pod\nmetadata: {name: ok, namespace: prod}\nspec:\n  containers: [{name: app, image: \"" + repo + "@"
                + OK + "\"}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: bad, namespace: prod}\nspec:\n  containers: [{name: app, image: \""
                + repo + "@" + BAD + "\"}]\n");
        JsonNode checked = JSON.readTree(CliResult.run("check", "--policy", trust.toString(), pods.toString(), "--store", store, "-o", "json", "-v").out());
        java.util.Map<String, String> promotion = new java.util.TreeMap<>();
        for (JsonNode w : checked.path("results")) {
            for (JsonNode o : w.path("outcomes")) {
                if (o.path("rule").asText().equals("trust.release.promotion")) {
                    promotion.put(w.path("name").asText(), o.path("code").asText());
                }
            }
        }
        assertThat(promotion).isEqualTo(java.util.Map.of("ok", "PROMOTION_RECORDED", "bad", "PROMOTION_MISSING"));

        // revoked: the denylist refuses a promotion, and the state says so
        assertThat(CliResult.run("denylist", "add", OK, "--reason", "INC-1: leaked key", "--store", store).code()).isZero();
        CliResult revoked = CliResult.run("promote", "--digest", OK, "--to", "staging", "--image", repo, "--policy", policies.toString(), "--store", store);
        assertThat(revoked.code()).isEqualTo(ExitCodes.DENIED);
        assertThat(revoked.out()).contains("DENYLISTED");
        assertThat(JSON.readTree(CliResult.run("query", "artifact", OK, "--store", store, "-o", "json").out()).path("release").path("state").asText())
                .isEqualTo("revoked");
        // usage errors name the option
        CliResult bad = CliResult.run("promote", "--digest", OK, "--to", "prod", "--policy", policies.toString(), "--store", store);
        assertThat(bad.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(bad.err()).contains("--to must be dev, staging, production or regulated, found \"prod\"");
    }
}
