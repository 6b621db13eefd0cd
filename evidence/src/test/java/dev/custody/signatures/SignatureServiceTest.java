package dev.custody.signatures;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.imageref.ImageReference;
import dev.custody.policy.PolicyParser;
import dev.custody.policy.PolicySet;
import dev.custody.policy.trust.SignatureGatherer;
import dev.custody.policy.trust.SignatureLookup;
import dev.custody.policy.trust.SignatureVerdict;
import dev.custody.policy.trust.TrustRule;
import dev.custody.policy.trust.TrustSpec;
import dev.custody.verify.CosignVerifier;
import dev.custody.verify.TrustRoot;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Caching, coalescing, deadlines and failure types of signature verification. The signatures are real cosign
 * signatures from the connaisseur corpus, served from its file-backed registry layout by a source this test
 * controls (so it can count requests, delay them and stage an outage); the registry client itself is tested
 * against real registries on loopback elsewhere.
 */
class SignatureServiceTest {

    static final Path ROOT = Path.of(System.getProperty("custody.repoRoot", "..")).toAbsolutePath().normalize();
    static final Path DATA = ROOT.resolve("../shared/corpora/sigstore/connaisseur-cosign-legacy/test/testdata/cosign").normalize();
    static final Path REPO = DATA.resolve("securesystemsengineering/testimage");
    static final String ALICE_DIGEST = "sha256:071bf7a986f1ca9cb2a1f0bc8392822a7777f90d58f2d2c6f271913e08de7c81";
    static final ObjectMapper JSON = new ObjectMapper();

    /** A file-backed source with a request counter, an optional delay and an outage switch. */
    static final class FileSource implements SignatureSource {
        final AtomicInteger signatureRequests = new AtomicInteger();
        final List<dev.custody.oci.Keychain> usedKeychains = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile boolean bundlesDown;
        volatile List<dev.custody.verify.Attestations.Attestation> attested = List.of();

        @Override
        public List<Bundle> bundles(ImageReference image, String digest, Instant deadline) throws Unavailable {
            if (bundlesDown || down) {
                throw new Unavailable("connection refused (referrers)", null);
            }
            return List.of();
        }

        @Override
        public SignatureSource using(dev.custody.oci.Keychain keychain) {
            usedKeychains.add(keychain);
            return this; // the files need no credentials; the test checks which were asked for
        }
        volatile boolean down;
        volatile long delayMs;

        @Override
        public String resolve(ImageReference image, Instant deadline) throws Unavailable {
            if (image.digest() != null) {
                return image.digest().toString();
            }
            throw new Unavailable("tags are not resolved by this test source", null);
        }

        @Override
        public List<Platform> platforms(ImageReference image, String digest, Instant deadline) {
            return List.of(); // the corpus has no index
        }

        @Override
        public List<dev.custody.verify.Attestations.Attestation> attestations(ImageReference image, String digest, Instant deadline)
                throws Unavailable {
            if (down) {
                throw new Unavailable("connection refused", null);
            }
            return attested; // the corpus has no attestations; tests sign their own
        }

