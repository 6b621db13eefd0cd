package dev.custody.signatures;

import dev.custody.imageref.ImageReference;
import dev.custody.policy.trust.Authority;
import dev.custody.policy.trust.SignatureGatherer;
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

    private record Cached(SignatureVerdict verdict, Instant until) {}

    private final SignatureSource source;
    private final CosignVerifier verifier = new CosignVerifier();
    private final java.util.function.Supplier<TrustRoot> root;
    private final Timings timings;
    private final Clock clock;
    private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<Key, Cached> cache = new ConcurrentHashMap<>();
    private final Map<Key, Instant> lastVerified = new ConcurrentHashMap<>();
    private final Map<Key, CompletableFuture<SignatureVerdict>> inFlight = new ConcurrentHashMap<>();
    private final Map<String, List<CosignVerifier.Authority>> authorities = new ConcurrentHashMap<>();
    private final AtomicLong verifications = new AtomicLong();
    /** Past this many cached verdicts, expired ones are swept before another is added. */
    static final int MAX_CACHED = 10_000;
    /** Told of every fresh VERIFIED verdict. */
    @FunctionalInterface
    public interface Listener {
        void verified(ImageReference image, TrustSpec spec, SignatureVerdict verdict);
    }

    private volatile Listener onVerified = (image, spec, verdict) -> { };

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

    /** Called (on a verification thread) with every fresh VERIFIED verdict, for the evidence store. */
    public SignatureService onVerified(Listener listener) {
        this.onVerified = listener;
        return this;
    }

    /** Verifications actually run (cache misses that were not coalesced into another one). */
    public long verifications() {
        return verifications.get();
    }

    @Override
    public SignatureLookup gather(List<Need> needs, Instant deadline) {
        Map<String, CompletableFuture<SignatureVerdict>> pending = new LinkedHashMap<>();
        Map<String, CompletableFuture<SignatureVerdict>> provenance = new LinkedHashMap<>();
        for (Need n : needs) {
            String k = lookupKey(n.image(), n.spec());
            if (pending.containsKey(k)) {
                continue;
            }
            // a tag is resolved once per need, for the signature and the provenance verdicts alike
            CompletableFuture<Resolved> resolved = CompletableFuture.supplyAsync(() -> resolve(n, deadline), pool);
            pending.put(k, resolved.thenCompose(r -> r.failure() != null ? CompletableFuture.completedFuture(r.failure())
                    : verdict(n, r.digest(), deadline, false)));
            if (n.spec().provenance() != null) {
                provenance.put(k, resolved.thenCompose(r -> r.failure() != null ? CompletableFuture.completedFuture(r.failure())
                        : verdict(n, r.digest(), deadline, true)));
            }
        }
        Map<String, SignatureVerdict> answers = collect(pending, deadline);
        Map<String, SignatureVerdict> provenanceAnswers = collect(provenance, deadline);
        return new SignatureLookup() {
            @Override
            public SignatureVerdict find(ImageReference image, TrustSpec spec) {
                return answers.get(lookupKey(image, spec));
            }

            @Override
            public SignatureVerdict provenance(ImageReference image, TrustSpec spec) {
                return provenanceAnswers.get(lookupKey(image, spec));
            }
        };
    }

    /** A resolved digest, or the verdict that resolving gave instead. */
    private record Resolved(String digest, SignatureVerdict failure) {}

    private Resolved resolve(Need n, Instant deadline) {
        try {
            return new Resolved(source.resolve(n.image(), deadline), null);
        } catch (SignatureSource.Unavailable e) {
            return new Resolved(null, new SignatureVerdict(SignatureVerdict.Kind.UNAVAILABLE, null, List.of(),
                    "cannot resolve " + n.image().canonical() + ": " + e.getMessage()));
        } catch (SignatureSource.Unreadable e) {
            return new Resolved(null, new SignatureVerdict(SignatureVerdict.Kind.INVALID, null, List.of(), e.getMessage()));
        }
    }

    private Map<String, SignatureVerdict> collect(Map<String, CompletableFuture<SignatureVerdict>> pending, Instant deadline) {
        Map<String, SignatureVerdict> answers = new HashMap<>();
        for (var e : pending.entrySet()) {
            long wait = Duration.between(Instant.now(), deadline).toMillis(); // deadlines are wall-clock; the clock ages the cache
            try {
                answers.put(e.getKey(), e.getValue().get(Math.max(0, wait), TimeUnit.MILLISECONDS));
            } catch (TimeoutException ex) {
                answers.put(e.getKey(), new SignatureVerdict(SignatureVerdict.Kind.UNAVAILABLE, null, List.of(),
                        "verification did not finish before the webhook deadline; it continues in the background"));
            } catch (Exception ex) {
                answers.put(e.getKey(), new SignatureVerdict(SignatureVerdict.Kind.UNAVAILABLE, null, List.of(), "verification failed: " + ex));
            }
        }
        return answers;
    }

    private static String lookupKey(ImageReference image, TrustSpec spec) {
        return image.canonical() + " " + spec.id();
    }

    /** The verdict for a resolved need: the cache, an in-flight verification, or a new one. */
    private CompletableFuture<SignatureVerdict> verdict(Need n, String digest, Instant deadline, boolean provenance) {
        Key key = new Key(digest, n.spec().id() + (provenance ? "/provenance" : ""));
        SignatureVerdict cached = cached(key);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        CompletableFuture<SignatureVerdict> mine = new CompletableFuture<>();
        CompletableFuture<SignatureVerdict> running = inFlight.putIfAbsent(key, mine);
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
                SignatureVerdict v;
                try {
                    v = verify(n, digest, key, deadline, provenance);
                } catch (RuntimeException e) {
                    v = new SignatureVerdict(SignatureVerdict.Kind.UNAVAILABLE, digest, List.of(), "verification failed: " + e);
                } finally {
                    inFlight.remove(key, mine);
                }
                mine.complete(v);
                if (v.kind() == SignatureVerdict.Kind.VERIFIED && !provenance) {
                    notifyVerified(n, v); // after the waiting admissions have their answer
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) { // closed
            inFlight.remove(key, mine);
            mine.complete(new SignatureVerdict(SignatureVerdict.Kind.UNAVAILABLE, digest, List.of(), "the verifier is shutting down"));
        }
        return mine;
    }

    private SignatureVerdict cached(Key key) {
        Cached c = cache.get(key);
        return c != null && clock.instant().isBefore(c.until()) ? c.verdict() : null;
    }

    private void notifyVerified(Need n, SignatureVerdict v) {
        try {
            onVerified.verified(n.image(), n.spec(), v);
        } catch (RuntimeException e) {
            dev.custody.server.Log.error("recording a verified signature failed", "digest", v.digest(), "error", e.getMessage());
        }
    }

    /**
     * One verification: of the signatures, or of the provenance, of a digest. An unreachable registry gives
     * VERIFIED_EARLIER within the grace period after the last success, else UNAVAILABLE, and is not cached;
     * verified answers live {@code ttl}, missing or invalid ones {@code negativeTtl}.
     */
    private SignatureVerdict verify(Need n, String digest, Key key, Instant deadline, boolean provenance) {
        verifications.incrementAndGet();
        Instant late = deadline.plus(Duration.ofSeconds(20)); // a late answer still fills the cache
        SignatureVerdict v;
        try {
            v = provenance ? provenance(n, digest, late) : signatures(n, digest, late);
        } catch (SignatureSource.Unreadable e) {
            v = new SignatureVerdict(SignatureVerdict.Kind.INVALID, digest, List.of(), e.getMessage());
        } catch (SignatureSource.Unavailable e) {
            Instant last = lastVerified.get(key);
            if (last != null && Duration.between(last, clock.instant()).compareTo(timings.grace()) <= 0) {
                return new SignatureVerdict(SignatureVerdict.Kind.VERIFIED_EARLIER, digest, List.of(), "verified at " + last
                        + "; the registry is unreachable now (" + e.getMessage() + ")");
            }
            return new SignatureVerdict(SignatureVerdict.Kind.UNAVAILABLE, digest, List.of(), "the registry is unreachable: " + e.getMessage());
        }
        Instant now = clock.instant();
        boolean verified = v.kind() == SignatureVerdict.Kind.VERIFIED;
        if (cache.size() >= MAX_CACHED) {
            sweep(now);
        }
        cache.put(key, new Cached(v, now.plus(verified ? timings.ttl() : timings.negativeTtl())));
        if (verified) {
            lastVerified.put(key, now);
        }
        return v;
    }

    /** Drops expired verdicts and successes older than the grace period, so a long-running webhook stays bounded. */
    private void sweep(Instant now) {
        cache.entrySet().removeIf(e -> !now.isBefore(e.getValue().until()));
        lastVerified.entrySet().removeIf(e -> Duration.between(e.getValue(), now).compareTo(timings.grace()) > 0);
    }

    /** The signatures of the digest, or with {@code multiArch: eachPlatform} of every platform manifest of an index. */
    private SignatureVerdict signatures(Need n, String digest, Instant late) throws SignatureSource.Unavailable, SignatureSource.Unreadable {
        TrustSpec spec = n.spec();
        List<SignatureSource.Platform> platforms = spec.eachPlatform() ? source.platforms(n.image(), digest, late) : List.of();
        if (platforms.isEmpty()) {
            return verdictFor(digest, source.signatures(n.image(), digest, late), spec, "");
        }
        List<String> verified = new ArrayList<>();
        java.util.Set<String> signers = new java.util.LinkedHashSet<>();
        for (SignatureSource.Platform p : platforms) {
            SignatureVerdict pv = verdictFor(p.digest(), source.signatures(n.image(), p.digest(), late), spec, p.platform() + " (" + p.digest() + "): ");
            if (pv.kind() != SignatureVerdict.Kind.VERIFIED) {
                return new SignatureVerdict(pv.kind(), digest, pv.authorities(), "index " + digest + ", platform " + pv.detail());
            }
            verified.add(p.platform());
            signers.addAll(pv.authorities());
        }
        return new SignatureVerdict(SignatureVerdict.Kind.VERIFIED, digest, List.copyOf(signers), "every platform manifest is signed: "
                + String.join(", ", verified));
    }

    /** SLSA provenance attested by the rule's authorities, for the digest, satisfying the rule's requirement. */
    private SignatureVerdict provenance(Need n, String digest, Instant late) throws SignatureSource.Unavailable {
        List<dev.custody.verify.Attestations.Attestation> found = source.attestations(n.image(), digest, late);
        if (found.isEmpty()) {
            return new SignatureVerdict(SignatureVerdict.Kind.UNSIGNED, digest, List.of(), "no attestation found for " + digest);
        }
        return provenanceVerdict(digest, found, n.spec());
    }

    private SignatureVerdict provenanceVerdict(String digest, List<dev.custody.verify.Attestations.Attestation> found, TrustSpec spec) {
        java.util.Set<String> problems = new java.util.LinkedHashSet<>();
        dev.custody.verify.Attestations.Outcome o = dev.custody.verify.Attestations.verify(digest, found, authorities(spec), null);
        problems.addAll(o.failures());
        for (dev.custody.verify.intoto.Statement s : o.statements()) {
            if (!PROVENANCE_TYPES.contains(s.predicateType())) {
                continue;
            }
            dev.custody.verify.intoto.ProvenanceFacts f;
            try {
                f = dev.custody.verify.intoto.ProvenanceFacts.from(s);
            } catch (dev.custody.verify.intoto.InvalidStatementException e) {
                problems.add(e.getMessage());
                continue;
            }
            String problem = spec.provenance().problem(f.builderId(), f.sourceRepository(), f.sourceRef(), f.sourceCommit());
            if (problem != null) {
                problems.add(problem);
                continue;
            }
            // the rule's threshold and required authorities apply to provenance as to signatures
            List<String> missing = spec.required().stream().filter(r -> !o.authorities().contains(r)).toList();
            if (o.authorities().size() < spec.threshold() || !missing.isEmpty()) {
                problems.add("provenance attested by " + o.authorities() + "; the rule needs " + spec.threshold() + " authorities"
                        + (missing.isEmpty() ? "" : ", among them " + missing));
                continue;
            }
            return new SignatureVerdict(SignatureVerdict.Kind.VERIFIED, digest, o.authorities(), "built by " + f.builderId() + " from "
                    + f.sourceRepository() + " " + f.sourceRef() + (f.sourceCommit() == null ? "" : " at " + f.sourceCommit())
                    + ", attested by " + String.join(", ", o.authorities()));
        }
        if (problems.isEmpty()) {
            problems.add("the attestations found are not SLSA provenance");
        }
        return new SignatureVerdict(SignatureVerdict.Kind.INVALID, digest, List.of(), String.join("; ", problems.stream().limit(4).toList()));
    }

    static final java.util.Set<String> PROVENANCE_TYPES = java.util.Set.of(dev.custody.verify.intoto.SlsaProvenance.V1,
            dev.custody.verify.intoto.SlsaProvenance.V0_2);

    /** The verdict on one manifest's signatures. */
    private SignatureVerdict verdictFor(String digest, List<CosignVerifier.Signature> sigs, TrustSpec spec, String prefix) {
        boolean fulcio = spec.authorities().stream().anyMatch(a -> !a.isKey() && a.rootsPem() == null);
        CosignVerifier.Outcome o = verifier.verify(digest, sigs, authorities(spec), spec.threshold(), spec.required(), fulcio ? root.get() : null);
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
