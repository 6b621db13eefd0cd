package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.verify.SignerPolicy.Match;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The offline cases of the other Sigstore clients (MANIFEST.md sections 2 to 5) that fit this API: the bundle, the
 * artifact or its digest, the signer and the trusted root those clients' tests use, and the expected outcome.
 */
class ClientCasesTest {

    static final Path CORPUS = Corpora.sigstore();
    static final Path GO = CORPUS.resolve("sigstore-go");
    static final Path GO_DATA = GO.resolve("pkg/testing/data");
    static final Path JAVA = CORPUS.resolve("sigstore-java/sigstore-java/src/test/resources/dev/sigstore");
    static final Path JAVA_BUNDLES = JAVA.resolve("samples/bundles");
    static final Path PYTHON = CORPUS.resolve("sigstore-python/test/assets");
    static final Path PRODUCTION = CORPUS.resolve("trust-roots/production/trusted_root.json");
    static final Path STAGING = CORPUS.resolve("trust-roots/staging/trusted_root.json");

    static final SignerPolicy ANY_SIGNER = SignerPolicy.keyless(Match.regexp(".*"), Match.regexp(".*"));
    static final String GITHUB = "https://token.actions.githubusercontent.com";
    static final String SIGSTORE_JS = "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main";
    static final String OCI_MANIFEST = "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4";
    static final String SHA512 = "sha512:";
    static final String NPM_SIGSTORE_130 = SHA512
            + "76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b3527515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751";

    /** {@code expected} is a {@link Failure#code()}, or null for verified; {@code artifact} a path or a digest. */
    record Scenario(String name, Path bundle, String artifact, SignerPolicy signer, Path trustRoot, String expected) {
        @Override
        public String toString() {
            return name + " -> " + (expected == null ? "verified" : expected);
        }
    }

    static Scenario ok(String name, Path bundle, String artifact, SignerPolicy signer, Path root) {
        return new Scenario(name, bundle, artifact, signer, root, null);
    }

    static Scenario fails(String name, Path bundle, String artifact, SignerPolicy signer, Path root, Failure failure) {
        return new Scenario(name, bundle, artifact, signer, root, failure.code());
    }

    static Stream<Scenario> scenarios() throws IOException {
        return Stream.of(cosign(), sigstoreGo(), sigstoreJava(), sigstorePython()).flatMap(List::stream);
    }

    /** cosign: an OCI attestation, verified for the image manifest digest it names as subject. */
    static List<Scenario> cosign() {
        Path oci = CORPUS.resolve("cosign/pkg/cosign/testdata/oci-attestation.sigstore.json");
        Path root = CORPUS.resolve("cosign/pkg/cosign/testdata/trusted_root_pgi.json");
        return List.of(
                ok("cosign oci-attestation", oci, OCI_MANIFEST, ANY_SIGNER, root),
                fails("cosign oci-attestation, another image", oci, "sha256:" + "0".repeat(64), ANY_SIGNER, root, Failure.DIGEST_MISMATCH),
                fails("cosign oci-attestation, identity regexp", oci, OCI_MANIFEST,
                        SignerPolicy.keyless(Match.regexp("^https://github\\.com/"), Match.regexp(".*")), root, Failure.IDENTITY));
    }