        @Override
        public List<CosignVerifier.Signature> signatures(ImageReference image, String digest, Instant deadline) throws Unavailable {
            signatureRequests.incrementAndGet();
            if (delayMs > 0) {
                try {
                    Thread.sleep(delayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (down) {
                throw new Unavailable("connection refused", null);
            }
            List<CosignVerifier.Signature> out = new ArrayList<>();
            try {
                JsonNode sig = JSON.readTree(Files.readAllBytes(REPO.resolve("manifests/" + digest.replace(':', '-') + ".sig.json")));
                for (JsonNode layer : sig.path("layers")) {
                    byte[] payload = Files.readAllBytes(REPO.resolve("blobs/" + layer.path("digest").asText() + ".json"));
                    out.add(new CosignVerifier.Signature(payload, layer.path("annotations").path("dev.cosignproject.cosign/signature").asText(),
                            null, null, null, "file"));
                }
            } catch (NoSuchFileException e) {
                return out;
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            return out;
        }
    }

    static final class MovableClock extends Clock {
        volatile Instant now = Instant.parse("2026-11-28T12:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static TrustSpec spec(String keyFile) throws Exception {
        String pem = Files.readString(DATA.resolve(keyFile));
        String policy = """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: p}
                spec:
                  tier: dev
                  trust:
                    - name: team
                      images: [docker.io/securesystemsengineering/*]
                      authorities:
                        - name: signer
                          key: |
                """ + pem.indent(14);
        PolicySet set = new PolicyParser().load(Map.of("p.yaml", policy));
        return ((TrustRule) set.policies().get(0).rules().stream().filter(r -> r instanceof TrustRule).findFirst().orElseThrow()).spec();
    }

    static SignatureGatherer.Need need(String digest, TrustSpec spec) {
        return new SignatureGatherer.Need(ImageReference.parse("securesystemsengineering/testimage@" + digest), spec);
    }

    static SignatureVerdict ask(SignatureService s, SignatureGatherer.Need n, Duration budget) {
        SignatureLookup l = s.gather(List.of(n), Instant.now().plus(budget));
        return l.find(n.image(), n.spec());
    }

    @Test
    void twoHundredConcurrentAdmissionsOfOneDigestCauseOneVerification() throws Exception {
        FileSource source = new FileSource();
        source.delayMs = 200; // the first verification is still running when the others arrive
        MovableClock clock = new MovableClock();
        TrustSpec alice = spec("alice.key");
        try (SignatureService s = new SignatureService(source, TrustRoot.publicGood(), SignatureService.Timings.DEFAULT, clock)) {
            ExecutorService callers = Executors.newFixedThreadPool(200);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<SignatureVerdict>> answers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                answers.add(callers.submit(() -> {
                    start.await();
                    SignatureGatherer.Need n = need(ALICE_DIGEST, alice);
                    return s.gather(List.of(n, n), Instant.now().plusSeconds(10)).find(n.image(), n.spec()); // two containers, one image
                }));
            }
            start.countDown();
            for (Future<SignatureVerdict> f : answers) {
                assertThat(f.get().kind()).isEqualTo(SignatureVerdict.Kind.VERIFIED);
            }
            callers.shutdown();
            assertThat(s.verifications()).isEqualTo(1);
            assertThat(source.signatureRequests.get()).isEqualTo(1);
        }
    }

    /**
     * A pod's imagePullSecrets reach the registry client through the resolver, and verdicts are kept apart by the
     * credentials the secrets give (a namespace without access cannot ride on another's, nor be refused because of
     * another's missing secret), while pods whose secrets give the same credentials, or none, share them.
     */
    @Test
    void pullSecretsAreResolvedPerNamespaceAndKeepTheirVerdictsApart() throws Exception {
        FileSource source = new FileSource();
        TrustSpec alice = spec("alice.key");
        List<SignatureGatherer.PullSecrets> asked = java.util.Collections.synchronizedList(new ArrayList<>());
        try (SignatureService s = new SignatureService(source, TrustRoot.publicGood(), SignatureService.Timings.DEFAULT, new MovableClock())
                .pullSecrets((secrets, deadline) -> {
                    asked.add(secrets);
                    if (secrets.names().contains("made-up")) {
                        return dev.custody.oci.Keychain.anonymous(); // no such secret: nothing to present
                    }
                    String password = secrets.namespace().equals("shop") ? "shop-secret" : "other-secret";
                    return repository -> new dev.custody.oci.Credentials.Basic("robot", password);
                })) {
            ImageReference image = ImageReference.parse("securesystemsengineering/testimage@" + ALICE_DIGEST);
            java.util.function.BiFunction<String, List<String>, SignatureVerdict> ask = (ns, names) ->
                    ask(s, new SignatureGatherer.Need(image, alice, new SignatureGatherer.PullSecrets(ns, names)), Duration.ofSeconds(5));
            assertThat(ask.apply("shop", List.of("regcred", "backup")).kind()).isEqualTo(SignatureVerdict.Kind.VERIFIED);
            assertThat(asked).containsExactly(new SignatureGatherer.PullSecrets("shop", List.of("regcred", "backup")));
            assertThat(source.usedKeychains).hasSize(1);
            assertThat(ask.apply("shop", List.of("regcred")).kind()).isEqualTo(SignatureVerdict.Kind.VERIFIED);
            assertThat(source.signatureRequests.get()).as("the same credentials under other names: cached").isEqualTo(1);
            assertThat(ask.apply("other", List.of("regcred")).kind()).isEqualTo(SignatureVerdict.Kind.VERIFIED);
            assertThat(source.signatureRequests.get()).as("other credentials: verified on their own").isEqualTo(2);
            assertThat(ask(s, need(ALICE_DIGEST, alice), Duration.ofSeconds(5)).kind()).isEqualTo(SignatureVerdict.Kind.VERIFIED);
            assertThat(source.signatureRequests.get()).as("no credentials: verified on its own").isEqualTo(3);
            assertThat(ask.apply("shop", List.of("made-up")).kind()).isEqualTo(SignatureVerdict.Kind.VERIFIED);
            assertThat(source.signatureRequests.get()).as("secrets that give nothing share the verdict of no secrets").isEqualTo(3);
            assertThat(asked).as("no secrets, no lookup").hasSize(4);
        }
    }

    @Test
    void verdictsAreCachedAndAnOutageIsNeverABadSignature() throws Exception {
        FileSource source = new FileSource();
        MovableClock clock = new MovableClock();
        TrustSpec alice = spec("alice.key");
        try (SignatureService s = new SignatureService(source, TrustRoot.publicGood(), SignatureService.Timings.DEFAULT, clock)) {
            SignatureGatherer.Need n = need(ALICE_DIGEST, alice);
            assertThat(ask(s, n, Duration.ofSeconds(5)).kind()).isEqualTo(SignatureVerdict.Kind.VERIFIED);
            assertThat(ask(s, n, Duration.ofSeconds(5)).kind()).isEqualTo(SignatureVerdict.Kind.VERIFIED);
            assertThat(source.signatureRequests.get()).isEqualTo(1); // the second came from the cache

            source.down = true;
            clock.now = clock.now.plus(Duration.ofMinutes(11)); // the cached verdict expired
            SignatureVerdict earlier = ask(s, n, Duration.ofSeconds(5));
            assertThat(earlier.kind()).isEqualTo(SignatureVerdict.Kind.VERIFIED_EARLIER);
            assertThat(earlier.detail()).contains("connection refused");

            clock.now = clock.now.plus(Duration.ofHours(5)); // past the grace period
            SignatureVerdict gone = ask(s, n, Duration.ofSeconds(5));
            assertThat(gone.kind()).isEqualTo(SignatureVerdict.Kind.UNAVAILABLE);
            assertThat(gone.detail()).contains("unreachable");
        }
    }

    @Test
    void missingAndInvalidSignaturesAreToldApartAndCachedBriefly() throws Exception {
        FileSource source = new FileSource();
        MovableClock clock = new MovableClock();
        try (SignatureService s = new SignatureService(source, TrustRoot.publicGood(), SignatureService.Timings.DEFAULT, clock)) {
            SignatureVerdict byBob = ask(s, need(ALICE_DIGEST, spec("bob.key")), Duration.ofSeconds(5));
            assertThat(byBob.kind()).isEqualTo(SignatureVerdict.Kind.INVALID);
            assertThat(byBob.detail()).contains("does not verify with signer's key");
            String unsigned = "sha256:" + "0".repeat(64);
            SignatureGatherer.Need none = need(unsigned, spec("alice.key"));
            assertThat(ask(s, none, Duration.ofSeconds(5)).kind()).isEqualTo(SignatureVerdict.Kind.UNSIGNED);
            int before = source.signatureRequests.get();
            ask(s, none, Duration.ofSeconds(5));
            assertThat(source.signatureRequests.get()).isEqualTo(before);
            clock.now = clock.now.plus(Duration.ofSeconds(31));
            ask(s, none, Duration.ofSeconds(5));
            assertThat(source.signatureRequests.get()).isEqualTo(before + 1);
        }
    }

    @Test
    void theAnswerComesByTheDeadlineAndTheLateVerificationStillFillsTheCache() throws Exception {
        FileSource source = new FileSource();
        source.delayMs = 1500;
        TrustSpec alice = spec("alice.key");
        try (SignatureService s = new SignatureService(source, TrustRoot.publicGood(), SignatureService.Timings.DEFAULT, Clock.systemUTC())) {
            SignatureGatherer.Need n = need(ALICE_DIGEST, alice);
            long t0 = System.nanoTime();
            SignatureVerdict v = ask(s, n, Duration.ofMillis(300));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(v.kind()).isEqualTo(SignatureVerdict.Kind.UNAVAILABLE);
            assertThat(v.detail()).contains("deadline");
            assertThat(ms).isLessThan(1200); // answered at the deadline, not when the registry finally answered
            Thread.sleep(1600);
            source.delayMs = 0;
            assertThat(ask(s, n, Duration.ofSeconds(5)).kind()).isEqualTo(SignatureVerdict.Kind.VERIFIED);
            assertThat(source.signatureRequests.get()).isEqualTo(1);
        }
    }

    /** An invalid .sig stays invalid when the registry fails on the way to the referrers: the outage excuses nothing. */
    @Test
    void anOutageWhileLookingForBundlesDoesNotTurnAnInvalidSignatureIntoAnOutage() throws Exception {
        FileSource source = new FileSource();
        source.bundlesDown = true;
        try (SignatureService s = new SignatureService(source, TrustRoot.publicGood(), SignatureService.Timings.DEFAULT, new MovableClock())) {
            SignatureVerdict byBob = ask(s, need(ALICE_DIGEST, spec("bob.key")), Duration.ofSeconds(5));
            assertThat(byBob.kind()).isEqualTo(SignatureVerdict.Kind.INVALID);
            ask(s, need(ALICE_DIGEST, spec("bob.key")), Duration.ofSeconds(5));
            assertThat(source.signatureRequests.get()).as("not cached: the referrers were never asked").isEqualTo(2);
            // a .sig that verifies settles the verdict: the referrers are not asked, so their outage does not matter
            assertThat(ask(s, need(ALICE_DIGEST, spec("alice.key")), Duration.ofSeconds(5)).kind()).isEqualTo(SignatureVerdict.Kind.VERIFIED);
            // with nothing under the .sig tag, the referrers were the only hope: that is an outage
            SignatureVerdict none = ask(s, need("sha256:" + "0".repeat(64), spec("alice.key")), Duration.ofSeconds(5));
            assertThat(none.kind()).isEqualTo(SignatureVerdict.Kind.UNAVAILABLE);
        }
    }

    /** The API server not answering for a pod's pull secrets is an outage, never a bad signature. */
    @Test
    void unreadablePullSecretsMakeTheVerdictUnavailable() throws Exception {
        FileSource source = new FileSource();
        try (SignatureService s = new SignatureService(source, TrustRoot.publicGood(), SignatureService.Timings.DEFAULT, new MovableClock())
                .pullSecrets((secrets, deadline) -> {
                    throw new SignatureService.PullSecretsUnavailable("cannot read pull secret shop/regcred from the API server: timeout", null);
                })) {
            ImageReference image = ImageReference.parse("securesystemsengineering/testimage@" + ALICE_DIGEST);
            SignatureVerdict v = ask(s, new SignatureGatherer.Need(image, spec("alice.key"), new SignatureGatherer.PullSecrets("shop", List.of("regcred"))),
                    Duration.ofSeconds(5));
            assertThat(v.kind()).isEqualTo(SignatureVerdict.Kind.UNAVAILABLE);
            assertThat(v.detail()).contains("shop/regcred");
        }
    }

    /**
     * A scan attestation with a maximum age: verified while fresh, cached no longer than it stays fresh, and during
     * a registry outage admitted as verified earlier only until it goes stale, then STALE (never extended by the
     * outage's grace period). The envelope is signed here with a fresh key, as cosign signs DSSE.
     */
    @Test
    void aScanVerifiedBeforeAnOutageGoesStaleOnTime() throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        java.security.KeyPair kp = g.generateKeyPair();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(kp.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        MovableClock clock = new MovableClock();
        String statement = """
                {"_type":"https://in-toto.io/Statement/v0.1","subject":[{"name":"img","digest":{"sha256":"%s"}}],
                 "predicateType":"https://cosign.sigstore.dev/attestation/vuln/v1",
                 "predicate":{"scanner":{"uri":"pkg:github/aquasecurity/trivy@0.58.0"},"metadata":{"scanFinishedOn":"%s"}}}"""
                .formatted(ALICE_DIGEST.substring(7), clock.now.minus(Duration.ofMinutes(30)));
        byte[] payload = statement.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] pae = ("DSSEv1 28 application/vnd.in-toto+json " + payload.length + " ").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] signed = java.util.Arrays.copyOf(pae, pae.length + payload.length);
        System.arraycopy(payload, 0, signed, pae.length, payload.length);
        java.security.Signature ecdsa = java.security.Signature.getInstance("SHA256withECDSA");
        ecdsa.initSign(kp.getPrivate());
        ecdsa.update(signed);
        String envelope = "{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"" + java.util.Base64.getEncoder().encodeToString(payload)
                + "\",\"signatures\":[{\"sig\":\"" + java.util.Base64.getEncoder().encodeToString(ecdsa.sign()) + "\"}]}";
        FileSource source = new FileSource();
        source.attested = List.of(new dev.custody.verify.Attestations.Attestation(envelope.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                null, null, "test layer"));
        String policy = """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: p}
                spec:
                  tier: dev
                  trust:
                    - name: scanned
                      images: [docker.io/securesystemsengineering/*]
                      authorities:
                        - name: scanner
                          key: |
                """ + pem.indent(14) + "      scan: {maxAge: 1h}\n";
        TrustSpec spec = new PolicyParser().load(Map.of("p.yaml", policy)).policies().get(0).rules().stream()
                .filter(r -> r instanceof TrustRule).map(r -> ((TrustRule) r).spec()).findFirst().orElseThrow();
        try (SignatureService s = new SignatureService(source, TrustRoot.publicGood(), SignatureService.Timings.DEFAULT, clock)) {
            SignatureGatherer.Need n = need(ALICE_DIGEST, spec);
            java.util.function.Supplier<SignatureVerdict> scan = () -> s.gather(List.of(n), Instant.now().plusSeconds(5))
                    .attestation(n.image(), n.spec(), dev.custody.policy.trust.AttestationKind.SCAN);
            assertThat(scan.get().kind()).isEqualTo(SignatureVerdict.Kind.VERIFIED);
            source.down = true;
            clock.now = clock.now.plus(Duration.ofMinutes(11)); // the cached verdict expired; the scan is 41 minutes old
            SignatureVerdict earlier = scan.get();
            assertThat(earlier.kind()).isEqualTo(SignatureVerdict.Kind.VERIFIED_EARLIER);
            clock.now = clock.now.plus(Duration.ofMinutes(20)); // 61 minutes old: stale, outage or not
            SignatureVerdict stale = scan.get();
            assertThat(stale.kind()).isEqualTo(SignatureVerdict.Kind.STALE);
            assertThat(stale.detail()).contains("went stale");
        }
    }
}
