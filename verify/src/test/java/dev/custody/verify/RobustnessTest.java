package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile and damaged input: truncated bundles, flipped bytes, tampered signed fields, deep nesting, huge values.
 * Each must end in a clean "not verified" (or a TrustRootException for a trusted root), never in another
 * exception or a hang. Seeded, so a failure reproduces.
 */
class RobustnessTest {

    static final Path BUNDLES = Corpora.sigstore().resolve("sigstore-conformance/test/assets/bundle-verify");
    static final List<String> CASES = List.of("happy-path-v0.1", "happy-path-v0.3", "happy-path-intoto-in-dsse-v3", "rekor2-happy-path",
            "rekor2-dsse-happy-path", "managed-key-happy-path", "intoto-with-custom-trust-root");

    record Sample(String name, byte[] bundle, Artifact artifact, SignerPolicy policy, TrustRoot root) {
        Result verify(byte[] json) {
            return new BundleVerifier().verify(json, artifact, policy, root);
        }
    }

    static final List<Sample> SAMPLES = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        TrustRoot production = TrustRoot.load(Corpora.sigstore().resolve("trust-roots/production/trusted_root.json"));
        for (String name : CASES) {
            Path dir = BUNDLES.resolve(name);
            Path artifact = Files.exists(dir.resolve("artifact")) ? dir.resolve("artifact") : BUNDLES.resolve("a.txt");
            TrustRoot root = Files.exists(dir.resolve("trusted_root.json")) ? TrustRoot.load(dir.resolve("trusted_root.json")) : production;
            SignerPolicy policy = Files.exists(dir.resolve("key.pub")) ? SignerPolicy.publicKey(Files.readString(dir.resolve("key.pub")))
                    : SignerPolicy.keyless("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/"
                            + "extremely-dangerous-oidc-beacon.yml@refs/heads/main", "https://token.actions.githubusercontent.com");
            Sample s = new Sample(name, Files.readAllBytes(dir.resolve("bundle.sigstore.json")), Artifact.ofFile(artifact), policy, root);
            assertThat(s.verify(s.bundle()).verified()).as("%s verifies untouched", name).isTrue();
            SAMPLES.add(s);
        }
    }

    @Test
    void truncatedBundlesAreMalformed() {
        Random random = new Random(20261128);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < 200; i++) {
                Sample s = SAMPLES.get(random.nextInt(SAMPLES.size()));
                int cut = random.nextInt(s.bundle().length - 1);
                Result r = s.verify(java.util.Arrays.copyOf(s.bundle(), cut));
                assertThat(r).as("%s cut at %d", s.name(), cut).isInstanceOfSatisfying(Result.NotVerified.class,
                        n -> assertThat(n.failure()).isEqualTo(Failure.MALFORMED_BUNDLE));
            }
        });
    }

    @Test
    void flippedBytesNeverThrow() {
        Random random = new Random(7);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            int verified = 0;
            for (int i = 0; i < 300; i++) {
                Sample s = SAMPLES.get(random.nextInt(SAMPLES.size()));
                byte[] b = s.bundle().clone();
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                }
                if (s.verify(b).verified()) {
                    verified++;
                }
            }
            // a flip in a field name the verifier ignores, or in JSON whitespace, leaves a valid bundle; nothing else does
            assertThat(verified).isLessThan(30);
        });
    }

    /**
     * Every byte of these fields is covered by a signature, a hash or a proof: any change must be refused. Not the
     * RFC 3161 timestamp: its CMS envelope has unsigned parts (status, algorithm set, signer identifier) that
     * BouncyCastle reads past; its signed TSTInfo and signature are covered by the conformance cases.
     */
    @Test
    void tamperedSignedFieldsAreNeverVerified() {
        Random random = new Random(42);
        List<String> fields = List.of("messageSignature.signature", "dsseEnvelope.payload", "dsseEnvelope.signatures.0.sig",
                "verificationMaterial.certificate.rawBytes", "verificationMaterial.x509CertificateChain.certificates.0.rawBytes",
                "verificationMaterial.tlogEntries.0.canonicalizedBody", "verificationMaterial.tlogEntries.0.inclusionPromise.signedEntryTimestamp",
                "verificationMaterial.tlogEntries.0.inclusionProof.rootHash", "verificationMaterial.tlogEntries.0.inclusionProof.hashes.0");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            int tampered = 0;
            for (int i = 0; i < 300; i++) {
                Sample s = SAMPLES.get(random.nextInt(SAMPLES.size()));
                String field = fields.get(random.nextInt(fields.size()));
                byte[] mutated = withBase64Field(s.bundle(), field, bytes -> {
                    byte[] b = bytes.clone();
                    b[random.nextInt(b.length)] ^= (byte) (1 + random.nextInt(255));
                    return b;
                });
                if (mutated == null) {
                    continue;
                }
                tampered++;
                Result r = s.verify(mutated);
                assertThat(r.verified()).as("%s with %s tampered", s.name(), field).isFalse();
            }
            assertThat(tampered).isGreaterThan(150);
        });
    }

    @Test
    void deepNestingIsRefusedBeforeParsing() {
        Sample s = SAMPLES.get(0);
        for (int depth : new int[] {65, 1_000, 200_000}) {
            String nested = "[".repeat(depth) + "]".repeat(depth);
            for (String json : List.of(nested, "{\"mediaType\":" + nested + "}", "{\"verificationMaterial\":{\"tlogEntries\":" + nested + "}}")) {
                Result r = s.verify(json.getBytes(StandardCharsets.UTF_8));
                assertThat(r).isInstanceOfSatisfying(Result.NotVerified.class, n -> {
                    assertThat(n.failure()).isEqualTo(Failure.MALFORMED_BUNDLE);
                    assertThat(n.reason()).contains("nested deeper");
                });
            }
        }
        byte[] root = ("{\"tlogs\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> TrustRoot.parse(root, "nested")).isInstanceOf(TrustRootException.class).hasMessageContaining("nested deeper");
    }

    @Test
    void hugeValuesAreRefusedCleanly() {
        Sample s = SAMPLES.get(1);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            String big = "A".repeat(9 * 1024 * 1024);
            List<byte[]> inputs = List.of(
                    ("{\"mediaType\":\"" + big + "\"}").getBytes(StandardCharsets.UTF_8),
                    withField(s.bundle(), "messageSignature.signature", new JsonPrimitive(big)),
                    withField(s.bundle(), "verificationMaterial.tlogEntries.0.inclusionProof.checkpoint.envelope", new JsonPrimitive(big)),
                    withField(s.bundle(), "verificationMaterial.tlogEntries.0.logIndex", new JsonPrimitive("9".repeat(100_000))),
                    withField(s.bundle(), "verificationMaterial.tlogEntries.0.inclusionProof.hashes", repeated(new JsonPrimitive("AAAA"), 100_000)),
                    withField(s.bundle(), "verificationMaterial.tlogEntries", repeated(JsonParser.parseString("{}"), 100_000)),
                    new byte[(int) BundleVerifier.MAX_BUNDLE_BYTES + 1]);
            for (byte[] json : inputs) {
                assertThat(s.verify(json).verified()).isFalse();
            }
        });
    }

    @Test
    void damagedTrustedRootsThrowOnlyTrustRootException() throws IOException {
        byte[] root = Files.readAllBytes(Corpora.sigstore().resolve("trust-roots/production/trusted_root.json"));
        Random random = new Random(99);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < 100; i++) {
                byte[] b = random.nextBoolean() ? java.util.Arrays.copyOf(root, random.nextInt(root.length)) : root.clone();
                b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                try {
                    TrustRoot.parse(b, "damaged");
                } catch (TrustRootException e) {
                    assertThat(e.getMessage()).startsWith("damaged");
                }
            }
        });
    }

    private static JsonArray repeated(JsonElement e, int n) {
        JsonArray a = new JsonArray(n);
        for (int i = 0; i < n; i++) {
            a.add(e);
        }
        return a;
    }

    /** The bundle with a base64 field's decoded bytes replaced, or null when the bundle has no such field. */
    static byte[] withBase64Field(byte[] bundle, String path, Function<byte[], byte[]> change) {
        JsonObject root = JsonParser.parseString(new String(bundle, StandardCharsets.UTF_8)).getAsJsonObject();
        JsonElement at = root;
        String[] parts = path.split("\\.");
        for (int i = 0; i < parts.length - 1 && at != null; i++) {
            at = child(at, parts[i]);
        }
        if (at == null || child(at, parts[parts.length - 1]) == null) {
            return null;
        }
        byte[] old = Base64.getDecoder().decode(child(at, parts[parts.length - 1]).getAsString());
        if (old.length == 0) {
            return null;
        }
        set(at, parts[parts.length - 1], new JsonPrimitive(Base64.getEncoder().encodeToString(change.apply(old))));
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] withField(byte[] bundle, String path, JsonElement value) {
        JsonObject root = JsonParser.parseString(new String(bundle, StandardCharsets.UTF_8)).getAsJsonObject();
        JsonElement at = root;
        String[] parts = path.split("\\.");
        for (int i = 0; i < parts.length - 1; i++) {
            at = child(at, parts[i]);
        }
        set(at, parts[parts.length - 1], value);
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonElement child(JsonElement e, String name) {
        if (e instanceof JsonArray a) {
            int i = Integer.parseInt(name);
            return i < a.size() ? a.get(i) : null;
        }
        return e instanceof JsonObject o ? o.get(name) : null;
    }

    private static void set(JsonElement e, String name, JsonElement value) {
        if (e instanceof JsonArray a) {
            a.set(Integer.parseInt(name), value);
        } else {
            ((JsonObject) e).add(name, value);
        }
    }
}