    static List<Scenario> sigstoreGo() throws IOException {
        Path publicGood = GO_DATA.resolve("trusted-roots/public-good.json");
        Path scaffolding = GO_DATA.resolve("trusted-roots/scaffolding.json");
        Path examplesRoot = GO.resolve("examples/trusted-root-public-good.json");
        Path jsProvenance = GO_DATA.resolve("bundles/sigstore.js@2.0.0-provenance.sigstore.json");
        Path othername = GO_DATA.resolve("bundles/othername.sigstore.json");
        Path provenance = GO.resolve("examples/bundle-provenance.json");
        Path publish = GO.resolve("examples/bundle-publish.json");
        String jsDigest = SHA512 + "46d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe34640966eee9fc2ccca387082b4c85cd3c";
        String dsseDigest = SHA512 + "bbfd372fc9beeb777fe35d05bb10c0c70a9733d366a75fed7dd18866c7391de3ee7e88ba74dd47abf3e15c845e547fcf0e5c3da80854c751554224d3a6d4e55f";
        String othernameDigest = "sha256:bc103b4a84971ef6459b294a2b98568a2bfb72cded09d4acd1e16366a401f95b";
        SignerPolicy publishKey = SignerPolicy.publicKey(Files.readString(GO.resolve("examples/publish_key.pub")));
        SignerPolicy otherKey = SignerPolicy.publicKey(Files.readString(
                CORPUS.resolve("sigstore-conformance/test/assets/bundle-verify/managed-key-happy-path/key.pub")));
        return List.of(
                ok("sigstore-go sigstore.js provenance (SHA-512 subject)", jsProvenance, jsDigest, SignerPolicy.keyless(SIGSTORE_JS, GITHUB), publicGood),
                fails("sigstore-go sigstore.js provenance, wrong issuer", jsProvenance, jsDigest,
                        SignerPolicy.keyless(SIGSTORE_JS, "https://accounts.google.com"), publicGood, Failure.ISSUER),
                fails("sigstore-go dsse-2sigs", GO_DATA.resolve("bundles/dsse-2sigs.sigstore.json"), dsseDigest, ANY_SIGNER, publicGood, Failure.SIGNATURE),
                ok("sigstore-go othername SAN", othername, othernameDigest, SignerPolicy.keyless("foo!oidc.local", "http://oidc.local:8080"), scaffolding),
                fails("sigstore-go othername SAN, email expected", othername, othernameDigest,
                        SignerPolicy.keyless("foo@oidc.local", "http://oidc.local:8080"), scaffolding, Failure.IDENTITY),
                ok("sigstore-go example npm provenance (root in chain, no checkpoint)", provenance, NPM_SIGSTORE_130,
                        SignerPolicy.keyless(SIGSTORE_JS, GITHUB), examplesRoot),
                ok("sigstore-go example npm publish attestation (key)", publish, NPM_SIGSTORE_130, publishKey, examplesRoot),
                fails("sigstore-go example npm publish attestation, other key", publish, NPM_SIGSTORE_130, otherKey, examplesRoot, Failure.SIGNATURE),
                fails("sigstore-go example npm provenance verified with a key", provenance, NPM_SIGSTORE_130, publishKey, examplesRoot,
                        Failure.SIGNER_MATERIAL));
    }

