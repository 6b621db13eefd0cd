package dev.custody.signatures;

import dev.custody.imageref.ImageReference;
import dev.custody.policy.trust.AttestationKind;
import dev.custody.policy.trust.Authority;
import dev.custody.policy.trust.SignatureGatherer;
import dev.custody.policy.trust.SignatureGatherer.PullSecrets;
import dev.custody.policy.trust.SignatureLookup;
import dev.custody.policy.trust.SignatureVerdict;
import dev.custody.policy.trust.TrustSpec;
import dev.custody.verify.CosignVerifier;
import dev.custody.verify.SignerPolicy;
import dev.custody.verify.TrustRoot;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Verifies image signatures for trust rules, once per (digest, trust rule) and not again while the answer is fresh:
 * verdicts are cached (verified ones for {@code ttl}, missing or invalid ones for the shorter {@code negativeTtl});
 * concurrent requests for the same key share one verification; every answer comes by the caller's deadline. When
 * the registry cannot be reached, a digest that verified within {@code grace} is admitted with a warning
 * ({@link SignatureVerdict.Kind#VERIFIED_EARLIER}); otherwise the verdict is UNAVAILABLE and the rule's failure mode
 * decides. An outage is never reported as a bad signature.
 */
public final class SignatureService implements SignatureGatherer, AutoCloseable {

    /** Cache lifetimes. */
    public record Timings(Duration ttl, Duration negativeTtl, Duration grace) {
        public static final Timings DEFAULT = new Timings(Duration.ofMinutes(10), Duration.ofSeconds(30), Duration.ofHours(4));
    }

    private record Key(String digest, String specId) {}

    private record Cached(Answer answer, Instant until) {}

    private final SignatureSource source;
    private final CosignVerifier verifier = new CosignVerifier();
    private final java.util.function.Supplier<TrustRoot> root;
    private final Timings timings;
    private final Clock clock;
    private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<Key, Cached> cache = new ConcurrentHashMap<>();
    private final Map<Key, Instant> lastVerified = new ConcurrentHashMap<>();
    /** For answers whose evidence expires (a scan with a maximum age): when the last verified one went stale. */
    private final Map<Key, Instant> lastFreshUntil = new ConcurrentHashMap<>();
    private final Map<Key, CompletableFuture<Answer>> inFlight = new ConcurrentHashMap<>();
    private final Map<String, List<CosignVerifier.Authority>> authorities = new ConcurrentHashMap<>();
    private final AtomicLong verifications = new AtomicLong();
    /** Past this many cached verdicts, expired ones are swept before another is added. */
    static final int MAX_CACHED = 10_000;
    /** Told of fresh evidence, on a verification thread, after the admissions waiting for it have their answer. */
    public interface Listener {
        /** A signature verdict that is VERIFIED. */
        default void signature(ImageReference image, TrustSpec spec, SignatureVerdict verdict) {}

        /** Attestations of {@code digest} whose envelopes verified with the rule's authorities (whatever the rule then judged). */
        default void attestations(ImageReference image, TrustSpec spec, String digest, List<dev.custody.verify.Attestations.Verified> verified) {}
    }

    private volatile Listener listener = new Listener() { };

    /** Turns a workload's imagePullSecrets into registry credentials (in serve: Secrets read from the API server). */
    @FunctionalInterface
    public interface PullSecretResolver {
        /** The keychain for these secrets; what cannot be read is left out (and logged by the resolver). */
        dev.custody.oci.Keychain keychain(PullSecrets secrets, Instant deadline);
    }

    private volatile PullSecretResolver pullSecrets = null;

    /** Thrown by a resolver when the pull secrets cannot be read now (the API server did not answer). */
    public static final class PullSecretsUnavailable extends RuntimeException {
        public PullSecretsUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Where pull secrets come from; without a resolver, images are fetched with the client's own credentials. */
    public SignatureService pullSecrets(PullSecretResolver resolver) {
        this.pullSecrets = resolver;
        return this;
    }

    public SignatureService(SignatureSource source, TrustRoot root, Timings timings, Clock clock) {
        this(source, () -> root, timings, clock);
    }

    /**
     * @param root the Sigstore trusted root, asked for only when a rule has Fulcio (keyless, no own CA) authorities:
     *             loading the public-good root costs about half a second, which key-only users need not pay
     */
    public SignatureService(SignatureSource source, java.util.function.Supplier<TrustRoot> root, Timings timings, Clock clock) {
        this.source = source;
        this.root = root;
        this.timings = timings;
        this.clock = clock;
    }

    /** Who is told of fresh evidence, for the evidence store. */
    public SignatureService listener(Listener listener) {
        this.listener = listener;
        return this;
    }

    /** Verifications actually run (cache misses that were not coalesced into another one). */
    public long verifications() {
        return verifications.get();
    }

    @Override
    public SignatureLookup gather(List<Need> needs, Instant deadline) {
        Map<String, CompletableFuture<Answer>> signatures = new LinkedHashMap<>();
        Map<String, CompletableFuture<Answer>> attestations = new LinkedHashMap<>();
        for (Need n : needs) {
            String k = lookupKey(n.image(), n.spec());
            if (signatures.containsKey(k)) {
                continue;
            }
            // a tag is resolved once per need, for the signature and the attestation verdicts alike
            CompletableFuture<Resolved> resolved = CompletableFuture.supplyAsync(() -> resolve(n, deadline), pool);
            signatures.put(k, resolved.thenCompose(r -> r.failure() != null ? CompletableFuture.completedFuture(Answer.all(r.failure(), n.spec()))
                    : answer(n, r.digest(), deadline, false, r.source(), r.scope())));
            if (!n.spec().attestations().isEmpty()) {
                attestations.put(k, resolved.thenCompose(r -> r.failure() != null ? CompletableFuture.completedFuture(Answer.all(r.failure(), n.spec()))
                        : answer(n, r.digest(), deadline, true, r.source(), r.scope())));
            }
        }
        Map<String, Answer> signed = collect(signatures, deadline);
        Map<String, Answer> attested = collect(attestations, deadline);
        return new SignatureLookup() {
            @Override
            public SignatureVerdict find(ImageReference image, TrustSpec spec) {
                Answer a = signed.get(lookupKey(image, spec));
                return a == null ? null : a.signature();
            }

            @Override
            public SignatureVerdict attestation(ImageReference image, TrustSpec spec, AttestationKind kind) {
                Answer a = attested.get(lookupKey(image, spec));
                return a == null ? null : a.attestations().get(kind);
            }
        };
    }

    /**
     * One verification's answer: the signature verdict, or one verdict per kind of attestation the rule requires
     * (one fetch of the attestations serves them all), and until when a positive answer may be reused.
     */
    record Answer(SignatureVerdict signature, Map<AttestationKind, SignatureVerdict> attestations, Instant freshUntil) {

        /** The same verdict for the signature and every attestation kind of the rule: a failure before any evidence was read. */
        static Answer all(SignatureVerdict v, TrustSpec spec) {
            Map<AttestationKind, SignatureVerdict> each = new java.util.EnumMap<>(AttestationKind.class);
            spec.attestations().forEach(k -> each.put(k, v));
            return new Answer(v, each, null);
        }

        /** UNAVAILABLE for the signature and every kind of attestation. */
        static Answer unavailable(String why) {
            SignatureVerdict v = new SignatureVerdict(SignatureVerdict.Kind.UNAVAILABLE, null, List.of(), why);
            Map<AttestationKind, SignatureVerdict> each = new java.util.EnumMap<>(AttestationKind.class);
            for (AttestationKind k : AttestationKind.values()) {
                each.put(k, v);
            }
            return new Answer(v, each, null);
        }

        /** Whether some verdict is an outage (the registry failed part-way), which must not be cached. */
        boolean hasUnavailable() {
            return signature != null && signature.kind() == SignatureVerdict.Kind.UNAVAILABLE
                    || attestations.values().stream().anyMatch(v -> v.kind() == SignatureVerdict.Kind.UNAVAILABLE);
        }

        boolean verified() {
            return signature != null ? signature.kind() == SignatureVerdict.Kind.VERIFIED
                    : attestations.values().stream().allMatch(v -> v.kind() == SignatureVerdict.Kind.VERIFIED);
        }
    }

    /**
     * A resolved digest, the source (with the workload's credentials) to verify it from and the credentials' scope
     * for cache keys, or the verdict that resolving gave instead.
     */
    private record Resolved(String digest, SignatureVerdict failure, SignatureSource source, String scope) {}

    /** A source with the credentials it presents, and their scope for cache keys ("" for none). */
    private record Scoped(SignatureSource source, String scope) {}

    /** The source with the need's pull secrets (when it has any and a resolver is set), and the scope of the credentials used. */
    private Scoped sourceFor(Need n, Instant deadline) {
        PullSecretResolver resolver = pullSecrets;
        if (resolver == null || n.pullSecrets().isEmpty()) {
            return new Scoped(source, "");
        }
        dev.custody.oci.Keychain keychain = resolver.keychain(n.pullSecrets(), deadline);
        // verdicts are kept apart by the credentials the secrets actually give for this registry, not by their names:
        // pods naming other (or made-up) secrets with the same credentials share verdicts
        String scope = String.join(",", keychain.candidates(dev.custody.oci.Repository.of(n.image())).stream()
                .map(dev.custody.oci.Credentials::fingerprint).toList());
        return new Scoped(scope.isEmpty() ? source : source.using(keychain), scope);
    }

    private Resolved resolve(Need n, Instant deadline) {
        SignatureSource from;
        String scope;
        try {
            Scoped scoped = sourceFor(n, deadline);
            from = scoped.source();
            scope = scoped.scope();
        } catch (PullSecretsUnavailable e) {
            return new Resolved(null, new SignatureVerdict(SignatureVerdict.Kind.UNAVAILABLE, null, List.of(), e.getMessage()), source, "");
        }
        try {
            return new Resolved(from.resolve(n.image(), deadline), null, from, scope);
        } catch (SignatureSource.Unavailable e) {
            return new Resolved(null, new SignatureVerdict(SignatureVerdict.Kind.UNAVAILABLE, null, List.of(),
                    "cannot resolve " + n.image().canonical() + ": " + e.getMessage()), from, scope);
        } catch (SignatureSource.Unreadable e) {
            return new Resolved(null, new SignatureVerdict(SignatureVerdict.Kind.INVALID, null, List.of(), e.getMessage()), from, scope);
        }
    }

    private static Map<String, Answer> collect(Map<String, CompletableFuture<Answer>> pending, Instant deadline) {
        Map<String, Answer> answers = new HashMap<>();
        for (var e : pending.entrySet()) {
            long wait = Duration.between(Instant.now(), deadline).toMillis(); // deadlines are wall-clock; the clock ages the cache
            try {
                answers.put(e.getKey(), e.getValue().get(Math.max(0, wait), TimeUnit.MILLISECONDS));
            } catch (TimeoutException ex) {
                answers.put(e.getKey(), Answer.unavailable("verification did not finish before the webhook deadline; it continues in the background"));
            } catch (Exception ex) {
                answers.put(e.getKey(), Answer.unavailable("verification failed: " + ex));
            }
        }
        return answers;
    }

    private static String lookupKey(ImageReference image, TrustSpec spec) {
        return image.canonical() + " " + spec.id();
    }

    /** The answer for a resolved need: the cache, an in-flight verification, or a new one. */
    private CompletableFuture<Answer> answer(Need n, String digest, Instant deadline, boolean attested, SignatureSource from, String scope) {
        // verdicts reached with some credentials are kept apart from those reached with others (or none)
        Key key = new Key(digest, n.spec().id() + (attested ? "/attestations" : "/signatures") + "|" + scope);
        Answer cached = cached(key);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        CompletableFuture<Answer> mine = new CompletableFuture<>();
        CompletableFuture<Answer> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            return running;
        }
        cached = cached(key); // a verification may have finished between the first look and taking the slot
        if (cached != null) {
            inFlight.remove(key, mine);
            mine.complete(cached);
            return mine;
        }
        try {
            pool.execute(() -> {
                Answer v;
                List<dev.custody.verify.Attestations.Verified> statements = new ArrayList<>();
                try {
                    v = verify(n, digest, key, deadline, attested, statements, from);
                } catch (RuntimeException e) {
                    v = Answer.all(new SignatureVerdict(SignatureVerdict.Kind.UNAVAILABLE, digest, List.of(), "verification failed: " + e), n.spec());
                } finally {
                    inFlight.remove(key, mine);
                }
                mine.complete(v);
                // listeners run after the waiting admissions have their answer
                SignatureVerdict signature = v.signature();
                if (!attested && signature != null && signature.kind() == SignatureVerdict.Kind.VERIFIED) {
                    notify(() -> listener.signature(n.image(), n.spec(), signature), digest);
                } else if (attested && !statements.isEmpty()) {
                    notify(() -> listener.attestations(n.image(), n.spec(), digest, List.copyOf(statements)), digest);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) { // closed
            inFlight.remove(key, mine);
            mine.complete(Answer.all(new SignatureVerdict(SignatureVerdict.Kind.UNAVAILABLE, digest, List.of(), "the verifier is shutting down"), n.spec()));
        }
        return mine;
    }

    private Answer cached(Key key) {
        Cached c = cache.get(key);
        return c != null && clock.instant().isBefore(c.until()) ? c.answer() : null;
    }

    private void notify(Runnable call, String digest) {
        try {
            call.run();
        } catch (RuntimeException e) {
            dev.custody.logfmt.Log.error("recording verified evidence failed", "digest", digest, "error", e.getMessage());
        }
    }

    /**
     * One verification: of the signatures, or of the attestations, of a digest. An unreachable registry gives
     * VERIFIED_EARLIER within the grace period after the last success, else UNAVAILABLE, and is not cached;
     * verified answers live {@code ttl} (a scan no longer than it stays fresh), missing or invalid ones
     * {@code negativeTtl}. Verified attestation statements are added to {@code statements}.
     */
    private Answer verify(Need n, String digest, Key key, Instant deadline, boolean attested,
                          List<dev.custody.verify.Attestations.Verified> statements, SignatureSource from) {
        verifications.incrementAndGet();
        Instant late = deadline.plus(Duration.ofSeconds(20)); // a late answer still fills the cache
        Answer v;
        try {
            v = attested ? attestations(n, digest, late, statements, from) : new Answer(signatures(n, digest, late, from), Map.of(), null);
        } catch (SignatureSource.Unreadable e) { // only the signature path resolves platforms, which can be unreadable
            v = new Answer(new SignatureVerdict(SignatureVerdict.Kind.INVALID, digest, List.of(), e.getMessage()), Map.of(), null);
        } catch (PartialOutage e) {
            // the .sig tag was not enough and the referrers could not be asked: within grace the earlier success
            // stands, otherwise what the tag held stands, uncached (the next request asks again)
            SignatureVerdict earlier = earlier(key, null, digest, e.getCause().getMessage());
            return new Answer(earlier != null ? earlier : e.primary, Map.of(), null);
        } catch (SignatureSource.Unavailable e) {
            if (!attested) {
                SignatureVerdict earlier = earlier(key, null, digest, e.getMessage());
                return new Answer(earlier != null ? earlier : unavailable(digest, e.getMessage()), Map.of(), null);
            }
            Map<AttestationKind, SignatureVerdict> each = new java.util.EnumMap<>(AttestationKind.class);
            for (AttestationKind k : n.spec().attestations()) {
                SignatureVerdict earlier = earlier(key, k, digest, e.getMessage());
                each.put(k, earlier != null ? earlier : unavailable(digest, e.getMessage()));
            }
            return new Answer(null, each, null);
        }
        Instant now = clock.instant();
        boolean verified = v.verified();
        if (v.hasUnavailable()) {
            // part of the evidence could not be fetched: not cached; within grace the earlier success stands for it
            Map<AttestationKind, SignatureVerdict> each = new java.util.EnumMap<>(AttestationKind.class);
            v.attestations().forEach((k, x) -> {
                SignatureVerdict earlier = x.kind() == SignatureVerdict.Kind.UNAVAILABLE ? earlier(key, k, digest, x.detail()) : null;
                each.put(k, earlier != null ? earlier : x);
            });
            return new Answer(v.signature(), each, null);
        }
        if (cache.size() >= MAX_CACHED) {
            sweep(now);
        }
        Instant until = now.plus(verified ? timings.ttl() : timings.negativeTtl());
        if (v.freshUntil() != null && v.freshUntil().isBefore(until)) {
            until = v.freshUntil();
        }
        cache.put(key, new Cached(v, until));
        if (verified) {
            lastVerified.put(key, now);
            if (v.freshUntil() != null) {
                lastFreshUntil.put(key, v.freshUntil());
            } else {
                lastFreshUntil.remove(key);
            }
        } else {
            // a definite failure (missing, invalid, stale) ends the grace of an earlier success
            lastVerified.remove(key);
            lastFreshUntil.remove(key);
        }
        return v;
    }

    /** The registry could not answer part of a signature verification that the .sig tag alone did not settle. */
    static final class PartialOutage extends Exception {
        final SignatureVerdict primary;

        PartialOutage(SignatureVerdict primary, SignatureSource.Unavailable cause) {
            super(cause.getMessage(), cause);
            this.primary = primary;
        }
    }

    private static SignatureVerdict unavailable(String digest, String why) {
        return new SignatureVerdict(SignatureVerdict.Kind.UNAVAILABLE, digest, List.of(), "the registry is unreachable: " + why);
    }

    /**
     * During an outage: VERIFIED_EARLIER when this key verified within the grace period (STALE for a scan whose
     * freshness ran out meanwhile: an outage extends no evidence past its own expiry), or null.
     */
    private SignatureVerdict earlier(Key key, AttestationKind kind, String digest, String why) {
        Instant last = lastVerified.get(key);
        Instant now = clock.instant();
        if (last == null || Duration.between(last, now).compareTo(timings.grace()) > 0) {
            return null;
        }
        Instant freshUntil = lastFreshUntil.get(key);
        if (kind == AttestationKind.SCAN && freshUntil != null && !now.isBefore(freshUntil)) {
            return new SignatureVerdict(SignatureVerdict.Kind.STALE, digest, List.of(), "the last verified scan went stale at " + freshUntil
                    + "; the registry is unreachable now (" + why + ")");
        }
        return new SignatureVerdict(SignatureVerdict.Kind.VERIFIED_EARLIER, digest, List.of(), "verified at " + last
                + "; the registry is unreachable now (" + why + ")");
    }

    /** Drops expired verdicts and successes older than the grace period, so a long-running webhook stays bounded. */
    private void sweep(Instant now) {
        cache.entrySet().removeIf(e -> !now.isBefore(e.getValue().until()));
        lastVerified.entrySet().removeIf(e -> Duration.between(e.getValue(), now).compareTo(timings.grace()) > 0);
        lastFreshUntil.keySet().retainAll(lastVerified.keySet());
    }

    /** The signatures of the digest, or with {@code multiArch: eachPlatform} of every platform manifest of an index. */
    private SignatureVerdict signatures(Need n, String digest, Instant late, SignatureSource from)
            throws SignatureSource.Unavailable, SignatureSource.Unreadable, PartialOutage {
        TrustSpec spec = n.spec();
        List<SignatureSource.Platform> platforms = spec.eachPlatform() ? from.platforms(n.image(), digest, late) : List.of();
        if (platforms.isEmpty()) {
            return signaturesOf(from, n, digest, late, "");
        }
        List<String> verified = new ArrayList<>();
        java.util.Set<String> signers = new java.util.LinkedHashSet<>();
        for (SignatureSource.Platform p : platforms) {
            SignatureVerdict pv = signaturesOf(from, n, p.digest(), late, p.platform() + " (" + p.digest() + "): ");
            if (pv.kind() != SignatureVerdict.Kind.VERIFIED) {
                return new SignatureVerdict(pv.kind(), digest, pv.authorities(), "index " + digest + ", platform " + pv.detail());
            }
            verified.add(p.platform());
            signers.addAll(pv.authorities());
        }
        return new SignatureVerdict(SignatureVerdict.Kind.VERIFIED, digest, List.copyOf(signers), "every platform manifest is signed: "
                + String.join(", ", verified));
    }

    /**
     * The attestations of the digest, fetched once and verified against the rule's authorities, judged for each
     * kind the rule requires. Only statements whose envelope verified are read for facts.
     */
    private Answer attestations(Need n, String digest, Instant late, List<dev.custody.verify.Attestations.Verified> statements,
                                SignatureSource from) throws SignatureSource.Unavailable {
        TrustSpec spec = n.spec();
        List<dev.custody.verify.Attestations.Attestation> found = new ArrayList<>(from.attestations(n.image(), digest, late));
        Judgement j = judgeAll(spec, digest, found);
        if (!j.allVerified()) { // the .att tag did not settle it: Sigstore bundles among the referrers may
            int before = found.size();
            List<SignatureSource.Bundle> bundles;
            try {
                bundles = from.bundles(n.image(), digest, late);
            } catch (SignatureSource.Unavailable e) {
                // keep what the .att tag settled (verified, invalid, stale); only what was missing is now unknown
                Map<AttestationKind, SignatureVerdict> each = new java.util.EnumMap<>(j.each());
                each.replaceAll((k, v) -> v.kind() == SignatureVerdict.Kind.UNSIGNED ? new SignatureVerdict(SignatureVerdict.Kind.UNAVAILABLE, digest,
                        List.of(), "the registry became unreachable while looking among the referrers: " + e.getMessage()) : v);
                statements.addAll(j.outcome() == null ? List.of() : j.outcome().verified());
                return new Answer(null, each, j.freshUntil());
            }
            for (SignatureSource.Bundle b : bundles) {
                if (!dev.custody.verify.Attestations.COSIGN_SIGN_V1.equals(b.predicateType())) {
                    found.add(dev.custody.verify.Attestations.fromBundle(b.json(), b.origin()));
                }
            }
            if (found.size() > before) {
                j = judgeAll(spec, digest, found);
            }
        }
        statements.addAll(j.outcome() == null ? List.of() : j.outcome().verified());
        Map<AttestationKind, SignatureVerdict> each = j.each();
        Instant freshUntil = j.freshUntil();
        return new Answer(null, each, freshUntil);
    }

    /**
     * The verdict on one manifest's signatures: cosign's {@code .sig} tag first (three requests for a key-signed
     * image); only when that does not verify, also the Sigstore bundles among its referrers (cosign's new bundle
     * format), judged together with what the tag held.
     */
    private SignatureVerdict signaturesOf(SignatureSource from, Need n, String digest, Instant late, String prefix)
            throws SignatureSource.Unavailable, PartialOutage {
        List<CosignVerifier.Signature> sigs = from.signatures(n.image(), digest, late);
        SignatureVerdict v = verdictFor(digest, sigs, n.spec(), prefix);
        if (v.kind() == SignatureVerdict.Kind.VERIFIED) {
            return v;
        }
        List<CosignVerifier.Signature> all = new ArrayList<>(sigs);
        List<SignatureSource.Bundle> bundles;
        try {
            bundles = from.bundles(n.image(), digest, late);
        } catch (SignatureSource.Unavailable e) {
            if (v.kind() == SignatureVerdict.Kind.INVALID) {
                throw new PartialOutage(v, e); // what the .sig tag held does not verify; the referrers might have
            }
            throw e;
        }
        for (SignatureSource.Bundle b : bundles) {
            if (b.predicateType() == null || b.predicateType().equals(dev.custody.verify.Attestations.COSIGN_SIGN_V1)) {
                all.add(CosignVerifier.Signature.bundle(b.json(), b.origin()));
            }
        }
        return all.size() == sigs.size() ? v : verdictFor(digest, all, n.spec(), prefix);
    }

    /** Every required kind judged over one set of attestations. */
    private record Judgement(dev.custody.verify.Attestations.Outcome outcome, Map<AttestationKind, SignatureVerdict> each, Instant freshUntil) {
        boolean allVerified() {
            return each.values().stream().allMatch(v -> v.kind() == SignatureVerdict.Kind.VERIFIED);
        }
    }

    private Judgement judgeAll(TrustSpec spec, String digest, List<dev.custody.verify.Attestations.Attestation> found) {
        Map<AttestationKind, SignatureVerdict> each = new java.util.EnumMap<>(AttestationKind.class);
        if (found.isEmpty()) {
            for (AttestationKind k : spec.attestations()) {
                each.put(k, new SignatureVerdict(SignatureVerdict.Kind.UNSIGNED, digest, List.of(), "no attestation found for " + digest
                        + " (looked for the cosign .att tag and Sigstore bundles among the referrers)"));
            }
            return new Judgement(null, each, null);
        }
        dev.custody.verify.Attestations.Outcome o = verifyAttestations(digest, found, spec);
        Instant freshUntil = null;
        for (AttestationKind k : spec.attestations()) {
            AttestationJudge.Judged jd = AttestationJudge.judge(k, spec, digest, o, clock.instant());
            each.put(k, jd.verdict());
            if (jd.freshUntil() != null && (freshUntil == null || jd.freshUntil().isBefore(freshUntil))) {
                freshUntil = jd.freshUntil();
            }
        }
        return new Judgement(o, each, freshUntil);
    }

    /** The trusted root when a rule has Fulcio authorities (keyless without a CA of their own), else null: loading it costs. */
    private TrustRoot rootFor(TrustSpec spec) {
        return spec.authorities().stream().anyMatch(a -> !a.isKey() && a.rootsPem() == null) ? root.get() : null;
    }

    /** Verifies attestations of a digest with a rule's authorities (Fulcio ones against the trusted root). */
    public dev.custody.verify.Attestations.Outcome verifyAttestations(String digest, List<dev.custody.verify.Attestations.Attestation> found,
                                                                      TrustSpec spec) {
        return dev.custody.verify.Attestations.verify(digest, found, authorities(spec), null, rootFor(spec));
    }

    /** The verdict on one manifest's signatures. */
    private SignatureVerdict verdictFor(String digest, List<CosignVerifier.Signature> sigs, TrustSpec spec, String prefix) {
        CosignVerifier.Outcome o = verifier.verify(digest, sigs, authorities(spec), spec.threshold(), spec.required(), rootFor(spec));
        if (o.verified()) {
            return new SignatureVerdict(SignatureVerdict.Kind.VERIFIED, digest, o.authorities(), prefix + o.reason());
        }
        return new SignatureVerdict(sigs.isEmpty() ? SignatureVerdict.Kind.UNSIGNED : SignatureVerdict.Kind.INVALID, digest, o.authorities(),
                prefix + o.reason() + details(o));
    }

    private static String details(CosignVerifier.Outcome o) {
        List<String> failed = new ArrayList<>();
        for (CosignVerifier.Check c : o.checks()) {
            if (!c.verified()) {
                failed.add(c.authority() + ": " + c.failure() + " (" + c.reason() + ")");
            }
        }
        return failed.isEmpty() ? "" : "; " + String.join("; ", failed.subList(0, Math.min(failed.size(), 4)))
                + (failed.size() > 4 ? "; and " + (failed.size() - 4) + " more" : "");
    }

    /** The verifier's authorities for a trust rule, converted once per rule. */
    public List<CosignVerifier.Authority> authorities(TrustSpec spec) {
        return authorities.computeIfAbsent(spec.id(), id -> {
            List<CosignVerifier.Authority> out = new ArrayList<>();
            for (Authority a : spec.authorities()) {
                if (a.isKey()) {
                    out.add(new CosignVerifier.Authority(a.name(), SignerPolicy.publicKey(a.keyPem())));
                } else {
                    SignerPolicy.Match identity = a.identityRegexp() ? SignerPolicy.Match.regexp(a.identity()) : SignerPolicy.Match.exactly(a.identity());
                    SignerPolicy.Match issuer = a.issuerRegexp() ? SignerPolicy.Match.regexp(a.issuer()) : SignerPolicy.Match.exactly(a.issuer());
                    out.add(new CosignVerifier.Authority(a.name(), SignerPolicy.keyless(identity, issuer), roots(a.rootsPem())));
                }
            }
            return List.copyOf(out);
        });
    }

    private static List<X509Certificate> roots(String pem) {
        if (pem == null) {
            return List.of();
        }
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (CertificateException e) {
            throw new IllegalStateException("roots were validated when the policy loaded", e);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
