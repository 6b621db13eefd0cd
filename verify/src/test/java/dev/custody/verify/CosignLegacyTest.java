package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tag-based cosign signatures ({@code sha256-<hex>.sig}) from the connaisseur corpus, whose test data is a
 * file-backed registry: manifests/&lt;ref&gt;.json and blobs/&lt;digest&gt;.json. The expected verdicts are those its
 * MANIFEST states (connaisseur's TestValidateImage, transparency log not checked for key authorities).
 */
class CosignLegacyTest {

    static final Path DATA = Corpora.sigstore().resolve("connaisseur-cosign-legacy/test/testdata/cosign");
    static final Path REPO = DATA.resolve("securesystemsengineering/testimage");
    static final ObjectMapper JSON = new ObjectMapper();

    final CosignVerifier verifier = new CosignVerifier();

    /** What a registry client would find for a tag: the image digest and the signatures beside it. */
    record Found(String digest, List<CosignVerifier.Signature> signatures) {}

    static Found lookup(String tag) throws Exception {
        byte[] manifest = Files.readAllBytes(REPO.resolve("manifests/" + tag + ".json"));
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(manifest));
        List<CosignVerifier.Signature> sigs = new ArrayList<>();
        JsonNode sig;
        try {
            sig = JSON.readTree(Files.readAllBytes(REPO.resolve("manifests/" + digest.replace(':', '-') + ".sig.json")));
        } catch (NoSuchFileException e) {
            return new Found(digest, sigs);
        }
        int i = 0;
        for (JsonNode layer : sig.path("layers")) {
            JsonNode ann = layer.path("annotations");
            byte[] payload = Files.readAllBytes(REPO.resolve("blobs/" + layer.path("digest").asText() + ".json"));
            sigs.add(new CosignVerifier.Signature(payload, text(ann, "dev.cosignproject.cosign/signature"), text(ann, "dev.sigstore.cosign/certificate"),
                    text(ann, "dev.sigstore.cosign/chain"), text(ann, "dev.sigstore.cosign/bundle"), "tag " + digest.replace(':', '-') + ".sig layer " + i++));
        }
        return new Found(digest, sigs);
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    static CosignVerifier.Authority key(String name) throws Exception {
        return new CosignVerifier.Authority(name, SignerPolicy.publicKey(Files.readString(DATA.resolve(name + ".key"), StandardCharsets.US_ASCII)));
    }

    @Test
    void aliceSignedAlice() throws Exception {
        Found f = lookup("multi-cosigned-alice");
        assertThat(f.digest()).isEqualTo("sha256:071bf7a986f1ca9cb2a1f0bc8392822a7777f90d58f2d2c6f271913e08de7c81");
        CosignVerifier.Outcome o = verifier.verify(f.digest(), f.signatures(), List.of(key("alice")), 1, List.of(), TrustRoot.publicGood());
        assertThat(o.verified()).as(o.reason()).isTrue();
        assertThat(o.authorities()).containsExactly("alice");
    }

    @Test
    void thresholdsAndRequiredSigners() throws Exception {
        Found f = lookup("multi-cosigned-alice-bob-charlie");
        assertThat(f.digest()).isEqualTo("sha256:bfec161fecb0a887df7cb85e4da327c65986ccda7060cf3cd92171c6c90d7533");
        List<CosignVerifier.Authority> trusted = List.of(key("alice"), key("bob"));
        assertThat(verifier.verify(f.digest(), f.signatures(), trusted, 2, List.of(), TrustRoot.publicGood()).verified()).isTrue();
        CosignVerifier.Outcome three = verifier.verify(f.digest(), f.signatures(), trusted, 3, List.of(), TrustRoot.publicGood());
        assertThat(three.verified()).isFalse();
        assertThat(three.reason()).startsWith("validation threshold not reached: 2 of 3");
        // charlie signed too, but charlie's key is not trusted here, so its signature verifies for nobody
        assertThat(three.checks()).filteredOn(CosignVerifier.Check::verified).hasSize(2);

        Found alice = lookup("multi-cosigned-alice");
        CosignVerifier.Outcome needBob = verifier.verify(alice.digest(), alice.signatures(), trusted, 1, List.of("bob"), TrustRoot.publicGood());
        assertThat(needBob.verified()).isFalse();
        assertThat(needBob.reason()).isEqualTo("missing required signatures from [bob]");
        assertThat(verifier.verify(alice.digest(), alice.signatures(), trusted, 1, List.of("bob", "alice"), TrustRoot.publicGood()).reason())
                .isEqualTo("missing required signatures from [bob]");
    }

    @Test
    void unsignedImagesHaveNoSignatures() throws Exception {
        Found f = lookup("co-unsigned");
        CosignVerifier.Outcome o = verifier.verify(f.digest(), f.signatures(), List.of(key("alice")), 1, List.of(), TrustRoot.publicGood());
        assertThat(o.verified()).isFalse();
        assertThat(o.reason()).startsWith("no signatures found");
    }

    @Test
    void aSignatureForAnotherDigestIsADigestMismatchNotABadSignature() throws Exception {
        Found alice = lookup("multi-cosigned-alice");
        Found other = lookup("multi-cosigned-alice-bob-charlie");
        CosignVerifier.Outcome o = verifier.verify(other.digest(), alice.signatures(), List.of(key("alice")), 1, List.of(), TrustRoot.publicGood());
        assertThat(o.verified()).isFalse();
        assertThat(o.checks()).allSatisfy(c -> assertThat(c.failure()).isEqualTo("digest-mismatch"));
    }

    @Test
    void keylessSignaturesAreCheckedAgainstTheIdentityTheRootAndTheLog() throws Exception {
        Found f = lookup("keyless");
        assertThat(f.digest()).isEqualTo("sha256:31dc72a13a0c34b40eb95419d2b2fd67320c856baf3b72da518023ee8d370aee");
        CosignVerifier.Authority philipp = new CosignVerifier.Authority("philipp-keyless",
                SignerPolicy.keyless(SignerPolicy.Match.regexp("philipp"), SignerPolicy.Match.regexp("github")));
        CosignVerifier.Outcome ok = verifier.verify(f.digest(), f.signatures(), List.of(philipp), 1, List.of(), TrustRoot.publicGood());
        assertThat(ok.verified()).as(ok.checks().toString()).isTrue();
        assertThat(ok.checks().get(0).reason()).contains("philipp.belitz@securesystems.de").contains("https://github.com/login/oauth");

        CosignVerifier.Authority bob = new CosignVerifier.Authority("bob-keyless",
                SignerPolicy.keyless(SignerPolicy.Match.exactly("bob@gmail.com"), SignerPolicy.Match.regexp("google")));
        CosignVerifier.Outcome no = verifier.verify(f.digest(), f.signatures(), List.of(bob), 1, List.of(), TrustRoot.publicGood());
        assertThat(no.verified()).isFalse();
        assertThat(no.checks().get(0).failure()).isIn("identity", "issuer");

        // the same signature with its Rekor bundle's signed entry timestamp corrupted
        CosignVerifier.Signature s = f.signatures().get(0);
        String badSet = s.rekorBundleJson().replaceFirst("\"SignedEntryTimestamp\":\"MEUCIE", "\"SignedEntryTimestamp\":\"MEUCIF");
        CosignVerifier.Outcome tampered = verifier.verify(f.digest(), List.of(new CosignVerifier.Signature(s.payload(), s.signatureBase64(),
                s.certificatePem(), s.chainPem(), badSet, s.origin())), List.of(philipp), 1, List.of(), TrustRoot.publicGood());
        assertThat(tampered.verified()).isFalse();
        assertThat(tampered.checks().get(0).failure()).isEqualTo("tlog-entry");
    }

    @Test
    void malformedSignaturesFailCleanly() throws Exception {
        Found f = lookup("multi-cosigned-alice");
        CosignVerifier.Signature s = f.signatures().get(0);
        List<CosignVerifier.Signature> broken = List.of(
                new CosignVerifier.Signature("{".getBytes(), s.signatureBase64(), null, null, null, "truncated payload"),
                new CosignVerifier.Signature(s.payload(), "***", null, null, null, "not base64"),
                new CosignVerifier.Signature(s.payload(), "", null, null, null, "empty"),
                new CosignVerifier.Signature("{\"critical\":{\"image\":{\"docker-manifest-digest\":5}}}".getBytes(), s.signatureBase64(), null, null,
                        null, "digest not a string"),
                new CosignVerifier.Signature(s.payload(), s.signatureBase64(), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", null,
                        "{}", "bad certificate"));
        CosignVerifier.Authority keyless = new CosignVerifier.Authority("any", SignerPolicy.keyless(SignerPolicy.Match.regexp(".*"),
                SignerPolicy.Match.regexp(".*")));
        CosignVerifier.Outcome o = verifier.verify(f.digest(), broken.subList(0, 4), List.of(key("alice"), keyless), 1, List.of(),
                TrustRoot.publicGood());
        assertThat(o.verified()).isFalse();
        assertThat(o.checks()).hasSize(8).allSatisfy(c -> assertThat(c.failure()).isNotNull());
        CosignVerifier.Outcome cert = verifier.verify(f.digest(), broken.subList(4, 5), List.of(keyless), 1, List.of(), TrustRoot.publicGood());
        assertThat(cert.verified()).isFalse();
        assertThat(cert.checks()).singleElement().satisfies(c -> assertThat(c.failure()).isEqualTo("signer-material"));
    }
}
