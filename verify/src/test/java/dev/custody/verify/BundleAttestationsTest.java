package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Attestations found as Sigstore bundles (cosign's new bundle format): a Fulcio-signed DSSE bundle from the
 * sigstore-conformance corpus verifies through its certificate and Rekor entry against the public-good root, for
 * the digest its statement names; other signers, other digests and damaged bundles never verify, and never throw.
 */
class BundleAttestationsTest {

    static final Path DIR = Corpora.sigstore().resolve("sigstore-conformance/test/assets/bundle-verify/happy-path-intoto-in-dsse-v3");
    static final String SUBJECT = "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";
    static final String BEACON = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/"
            + "extremely-dangerous-oidc-beacon.yml@refs/heads/main";
    static final String ISSUER = "https://token.actions.githubusercontent.com";

    static CosignVerifier.Authority fulcio(String identity) {
        return new CosignVerifier.Authority("ci", SignerPolicy.keyless(SignerPolicy.Match.exactly(identity), SignerPolicy.Match.exactly(ISSUER)));
    }

    @Test
    void aFulcioSignedBundleVerifiesThroughItsLogEntry() throws Exception {
        TrustRoot root = TrustRoot.load(Corpora.sigstore().resolve("trust-roots/production/trusted_root.json"));
        byte[] bundle = Files.readAllBytes(DIR.resolve("bundle.sigstore.json"));
        Attestations.Attestation a = Attestations.fromBundle(bundle, "referrer x");
        assertThat(a.certificatePem()).startsWith("-----BEGIN CERTIFICATE-----");
        Attestations.Outcome ok = Attestations.verify(SUBJECT, List.of(a), List.of(fulcio(BEACON)), null, root);
        assertThat(ok.failures()).isEmpty();
        assertThat(ok.verified()).singleElement().satisfies(v -> {
            assertThat(v.signers()).containsExactly("ci");
            assertThat(v.statement().predicateType()).isEqualTo("https://slsa.dev/provenance/v1");
        });
        // without the root (as for .att layers), a Fulcio authority cannot vouch for it
        assertThat(Attestations.verify(SUBJECT, List.of(a), List.of(fulcio(BEACON)), null, null).verified()).isEmpty();
        assertThat(Attestations.verify(SUBJECT, List.of(a), List.of(fulcio("https://example.com/other")), null, root).failures())
                .singleElement().asString().contains("identity");
        assertThat(Attestations.verify("sha256:" + "0".repeat(64), List.of(a), List.of(fulcio(BEACON)), null, root).verified()).isEmpty();
        // a bundle of an attestation is not a cosign image signature
        CosignVerifier.Outcome asSignature = new CosignVerifier().verify(SUBJECT, List.of(CosignVerifier.Signature.bundle(bundle, "referrer x")),
                List.of(fulcio(BEACON)), 1, List.of(), root);
        assertThat(asSignature.verified()).isFalse();
        assertThat(asSignature.checks().get(0).reason()).contains("not a cosign signature");
    }

    @Test
    void damagedBundlesNeverVerifyAndNeverThrow() throws Exception {
        TrustRoot root = TrustRoot.load(Corpora.sigstore().resolve("trust-roots/production/trusted_root.json"));
        byte[] bundle = Files.readAllBytes(DIR.resolve("bundle.sigstore.json"));
        Random random = new Random(11);
        for (int i = 0; i < 200; i++) {
            byte[] damaged = bundle.clone();
            int at = random.nextInt(damaged.length);
            damaged[at] = (byte) (damaged[at] ^ (1 + random.nextInt(255)));
            Attestations.Outcome o = Attestations.verify(SUBJECT, List.of(Attestations.fromBundle(damaged, "damaged " + at)),
                    List.of(fulcio(BEACON)), null, root);
            if (!o.verified().isEmpty()) {
                // a flip in bytes no check covers (whitespace, an unsigned field) may still verify; the statement must be the original
                assertThat(o.verified().get(0).statement().matchesSubject(SUBJECT)).isTrue();
            }
        }
        for (String junk : List.of("", "{}", "[]", "{\"dsseEnvelope\":1}", "{\"dsseEnvelope\":{}}", "null")) {
            assertThat(Attestations.verify(SUBJECT, List.of(Attestations.fromBundle(junk.getBytes(), "junk")), List.of(fulcio(BEACON)), null, root)
                    .verified()).as(junk).isEmpty();
        }
    }

    /**
     * A Fulcio-signed attestation as cosign stores it under the {@code .att} tag (the envelope as the layer, the
     * certificate and Rekor bundle as annotations), made here from the parts of cosign's own OCI attestation test
     * bundle (real Fulcio certificate, real Rekor entry and signed entry timestamp): it verifies for the image
     * digest its statement names, against the root of that test; a changed timestamp or another digest does not.
     */
    @Test
    void aFulcioSignedAttLayerVerifiesThroughItsRekorBundleAnnotation() throws Exception {
        Path dir = Corpora.sigstore().resolve("cosign/pkg/cosign/testdata");
        TrustRoot root = TrustRoot.load(dir.resolve("trusted_root_pgi.json"));
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("oci-attestation.sigstore.json").toFile());
        byte[] envelope = json.path("dsseEnvelope").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String cert = "-----BEGIN CERTIFICATE-----\n" + json.path("verificationMaterial").path("certificate").path("rawBytes").asText()
                + "\n-----END CERTIFICATE-----\n";
        var entry = json.path("verificationMaterial").path("tlogEntries").get(0);
        String logId = java.util.HexFormat.of().formatHex(java.util.Base64.getDecoder().decode(entry.path("logId").path("keyId").asText()));
        java.util.function.Function<String, String> rekor = set -> "{\"SignedEntryTimestamp\":\"" + set + "\",\"Payload\":{\"body\":\""
                + entry.path("canonicalizedBody").asText() + "\",\"integratedTime\":" + entry.path("integratedTime").asText() + ",\"logIndex\":"
                + entry.path("logIndex").asText() + ",\"logID\":\"" + logId + "\"}}";
        String set = entry.path("inclusionPromise").path("signedEntryTimestamp").asText();
        String subject = "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4"; // as the corpus MANIFEST states
        CosignVerifier.Authority anyone = new CosignVerifier.Authority("ci", SignerPolicy.keyless(SignerPolicy.Match.regexp(".*"),
                SignerPolicy.Match.regexp(".*")));

        Attestations.Attestation layer = Attestations.fromCosignLayer(envelope, cert, null, rekor.apply(set), "tag sha256-x.att layer 0");
        Attestations.Outcome ok = Attestations.verify(subject, List.of(layer), List.of(anyone), null, root);
        assertThat(ok.failures()).isEmpty();
        assertThat(ok.verified()).singleElement().satisfies(v -> assertThat(v.statement().predicateType())
                .isEqualTo("https://cosign.sigstore.dev/attestation/v1"));
        assertThat(Attestations.verify("sha256:" + "1".repeat(64), List.of(layer), List.of(anyone), null, root).verified()).isEmpty();
        String otherSet = set.substring(0, 20) + (set.charAt(20) == 'A' ? 'B' : 'A') + set.substring(21);
        Attestations.Attestation forged = Attestations.fromCosignLayer(envelope, cert, null, rekor.apply(otherSet), "forged");
        assertThat(Attestations.verify(subject, List.of(forged), List.of(anyone), null, root).verified()).isEmpty();
        // without the Rekor annotation a Fulcio certificate is refused, saying why
        Attestations.Outcome bare = Attestations.verify(subject, List.of(Attestations.fromCosignLayer(envelope, cert, null, null, "bare")),
                List.of(anyone), null, root);
        assertThat(bare.verified()).isEmpty();
        assertThat(bare.failures()).singleElement().asString().contains("transparency-log entry");
    }
}