    /** sigstore-java's KeylessVerifierTest samples, signed over artifact.txt. */
    static List<Scenario> sigstoreJava() {
        Path prod2023 = JAVA.resolve("trustroot/trusted_root.json");
        String artifact = JAVA_BUNDLES.resolve("artifact.txt").toString();
        List<Scenario> out = new ArrayList<>();
        for (String ok : List.of("bundle.v1.sigstore", "bundle.v2.sigstore", "bundle.v3.sigstore", "bundle.v3_1.sigstore", "bundle.sigstore",
                "bundle-no-digest.sigstore", "bundle.dsse.sigstore",
                // version 0.1 may rest on the signed entry timestamp; sigstore-java refuses this one, python and go accept it
                "bundle.v1.no.inclusion.sigstore")) {
            out.add(ok("sigstore-java " + ok, JAVA_BUNDLES.resolve(ok), artifact, ANY_SIGNER, prod2023));
        }
        for (String ok : List.of("PKIX_ECDSA_P256_SHA_256", "PKIX_RSA_PKCS1V15_2048_SHA256", "PKIX_RSA_PKCS1V15_3072_SHA256",
                "PKIX_RSA_PKCS1V15_4096_SHA256")) {
            out.add(ok("sigstore-java " + ok, JAVA_BUNDLES.resolve(ok + ".sigstore.json"), artifact, ANY_SIGNER, PRODUCTION));
        }
        // SHA-384 and SHA-512 message digests
        for (String unsupported : List.of("PKIX_ECDSA_P384_SHA_384", "PKIX_ECDSA_P521_SHA_512")) {
            out.add(fails("sigstore-java " + unsupported, JAVA_BUNDLES.resolve(unsupported + ".sigstore.json"), artifact, ANY_SIGNER, PRODUCTION,
                    Failure.UNSUPPORTED));
        }
        out.add(ok("sigstore-java bundle-with-timestamp", JAVA_BUNDLES.resolve("bundle-with-timestamp.sigstore"), artifact, ANY_SIGNER, STAGING));
        out.add(ok("sigstore-java bundle-with-rekor-v2-entry", JAVA_BUNDLES.resolve("bundle-with-rekor-v2-entry.sigstore"), artifact, ANY_SIGNER, STAGING));
        out.add(ok("sigstore-java bundle.dsse.rekor-v2", JAVA_BUNDLES.resolve("bundle.dsse.rekor-v2.sigstore"), artifact, ANY_SIGNER, PRODUCTION));
        Object[][] failing = {
            {"bundle.v2.no.inclusion.sigstore", prod2023, Failure.MALFORMED_BUNDLE},
            {"bundle.v3.no.inclusion.sigstore", prod2023, Failure.MALFORMED_BUNDLE},
            {"bundle.v3_1.no.inclusion.sigstore", prod2023, Failure.MALFORMED_BUNDLE},
            {"bundle-with-mismatched-set.sigstore", prod2023, Failure.TLOG_ENTRY},
            {"bundle-with-bad-checkpoint-signature.sigstore", prod2023, Failure.CHECKPOINT},
            {"bundle-with-wrong-tlog-entry.sigstore", prod2023, Failure.TLOG_ENTRY},
            {"bundle-with-expired-cert.sigstore", PRODUCTION, Failure.TIMESTAMP},
            {"bundle.dsse.bad-signature.sigstore", prod2023, Failure.SIGNATURE},
            {"bundle.dsse.mismatched-envelope.sigstore", prod2023, Failure.TLOG_ENTRY},
            {"bundle.dsse.mismatched-signature.sigstore", prod2023, Failure.TLOG_ENTRY},
            {"bundle.dsse.rekor-v2.bad-signature.sigstore", STAGING, Failure.SIGNATURE},
            {"bundle.dsse.rekor-v2.mismatched-envelope.sigstore", STAGING, Failure.TLOG_ENTRY},
            {"bundle.dsse.rekor-v2.mismatched-signature.sigstore", STAGING, Failure.TLOG_ENTRY},
            // dsse 0.0.2 entries
            {"bundle.dsse.rekor-v2.bad-entry-type.sigstore", STAGING, Failure.UNSUPPORTED},
        };
        for (Object[] f : failing) {
            out.add(fails("sigstore-java " + f[0], JAVA_BUNDLES.resolve((String) f[0]), artifact, ANY_SIGNER, (Path) f[1], (Failure) f[2]));
        }
        out.add(fails("sigstore-java bundle.dsse, another artifact", JAVA_BUNDLES.resolve("bundle.dsse.sigstore"), "sha256:" + "1".repeat(64),
                ANY_SIGNER, prod2023, Failure.DIGEST_MISMATCH));
        return out;
    }

    /** sigstore-python: staging bundles without identity policy, and a production wheel with its workflow identity. */
    static List<Scenario> sigstorePython() throws IOException {
        String wheel = "sha256:" + Files.readString(PYTHON.resolve("bundle_v3_github.whl.sha256")).strip();
        String release = "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2";
        String ci = "https://github.com/trailofbits/rfc8785.py/.github/workflows/ci.yml@refs/tags/v0.1.2";
        return List.of(
                python("bundle.txt", null),
                python("bundle_v3.txt", null),
                python("bundle_v3_alt.txt", null),
                python("bundle_cve_2022_36056.txt", Failure.TLOG_ENTRY),
                python("bundle_invalid_version.txt", Failure.UNSUPPORTED),
                python("bundle_no_cert_v1.txt", Failure.MALFORMED_BUNDLE),
                python("bundle_no_log_entry.txt", Failure.MALFORMED_BUNDLE),
                ok("sigstore-python bundle_v3_github.whl", PYTHON.resolve("bundle_v3_github.whl.sigstore"), wheel, SignerPolicy.keyless(release, GITHUB),
                        PRODUCTION),
                fails("sigstore-python bundle_v3_github.whl, another workflow", PYTHON.resolve("bundle_v3_github.whl.sigstore"), wheel,
                        SignerPolicy.keyless(ci, GITHUB), PRODUCTION, Failure.IDENTITY));
    }

