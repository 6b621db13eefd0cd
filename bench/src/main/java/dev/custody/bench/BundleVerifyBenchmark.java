package dev.custody.bench;

import dev.custody.verify.Artifact;
import dev.custody.verify.BundleVerifier;
import dev.custody.verify.Result;
import dev.custody.verify.SignerPolicy;
import dev.custody.verify.TrustRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One Sigstore bundle verified in process, single-threaded (so time per operation is CPU time): parse, certificate
 * chain to the public-good root, identity and issuer, signature, transparency-log entry with its inclusion proof
 * and checkpoint or signed entry timestamp, signing time. The cases are sigstore-conformance bundles: a DSSE
 * (in-toto) attestation and a message signature, both logged in Rekor v1.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class BundleVerifyBenchmark {

    static final String IDENTITY = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/"
            + "extremely-dangerous-oidc-beacon.yml@refs/heads/main";

    @Param({"happy-path-intoto-in-dsse-v3", "happy-path-v0.3"})
    public String bundleCase;

    private final BundleVerifier verifier = new BundleVerifier();
    private byte[] bundle;
    private Artifact artifact;
    private SignerPolicy policy;
    private TrustRoot root;

    @Setup
    public void setUp() throws Exception {
        Path repo = Path.of(System.getProperty("custody.repoRoot", "."));
        Path cases = repo.resolve("../shared/corpora/sigstore/sigstore-conformance/test/assets/bundle-verify").normalize();
        bundle = Files.readAllBytes(cases.resolve(bundleCase).resolve("bundle.sigstore.json"));
        artifact = Artifact.ofFile(cases.resolve("a.txt"));
        policy = SignerPolicy.keyless(IDENTITY, "https://token.actions.githubusercontent.com");
        root = TrustRoot.publicGood();
        Result r = verifier.verify(bundle, artifact, policy, root);
        if (!(r instanceof Result.Verified)) {
            throw new IllegalStateException(bundleCase + " does not verify: " + r);
        }
    }

    @Benchmark
    public Result verify() {
        return verifier.verify(bundle, artifact, policy, root);
    }
}
