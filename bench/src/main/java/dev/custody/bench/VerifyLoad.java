package dev.custody.bench;

import dev.custody.imageref.ImageReference;
import dev.custody.oci.Keychain;
import dev.custody.oci.RegistryClient;
import dev.custody.policy.PolicyParser;
import dev.custody.policy.PolicySet;
import dev.custody.policy.trust.SignatureGatherer;
import dev.custody.policy.trust.SignatureVerdict;
import dev.custody.policy.trust.TrustRule;
import dev.custody.policy.trust.TrustSpec;
import dev.custody.signatures.OciSignatureSource;
import dev.custody.signatures.SignatureService;
import dev.custody.verify.TrustRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Signature verification in process against a registry on loopback:
 * cold (every verification a cache miss: tag resolution, the .sig manifest, the payload, the signature check) and
 * cached (the admission path once the digest is known), with registry requests per cold verification.
 * <pre>java -cp custody-bench.jar dev.custody.bench.VerifyLoad IMAGE-BY-TAG KEY.pub COLD_RUNS CACHED_RUNS</pre>
 */
public final class VerifyLoad {

    public static void main(String[] args) throws Exception {
        ImageReference image = ImageReference.parse(args[0]);
        String key = Files.readString(Path.of(args[1]));
        int cold = Integer.parseInt(args[2]);
        int cached = Integer.parseInt(args[3]);
        String policy = "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: bench}\nspec:\n  tier: dev\n  trust:\n"
                + "    - name: bench\n      images: ['*']\n      authorities:\n        - name: key\n          key: |\n" + key.indent(12);
        PolicySet set = new PolicyParser().load(Map.of("bench.yaml", policy));
        TrustSpec spec = set.policies().get(0).rules().stream().filter(r -> r instanceof TrustRule).map(r -> ((TrustRule) r).spec()).findFirst()
                .orElseThrow();
        List<SignatureGatherer.Need> need = List.of(new SignatureGatherer.Need(image, spec));
        SignatureService.Timings noCache = new SignatureService.Timings(Duration.ZERO, Duration.ZERO, Duration.ZERO);
        try (RegistryClient client = RegistryClient.builder().keychain(Keychain.anonymous()).build()) {
            long[] coldNs = new long[cold];
            long requestsBefore = client.requestCount();
            for (int i = -Math.min(50, cold); i < cold; i++) { // the first runs warm the JIT and the connection
                try (SignatureService s = new SignatureService(new OciSignatureSource(client), TrustRoot.publicGood(), noCache, Clock.systemUTC())) {
                    if (i == 0) {
                        requestsBefore = client.requestCount();
                    }
                    long t0 = System.nanoTime();
                    SignatureVerdict v = s.gather(need, Instant.now().plusSeconds(10)).find(image, spec);
                    long t = System.nanoTime() - t0;
                    if (v.kind() != SignatureVerdict.Kind.VERIFIED) {
                        throw new IllegalStateException("not verified: " + v);
                    }
                    if (i >= 0) {
                        coldNs[i] = t;
                    }
                }
            }
            double perVerification = (double) (client.requestCount() - requestsBefore) / cold;
            report("cold verification (resolve tag, .sig manifest, payload, ECDSA)", coldNs);
            System.out.printf("registry requests per cold verification: %.1f%n", perVerification);

            try (SignatureService s = new SignatureService(new OciSignatureSource(client), TrustRoot.publicGood(), SignatureService.Timings.DEFAULT,
                    Clock.systemUTC())) {
                ImageReference pinned = ImageReference.parse(image.name() + "@" + s.gather(need, Instant.now().plusSeconds(10)).find(image, spec).digest());
                List<SignatureGatherer.Need> pinnedNeed = List.of(new SignatureGatherer.Need(pinned, spec));
                long[] hot = new long[cached];
                for (int i = -Math.min(20_000, cached); i < cached; i++) {
                    long t0 = System.nanoTime();
                    SignatureVerdict v = s.gather(pinnedNeed, Instant.now().plusSeconds(10)).find(pinned, spec);
                    long t = System.nanoTime() - t0;
                    if (v.kind() != SignatureVerdict.Kind.VERIFIED) {
                        throw new IllegalStateException("not verified: " + v);
                    }
                    if (i >= 0) {
                        hot[i] = t;
                    }
                }
                report("cached path (pinned digest, verdict in cache)", hot);
            }
        }
    }

    private static void report(String what, long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        System.out.printf("%s: n=%d p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms%n", what, s.length, s[s.length / 2] / 1e6,
                s[(int) (s.length * 0.9)] / 1e6, s[(int) (s.length * 0.99)] / 1e6, s[s.length - 1] / 1e6);
    }
}
