package dev.custody.signatures;

import dev.custody.imageref.ImageReference;
import dev.custody.logfmt.Log;
import dev.custody.oci.DockerConfig;
import dev.custody.oci.Keychain;
import dev.custody.oci.RegistryClient;
import dev.custody.policy.trust.SignatureVerdict;
import dev.custody.policy.trust.TrustSpec;
import dev.custody.store.SbomStore;
import dev.custody.store.Store;
import dev.custody.store.Verifications;
import dev.custody.verify.Attestations;
import dev.custody.verify.TrustRoot;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Signature and attestation verification as every door into the engine uses it (the webhook, background
 * re-evaluation, {@code custody policy dry-run}): one registry client, one {@link SignatureService} with its caches and
 * verdict rules, and, with a store, every verified signature and attestation written to it off the caller's path
 * through a bounded queue (when the store falls behind, records are dropped with a log line, never held without limit).
 */
public final class Verification implements AutoCloseable {

    private final RegistryClient registries;
    private final SignatureService service;
    private final ThreadPoolExecutor writer;

    private Verification(RegistryClient registries, SignatureService service, ThreadPoolExecutor writer) {
        this.registries = registries;
        this.service = service;
        this.writer = writer;
    }

    /**
     * Verifies with the credentials of the user's docker config (anonymous without one), talking plain HTTP to
     * {@code insecureRegistries} (loopback ones always are), and records what verified into {@code store} when given.
     */
    public static Verification open(Set<String> insecureRegistries, Supplier<TrustRoot> root, Store store) {
        Keychain keychain = DockerConfig.loadDefault().map(k -> (Keychain) k).orElse(Keychain.anonymous());
        RegistryClient registries = RegistryClient.builder().keychain(keychain).insecureRegistries(Set.copyOf(insecureRegistries)).build();
        SignatureService service = new SignatureService(new OciSignatureSource(registries), root, SignatureService.Timings.DEFAULT,
                Clock.systemUTC());
        ThreadPoolExecutor writer = null;
        if (store != null) {
            writer = boundedWriter();
            service.listener(new Recorder(new OciSignatureSource(registries), service, new Verifications(store), new SbomStore(store), writer));
        }
        return new Verification(registries, service, writer);
    }

    /** The trust root for keyless rules: {@code file} read now, or (null) the public-good root shipped with Custody, read on first use. */
    public static Supplier<TrustRoot> roots(java.nio.file.Path file) throws dev.custody.verify.TrustRootException {
        if (file == null) {
            return TrustRoot::publicGood;
        }
        TrustRoot loaded = TrustRoot.load(file);
        return () -> loaded;
    }

    public SignatureService service() {
        return service;
    }

    /** How evidence names the trust rule it was verified for. */
    public static String trustRoot(TrustSpec rule) {
        return "trust rule " + rule.name() + " (" + rule.id() + ")";
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.shutdownNow();
        }
        service.close();
        registries.close();
    }

    private static ThreadPoolExecutor boundedWriter() {
        AtomicLong dropped = new AtomicLong();
        RejectedExecutionHandler drop = (task, pool) -> {
            if (pool.isShutdown()) {
                return;
            }
            long n = dropped.incrementAndGet();
            if (Long.bitCount(n) == 1) { // 1, 2, 4, 8, ...: visible, without flooding the log
                Log.warn("evidence queue full; verified evidence not stored", "droppedSoFar", n);
            }
        };
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(256), r -> {
            Thread t = new Thread(r, "custody-evidence-writer");
            t.setDaemon(true);
            return t;
        }, drop);
    }

    /** Writes verified signatures and attestations (and ingests attested SBOMs) to the store, off the verifying thread. */
    private record Recorder(SignatureSource attestations, SignatureService service, Verifications verified, SbomStore sboms,
                            ThreadPoolExecutor writer) implements SignatureService.Listener {

        @Override
        public void signature(ImageReference image, TrustSpec rule, SignatureVerdict v) {
            verified.record(new Verifications.Verified(v.digest(), "signature", null, String.join(",", v.authorities()),
                    null, trustRoot(rule), System.currentTimeMillis(), v.detail()));
            if (rule.attestations().isEmpty()) {
                // a rule that requires attestations records them as it verifies them; otherwise they are fetched here
                writer.execute(() -> {
                    try {
                        ingestAttested(image, rule, v);
                    } catch (RuntimeException e) {
                        Log.error("attestations not stored", "digest", v.digest(), "error", e.toString());
                    }
                });
            }
        }

        @Override
        public void attestations(ImageReference image, TrustSpec rule, String digest, List<Attestations.Verified> statements) {
            writer.execute(() -> {
                try {
                    var r = AttestationEvidence.store(verified, sboms.linked(digest) ? null : sboms, digest, trustRoot(rule), statements,
                            System.currentTimeMillis());
                    r.problems().forEach(p -> Log.warn("attestation evidence incomplete", "digest", digest, "problem", p));
                } catch (RuntimeException e) {
                    Log.error("attestations not stored", "digest", digest, "error", e.toString());
                }
            });
        }

        private void ingestAttested(ImageReference image, TrustSpec rule, SignatureVerdict v) {
            if (v.digest() == null || sboms.linked(v.digest())) {
                return; // verdicts are re-verified every few minutes; the attestations of a digest rarely change
            }
            try {
                var r = AttestedSboms.ingest(attestations, service, rule, image, v.digest(), Instant.now().plusSeconds(30), trustRoot(rule),
                        verified, sboms);
                if (!r.stored().isEmpty()) {
                    Log.info("attested SBOMs stored", "digest", v.digest(), "sboms", r.stored().size());
                }
                r.problems().forEach(p -> Log.warn("attestation evidence incomplete", "digest", v.digest(), "problem", p));
            } catch (SignatureSource.Unavailable e) {
                Log.warn("attestations not fetched", "digest", v.digest(), "error", e.getMessage());
            }
        }
    }
}
