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
}
