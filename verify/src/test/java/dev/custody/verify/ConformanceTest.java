package dev.custody.verify;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sigstore-conformance bundle-verification suite (MANIFEST.md section 1): every row of expected-results.csv,
 * each verified with the artifact file and again with its {@code sha256:} digest; both must give the expected
 * verdict, and a failure must be for the expected reason.
 */
class ConformanceTest {

    /** Cases Custody does not get right, with why. Exactly these must mismatch, so a fix or a regression shows. */
    static final Map<String, String> UNSUPPORTED = Map.of();

    /** Why each failing case must fail, by {@link Failure#code()}; "trust-root" is a trusted root refused when loaded. */
    static final Map<String, String> EXPECTED_FAILURE = Map.ofEntries(
            entry("bundle-empty-certificate-chain_fail", "malformed-bundle"),
            entry("bundle-from-wrong-instance_fail", "certificate-chain"),
            entry("bundle-invalid-base64-signature_fail", "malformed-bundle"),
            entry("bundle-malformed-json_fail", "malformed-bundle"),
            entry("bundle-negative-log-index_fail", "malformed-bundle"),
            entry("bundle-unknown-version_fail", "unsupported"),
            // a root in the bundle's chain is ignored (ADR 0011); the certificate was issued to a@tny.town
            entry("bundle-with-root-cert_fail", "identity"),
            entry("checkpoint-bad-keyhint_fail", "checkpoint"),
            entry("checkpoint-wrong-roothash_fail", "checkpoint"),
            entry("dsse-invalid-sig_fail", "signature"),
            entry("dsse-mismatch-envelope_fail", "tlog-entry"),
            entry("dsse-mismatch-sig_fail", "tlog-entry"),
            entry("inclusion-proof-corrupted-hash_fail", "inclusion-proof"),
            entry("incorrect-public-key_fail", "tlog-entry"),
            entry("integrated-time-in-future_fail", "timestamp"),
            entry("intoto-expired-certificate_fail", "certificate-chain"),
            entry("intoto-log-entry-mismatch_fail", "tlog-entry"),
            entry("intoto-missing-inclusion-proof_fail", "malformed-bundle"),
            entry("intoto-set-outside-signing-cert-validity_fail", "timestamp"),
            entry("intoto-tsa-timestamp-outside-cert-validity_fail", "timestamp"),
            entry("invalid-checkpoint-signature_fail", "checkpoint"),
            entry("invalid-ct-key_fail", "certificate-transparency"),
            entry("invalid-inclusion-proof_fail", "inclusion-proof"),
            entry("managed-key-no-key_fail", "signer-material"),
            entry("managed-key-wrong-key_fail", "signature"),
            entry("message-digest-mismatch_fail", "digest-mismatch"),
            entry("rekor2-checkpoint-missing-log-signature_fail", "checkpoint"),
            entry("rekor2-checkpoint-missing-origin_fail", "checkpoint"),
            entry("rekor2-checkpoint-missing-root-hash_fail", "checkpoint"),
            entry("rekor2-checkpoint-missing-size_fail", "checkpoint"),
            entry("rekor2-checkpoint-no-matching-signature_fail", "checkpoint"),
            entry("rekor2-dsse-invalid-sig_fail", "signature"),
            entry("rekor2-dsse-mismatch-envelope_fail", "tlog-entry"),
            entry("rekor2-dsse-mismatch-sig_fail", "tlog-entry"),
            entry("rekor2-no-inclusion-proof_fail", "malformed-bundle"),
            entry("rekor2-no-timestamp_fail", "timestamp"),
            entry("rekor2-timestamp-outside-trust-root-tsa-validity_fail", "timestamp"),
            entry("rekor2-timestamp-outside-tsa-cert-validity_fail", "timestamp"),
            entry("rekor2-timestamp-payload-mismatch_fail", "timestamp"),
            entry("rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail", "timestamp"),
            entry("rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail", "timestamp"),
            entry("rekor2-timestamp-with-incorrect-time_fail", "timestamp"),
            entry("set-invalid-signature_fail", "tlog-entry"),
            entry("signature-mismatch_fail", "signature"),
            entry("trust-root-tlog-missing-validity-start_fail", "trust-root"),
            entry("wrong-hashedrekord-artifact_fail", "tlog-entry"),
            entry("wrong-hashedrekord-cert-and-sig_fail", "tlog-entry"),
            entry("wrong-hashedrekord-entry_fail", "tlog-entry"),
            entry("wrong-material_fail", "digest-mismatch"));

    record Case(String name, boolean pass, Path bundle, Path artifact, String identity, String issuer, Path key, Path trustedRoot) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** One input form of a case: what was decided and why. */
    record Outcome(boolean verified, String code, String reason) {}

    private static final Map<Path, Object> ROOTS = new ConcurrentHashMap<>();

    static Path conformance() {
        return Corpora.sigstore().resolve("sigstore-conformance");
    }