    private static Scenario python(String artifact, Failure failure) {
        return new Scenario("sigstore-python " + artifact, PYTHON.resolve(artifact + ".sigstore"), PYTHON.resolve(artifact).toString(), ANY_SIGNER,
                STAGING, failure == null ? null : failure.code());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void outcome(Scenario s) throws Exception {
        Artifact artifact = Artifact.fromArgument(s.artifact());
        TrustRoot root = TrustRoot.load(s.trustRoot());
        Result result = new BundleVerifier().verify(BundleVerifier.readBundle(s.bundle()), artifact, s.signer(), root);
        if (s.expected() == null) {
            assertThat(result).as("%s", result).isInstanceOf(Result.Verified.class);
        } else {
            assertThat(result).as("%s", result).isInstanceOfSatisfying(Result.NotVerified.class,
                    n -> assertThat(n.failure().code()).as(n.reason()).isEqualTo(s.expected()));
        }
    }

    @Test
    void detailsOfAVerifiedAttestation() throws Exception {
        Path cosign = CORPUS.resolve("cosign/pkg/cosign/testdata");
        Result r = new BundleVerifier().verify(BundleVerifier.readBundle(cosign.resolve("oci-attestation.sigstore.json")), Artifact.ofDigest(OCI_MANIFEST),
                ANY_SIGNER, TrustRoot.load(cosign.resolve("trusted_root_pgi.json")));
        assertThat(r.verified()).isTrue();
        Result.Details d = r.details();
        assertThat(d.mediaType()).isEqualTo("application/vnd.dev.sigstore.bundle.v0.3+json");
        assertThat(d.content()).isEqualTo("dsse");
        assertThat(d.predicateType()).isEqualTo("https://cosign.sigstore.dev/attestation/v1");
        assertThat(d.artifact()).isEqualTo(OCI_MANIFEST);
        assertThat(d.signer()).isNotBlank();
        assertThat(d.issuer()).startsWith("https://");
        assertThat(d.signedAt()).isNotNull();
        assertThat(d.tlogIndex()).isPositive();
        assertThat(d.tlogKind()).isEqualTo("dsse:0.0.1");
    }

    @Test
    void trustedRootsOfSigstorePython() {
        for (String ok : List.of("trustedroot.v1.json", "trustedroot.v1.local_tlog_ed25519_rekor-tiles.json")) {
            assertThat(load(PYTHON.resolve("trusted_root").resolve(ok))).as(ok).isNull();
        }
        assertThat(load(PYTHON.resolve("trusted_root/trustedroot.badtype.json"))).contains("bad-media-type");
    }

    /**
     * sigstore-go's key-validity case cannot be reached: its trusted root holds a TSA certificate with an empty
     * subject and no SAN, which the JDK refuses to parse (as sigstore-java does), so the root is refused at load.
     */
    @Test
    void aTrustedRootTheJdkCannotReadIsRefusedWhole() {
        assertThatThrownBy(() -> TrustRoot.load(GO_DATA.resolve("trusted-roots/public-key-validity.json")))
                .isInstanceOf(TrustRootException.class).hasMessageContaining("TSA");
    }

    private static String load(Path p) {
        try {
            TrustRoot.load(p);
            return null;
        } catch (TrustRootException e) {
            return e.getMessage();
        }
    }
}
