package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code custody verify bundle} as a user runs it, on sigstore-conformance bundles read in place. */
class VerifyBundleCommandTest {

    static final Path ROOT = Path.of(System.getProperty("custody.repoRoot", "..")).toAbsolutePath().normalize();
    static final Path CASES = ROOT.resolve("../shared/corpora/sigstore/sigstore-conformance/test/assets/bundle-verify").normalize();
    static final String IDENTITY =
            "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
    static final String ISSUER = "https://token.actions.githubusercontent.com";
    static final String A_TXT = "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";

    static String bundle(String name) {
        return CASES.resolve(name).resolve("bundle.sigstore.json").toString();
    }

    @Test
    void aValidBundleVerifiesWithTheArtifactFile() {
        CliResult r = CliResult.run("verify", "bundle", "--bundle", bundle("rekor2-happy-path"), "--certificate-identity", IDENTITY,
                "--certificate-oidc-issuer", ISSUER, "--trusted-root", CASES.resolve("rekor2-happy-path/trusted_root.json").toString(),
                CASES.resolve("a.txt").toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).startsWith("verified " + A_TXT).contains("signer     " + IDENTITY).contains("issuer     " + ISSUER)
                .contains("tlog entry hashedrekord:0.0.2");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void aFailingBundleExitsOneAndNamesTheCheck() {
        CliResult r = CliResult.run("verify", "bundle", "--bundle", bundle("signature-mismatch_fail"), "--certificate-identity", IDENTITY,
                "--certificate-oidc-issuer", ISSUER, "--trusted-root", ROOT.resolve("../shared/corpora/sigstore/trust-roots/production/trusted_root.json")
                        .normalize().toString(), A_TXT);
        assertThat(r.code()).isEqualTo(ExitCodes.DENIED);
        assertThat(r.out()).startsWith("not verified (signature): ");
    }

    @Test
    void aKeySignedBundleVerifiesWithTheKeyAndRegexpsMatchIdentities() throws Exception {
        CliResult key = CliResult.run("verify", "bundle", "--bundle", bundle("managed-key-happy-path"), "--key",
                CASES.resolve("managed-key-happy-path/key.pub").toString(), A_TXT, "-o", "json");
        assertThat(key.code()).as(key.out() + key.err()).isZero();
        JsonNode doc = new ObjectMapper().readTree(key.out());
        assertThat(doc.path("verified").asBoolean()).isTrue();
        assertThat(doc.path("signer").asText()).startsWith("key sha256:");
        assertThat(doc.path("trustRoot").asText()).isEqualTo("public-good");

        CliResult regexp = CliResult.run("verify", "bundle", "--bundle", bundle("happy-path-v0.3"), "--certificate-identity-regexp",
                "^https://github\\.com/sigstore-conformance/", "--certificate-oidc-issuer-regexp", "githubusercontent", A_TXT);
        assertThat(regexp.code()).as(regexp.out() + regexp.err()).isZero();
        CliResult wrongIssuer = CliResult.run("verify", "bundle", "--bundle", bundle("happy-path-v0.3"), "--certificate-identity", IDENTITY,
                "--certificate-oidc-issuer-regexp", "^https://accounts\\.google\\.com$", A_TXT);
        assertThat(wrongIssuer.code()).isEqualTo(ExitCodes.DENIED);
        assertThat(wrongIssuer.out()).startsWith("not verified (issuer): ");
    }

    @Test
    void withoutTrustedRootThePublicGoodRootIsUsed() {
        CliResult production = CliResult.run("verify", "bundle", "--bundle", bundle("happy-path-v0.1"), "--certificate-identity", IDENTITY,
                "--certificate-oidc-issuer", ISSUER, CASES.resolve("a.txt").toString());
        assertThat(production.code()).as(production.out() + production.err()).isZero();
        assertThat(production.out()).contains("trust root public-good");
        // signed on the staging instance: valid, but not under the public-good root
        CliResult staging = CliResult.run("verify", "bundle", "--bundle", bundle("bundle-from-wrong-instance_fail"), "--certificate-identity", IDENTITY,
                "--certificate-oidc-issuer", ISSUER, CASES.resolve("a.txt").toString());
        assertThat(staging.code()).isEqualTo(ExitCodes.DENIED);
        assertThat(staging.out()).startsWith("not verified (certificate-chain): ").contains("trust root public-good");
    }

    @Test
    void usageErrorsExitTwo() {
        String key = CASES.resolve("managed-key-happy-path/key.pub").toString();
        CliResult both = CliResult.run("verify", "bundle", "--bundle", bundle("managed-key-happy-path"), "--key", key,
                "--certificate-identity", IDENTITY, "--certificate-oidc-issuer", ISSUER, A_TXT);
        assertThat(both.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(both.err()).startsWith("custody: --key cannot be combined");
        assertThat(both.out()).isEmpty();

        CliResult neither = CliResult.run("verify", "bundle", "--bundle", bundle("happy-path-v0.3"), A_TXT);
        assertThat(neither.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(neither.err()).startsWith("custody: say who must have signed");

        CliResult noIssuer = CliResult.run("verify", "bundle", "--bundle", bundle("happy-path-v0.3"), "--certificate-identity", IDENTITY, A_TXT);
        assertThat(noIssuer.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(noIssuer.err()).contains("--certificate-oidc-issuer");

        CliResult badRegexp = CliResult.run("verify", "bundle", "--bundle", bundle("happy-path-v0.3"), "--certificate-identity-regexp", "(",
                "--certificate-oidc-issuer", ISSUER, A_TXT);
        assertThat(badRegexp.code()).isEqualTo(ExitCodes.INPUT_ERROR);

        CliResult missing = CliResult.run("verify", "bundle", "--bundle", bundle("no-such-case"), "--certificate-identity", IDENTITY,
                "--certificate-oidc-issuer", ISSUER, A_TXT);
        assertThat(missing.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(missing.err()).contains("no such file");

        CliResult badRoot = CliResult.run("verify", "bundle", "--bundle", bundle("happy-path-v0.3"), "--certificate-identity", IDENTITY,
                "--certificate-oidc-issuer", ISSUER, "--trusted-root", CASES.resolve("trust-root-tlog-missing-validity-start_fail/trusted_root.json").toString(),
                A_TXT);
        assertThat(badRoot.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(badRoot.err()).startsWith("custody: invalid trusted root: ");
    }

    static Path provenancePolicy(Path dir, String... rules) throws java.io.IOException {
        StringBuilder p = new StringBuilder("apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: prov}\nspec:\n  tier: dev\n  trust:\n");
        for (String r : rules) {
            String[] f = r.split("\\|"); // name|builders|repositories|refs
            p.append("    - name: ").append(f[0]).append("\n      images: ['*']\n      authorities:\n")
                    .append("        - {name: beacon, keyless: {identity: '").append(IDENTITY).append("', issuer: '").append(ISSUER).append("'}}\n")
                    .append("      provenance:\n        builders: ['").append(f[1]).append("']\n        repositories: ['").append(f[2])
                    .append("']\n        refs: ['").append(f[3]).append("']\n        requireCommit: true\n");
            if (f.length > 4) {
                p.append("        condition: \"").append(f[4]).append("\"\n");
            }
        }
        Path file = java.nio.file.Files.createTempFile(dir, "policy", ".yaml");
        java.nio.file.Files.writeString(file, p);
        return file;
    }

    /** The conformance DSSE bundle carries SLSA v1 provenance of loosebazooka/aa-test built on refs/heads/main. */
    @Test
    void aProvenanceBundleIsCheckedAgainstTheBuilderRepositoryAndRefOfAPolicy(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String bundle = bundle("happy-path-intoto-in-dsse-v3");
        Path matching = provenancePolicy(dir, "aa|https://github.com/loosebazooka/*|https://github.com/loosebazooka/aa-test|refs/heads/main");
        CliResult ok = CliResult.run("verify", "bundle", "--bundle", bundle, "--certificate-identity", IDENTITY, "--certificate-oidc-issuer", ISSUER,
                "--policy", matching.toString(), A_TXT);
        assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out()).startsWith("verified " + A_TXT).contains("provenance satisfies it")
                .contains("builder    https://github.com/loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main")
                .contains("commit     ebff8dfbd609b7b22237c7719ce07f2dc7934f5f");
        for (String[] c : new String[][] {
                {"another builder", "aa|https://github.com/slsa-framework/*|*|*", "builder https://github.com/loosebazooka/"},
                {"another repository", "aa|*|https://github.com/acme/*|*", "source repository https://github.com/loosebazooka/aa-test is not one of"},
                {"another ref", "aa|*|*|refs/tags/v*", "source ref refs/heads/main is not one of [refs/tags/v*]"}}) {
            CliResult r = CliResult.run("verify", "bundle", "--bundle", bundle, "--certificate-identity", IDENTITY, "--certificate-oidc-issuer", ISSUER,
                    "--policy", provenancePolicy(dir, c[1]).toString(), "-o", "json", A_TXT);
            assertThat(r.code()).as(c[0] + ": " + r.out() + r.err()).isEqualTo(ExitCodes.DENIED);
            JsonNode j = new ObjectMapper().readTree(r.out());
            assertThat(j.path("verified").asBoolean()).isFalse();
            assertThat(j.path("failure").asText()).isEqualTo("provenance");
            assertThat(j.path("reason").asText()).as(c[0]).contains(c[2]);
            assertThat(j.path("signer").asText()).isEqualTo(IDENTITY); // the signature itself verified
        }
        // a CEL condition over the whole predicate, for what the patterns do not cover
        String workflow = "predicate.buildDefinition.externalParameters.workflow.path == ";
        CliResult cel = CliResult.run("verify", "bundle", "--bundle", bundle, "--certificate-identity", IDENTITY, "--certificate-oidc-issuer", ISSUER,
                "--policy", provenancePolicy(dir, "aa|*|*|*|" + workflow + "'.github/workflows/provenance.yaml'").toString(), A_TXT);
        assertThat(cel.code()).as(cel.out() + cel.err()).isZero();
        CliResult celFails = CliResult.run("verify", "bundle", "--bundle", bundle, "--certificate-identity", IDENTITY, "--certificate-oidc-issuer", ISSUER,
                "--policy", provenancePolicy(dir, "aa|*|*|*|" + workflow + "'.github/workflows/release.yml'").toString(), A_TXT);
        assertThat(celFails.code()).isEqualTo(ExitCodes.DENIED);
        assertThat(celFails.out()).contains("not verified (provenance)").contains("the condition predicate.buildDefinition").contains("is false");
        CliResult celBroken = CliResult.run("verify", "bundle", "--bundle", bundle, "--certificate-identity", IDENTITY, "--certificate-oidc-issuer", ISSUER,
                "--policy", provenancePolicy(dir, "aa|*|*|*|predicate.(").toString(), A_TXT);
        assertThat(celBroken.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(celBroken.err()).contains("spec.trust[0].provenance.condition").contains("invalid CEL at 1:");
        // a bundle whose signature fails is never read for provenance
        CliResult wrongSigner = CliResult.run("verify", "bundle", "--bundle", bundle, "--certificate-identity", "https://example.com/other",
                "--certificate-oidc-issuer", ISSUER, "--policy", matching.toString(), "-o", "json", A_TXT);
        assertThat(wrongSigner.code()).isEqualTo(ExitCodes.DENIED);
        assertThat(new ObjectMapper().readTree(wrongSigner.out()).path("failure").asText()).isEqualTo("identity");
        assertThat(new ObjectMapper().readTree(wrongSigner.out()).has("provenance")).isFalse();
    }

    @Test
    void aProvenancePolicyNeedsADsseBundleAndOneRule(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path one = provenancePolicy(dir, "aa|*|*|*");
        CliResult message = CliResult.run("verify", "bundle", "--bundle", bundle("rekor2-happy-path"), "--certificate-identity", IDENTITY,
                "--certificate-oidc-issuer", ISSUER, "--trusted-root", CASES.resolve("rekor2-happy-path/trusted_root.json").toString(),
                "--policy", one.toString(), CASES.resolve("a.txt").toString());
        assertThat(message.code()).isEqualTo(ExitCodes.DENIED);
        assertThat(message.out()).contains("not verified (provenance)").contains("carries no provenance");
        Path two = provenancePolicy(dir, "aa|*|*|*", "bb|*|*|*");
        CliResult ambiguous = CliResult.run("verify", "bundle", "--bundle", bundle("happy-path-intoto-in-dsse-v3"), "--certificate-identity", IDENTITY,
                "--certificate-oidc-issuer", ISSUER, "--policy", two.toString(), A_TXT);
        assertThat(ambiguous.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(ambiguous.err()).contains("pick one with --rule: aa, bb");
        CliResult picked = CliResult.run("verify", "bundle", "--bundle", bundle("happy-path-intoto-in-dsse-v3"), "--certificate-identity", IDENTITY,
                "--certificate-oidc-issuer", ISSUER, "--policy", two.toString(), "--rule", "bb", A_TXT);
        assertThat(picked.code()).as(picked.out() + picked.err()).isZero();
    }
}