    static List<Case> cases() {
        Path base = conformance();
        List<List<String>> rows = Csv.read(base.resolve("expected-results.csv"));
        List<String> header = rows.get(0);
        List<Case> out = new ArrayList<>();
        for (List<String> row : rows.subList(1, rows.size())) {
            Map<String, String> r = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                r.put(header.get(i), row.get(i));
            }
            String trusted = r.get("trusted_root").replaceAll(" \\(default.*\\)$", "");
            String key = r.get("key");
            out.add(new Case(r.get("case"), r.get("expected").equals("PASS"), base.resolve(r.get("bundle")), base.resolve(r.get("artifact")),
                    r.get("identity"), r.get("issuer"), key.isEmpty() ? null : base.resolve(key), base.resolve(trusted).normalize()));
        }
        return out;
    }

    static Outcome run(Case c, boolean digestInput) {
        Artifact artifact;
        try {
            artifact = Artifact.ofFile(c.artifact());
            if (digestInput) {
                artifact = Artifact.fromArgument(artifact.digest());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Object root = ROOTS.computeIfAbsent(c.trustedRoot(), p -> {
            try {
                return TrustRoot.load(p);
            } catch (TrustRootException e) {
                return e;
            }
        });
        if (root instanceof TrustRootException e) {
            return new Outcome(false, "trust-root", e.getMessage());
        }
        SignerPolicy policy;
        try {
            policy = c.key() != null ? SignerPolicy.publicKey(Files.readString(c.key())) : SignerPolicy.keyless(c.identity(), c.issuer());
            Result result = new BundleVerifier().verify(BundleVerifier.readBundle(c.bundle()), artifact, policy, (TrustRoot) root);
            return switch (result) {
                case Result.Verified v -> new Outcome(true, null, null);
                case Result.NotVerified n -> new Outcome(false, n.failure().code(), n.reason());
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void verdictAsExpected(Case c) {
        assertThat(c.name().endsWith("_fail")).as("the directory name says the verdict").isEqualTo(!c.pass());
        for (boolean digest : new boolean[] {false, true}) {
            Outcome o = run(c, digest);
            String input = digest ? "digest input" : "artifact input";
            if (UNSUPPORTED.containsKey(c.name())) {
                assertThat(o.verified()).as("%s (%s) is listed as unsupported: %s", c.name(), input, UNSUPPORTED.get(c.name())).isNotEqualTo(c.pass());
            } else {
                assertThat(o.verified()).as("%s (%s): %s", c.name(), input, o.reason()).isEqualTo(c.pass());
                if (!c.pass()) {
                    assertThat(o.code()).as("%s (%s) fails for the expected reason; it said: %s", c.name(), input, o.reason())
                            .isEqualTo(EXPECTED_FAILURE.get(c.name()));
                }
            }
        }
    }

    @Test
    void exactlyTheListedCasesMismatch() {
        List<Case> cases = cases();
        List<String> mismatched = new ArrayList<>();
        for (Case c : cases) {
            Outcome file = run(c, false);
            Outcome digest = run(c, true);
            if (file.verified() != c.pass() || digest.verified() != c.pass()) {
                mismatched.add(c.name());
                System.out.printf("conformance: %s expected %s, got %s with the artifact and %s with the digest%s%n", c.name(), c.pass() ? "PASS" : "FAIL",
                        file.verified() ? "PASS" : "FAIL", digest.verified() ? "PASS" : "FAIL", file.reason() == null ? "" : " (" + file.reason() + ")");
            }
        }
        int asExpected = cases.size() - mismatched.size();
        System.out.printf("conformance: %d of %d cases as expected (%d listed as unsupported)%n", asExpected, cases.size(), UNSUPPORTED.size());
        assertThat(cases).hasSize(70);
        assertThat(mismatched).containsExactlyInAnyOrderElementsOf(UNSUPPORTED.keySet());
        assertThat(EXPECTED_FAILURE.keySet()).containsExactlyInAnyOrderElementsOf(
                cases.stream().filter(c -> !c.pass() && !UNSUPPORTED.containsKey(c.name())).map(Case::name).toList());
    }

    /** The smallest CSV reader that handles the quoted, multi-line reason column. */
    static final class Csv {
        static List<List<String>> read(Path file) {
            String text;
            try {
                text = Files.readString(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<List<String>> rows = new ArrayList<>();
            List<String> row = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < text.length(); i++) {
                char ch = text.charAt(i);
                if (quoted) {
                    if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else if (ch == '"') {
                        quoted = false;
                    } else {
                        field.append(ch);
                    }
                } else if (ch == '"') {
                    quoted = true;
                } else if (ch == ',') {
                    row.add(field.toString());
                    field.setLength(0);
                } else if (ch == '\n') {
                    row.add(field.toString());
                    field.setLength(0);
                    rows.add(row);
                    row = new ArrayList<>();
                } else if (ch != '\r') {
                    field.append(ch);
                }
            }
            if (!field.isEmpty() || !row.isEmpty()) {
                row.add(field.toString());
                rows.add(row);
            }
            return rows;
        }
    }
}
