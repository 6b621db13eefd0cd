package dev.custody.oci;

import dev.custody.imageref.Digest;
import dev.custody.imageref.ImageReference;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A client for OCI distribution registries: manifests and indexes (digest-checked), blobs (size-limited and
 * digest-checked), tag resolution, discovery of signatures and attestations, and monolithic push.
 *
 * <p>Every method takes a {@link Call}, whose deadline bounds all the requests it makes and which counts them.
 * Failures are {@link RegistryException}s: {@link RegistryUnavailableException} when the registry could not serve
 * (network, 5xx, 429, deadline), {@link NotFoundException}, {@link UnauthorizedException},
 * {@link ForbiddenException}, {@link RequestRejectedException} for its answers, and
 * {@link InvalidResponseException} when content cannot be trusted (digest mismatch, malformed, too large).
 * No other exception escapes for anything a registry sends.
 *
 * <p>Thread-safe; one client per process is the intended use, so that connections, the per-registry concurrency
 * limit, learned challenges and cached tokens are shared. Close it to release its connections.
 */
public final class RegistryClient implements AutoCloseable {

    public static final long DEFAULT_MAX_MANIFEST_BYTES = 4L * 1024 * 1024;
    public static final long DEFAULT_MAX_BLOB_BYTES = 16L * 1024 * 1024;
    public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 8;
    /** Pages of a referrers listing followed before the listing is refused as unbounded. */
    public static final int MAX_REFERRERS_PAGES = 16;

    private static final int SMALL_BODY = 64 * 1024;
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

    private final Http http;
    private final Auth auth;
    private final Set<String> insecureRegistries;
    private final long maxManifestBytes;

    private RegistryClient(Builder b) {
        this.insecureRegistries = Set.copyOf(b.insecureRegistries);
        this.http = new Http(b.connectTimeout, b.retryPolicy, b.maxConcurrentRequests, insecureRegistries, b.userAgent, b.clock,
                b.sslContext, b.proxy);
        this.auth = new Auth(http, b.keychain, insecureRegistries, b.clock);
        this.maxManifestBytes = b.maxManifestBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---- manifests ----------------------------------------------------------------------------------------------

    /**
     * Fetches the manifest or index a reference names: by digest when it has one (the bytes must hash to it), else by
     * its tag ({@code latest} when none; the bytes must hash to the registry's Docker-Content-Digest when it sends one).
     */
    public RemoteManifest manifest(ImageReference reference, Call call) {
        Repository repo = Repository.of(reference);
        if (reference.digest() != null) {
            return fetchManifest(repo, reference.digest().toString(), reference.digest(), call);
        }
        return fetchManifest(repo, tagOf(reference), null, call);
    }

    /** Fetches the manifest or index with {@code digest}; the bytes must hash to it. */
    public RemoteManifest manifest(Repository repository, Digest digest, Call call) {
        return fetchManifest(repository, digest.toString(), digest, call);
    }

    /**
     * Describes the manifest a reference names with a HEAD request (media type, size, Docker-Content-Digest). When the
     * registry leaves any of them out (or gives a length of 0, which no manifest has), falls back to GET and hashes
     * the bytes itself.
     */
    public Descriptor head(ImageReference reference, Call call) {
        Repository repo = Repository.of(reference);
        String ref = reference.digest() != null ? reference.digest().toString() : tagOf(reference);
        String what = "manifest " + repo + (reference.digest() != null ? "@" : ":") + ref;
        Http.Response r = exchange(repo, false, "HEAD", manifestUri(repo, ref), Map.of("Accept", MediaTypes.ACCEPT_MANIFESTS),
                null, 0, call, what);
        Digest announced = Digests.parseOrNull(r.header("docker-content-digest"));
        if (reference.digest() != null && announced != null && announced.algorithm().equals(reference.digest().algorithm())
                && !announced.equals(reference.digest())) {
            throw new InvalidResponseException(repo.registry(), InvalidResponseException.Reason.DIGEST_MISMATCH,
                    what + ": the registry answers for digest " + announced);
        }
        Digest digest = announced != null ? announced : reference.digest();
        String type = MediaTypes.bare(r.header("content-type"));
        long size;
        try {
            size = r.headers().firstValueAsLong("content-length").orElse(-1);
        } catch (NumberFormatException e) {
            size = -1;
        }
        if (digest == null || type == null || size <= 0 || !(MediaTypes.isManifest(type) || MediaTypes.isIndex(type))) {
            return fetchManifest(repo, ref, reference.digest(), call).descriptor();
        }
        return Descriptor.of(type, digest, size);
    }

    /**
     * The digest a reference names now: its own digest when it has one (no request), else its tag's, by HEAD
     * (Docker-Content-Digest), or GET and hash when the registry does not send the header. A tag's digest is the
     * registry's word; content fetched by that digest is then checked against it.
     */
    public Digest resolve(ImageReference reference, Call call) {
        if (reference.digest() != null) {
            return reference.digest();
        }
        return head(reference, call).digest();
    }

    private RemoteManifest fetchManifest(Repository repo, String reference, Digest expected, Call call) {
        String what = "manifest " + repo + (expected != null ? "@" : ":") + reference;
        Http.Response r = exchange(repo, false, "GET", manifestUri(repo, reference), Map.of("Accept", MediaTypes.ACCEPT_MANIFESTS),
                null, maxManifestBytes, call, what);
        byte[] bytes = r.body();
        Digest digest = checkDigest(repo.registry(), what, bytes, expected, r.header("docker-content-digest"));
        Manifest manifest = ManifestParser.parse(bytes, r.header("content-type"), repo.registry(), what);
        return new RemoteManifest(repo, digest, manifest.mediaType(), bytes, manifest);
    }

    /** The digest of content received: checked against the one asked for, else against the one announced. */
    private static Digest checkDigest(String registry, String what, byte[] bytes, Digest expected, String announcedHeader) {
        if (expected != null) {
            Digest actual = Digests.compute(expected.algorithm(), bytes);
            if (!actual.equals(expected)) {
                throw new InvalidResponseException(registry, InvalidResponseException.Reason.DIGEST_MISMATCH,
                        what + ": the " + bytes.length + " bytes received hash to " + actual + ", not to the digest requested");
            }
            return actual;
        }
        Digest announced = Digests.parseOrNull(announcedHeader);
        if (announced != null) {
            Digest actual = Digests.compute(announced.algorithm(), bytes);
            if (!actual.equals(announced)) {
                throw new InvalidResponseException(registry, InvalidResponseException.Reason.DIGEST_MISMATCH,
                        what + ": the registry announces " + announced + " but the " + bytes.length + " bytes received hash to " + actual);
            }
            return actual;
        }
        return Digests.sha256(bytes);
    }

    // ---- blobs --------------------------------------------------------------------------------------------------

    /** Fetches a blob of at most {@link #DEFAULT_MAX_BLOB_BYTES}; the bytes must hash to {@code digest}. */
    public byte[] blob(Repository repository, Digest digest, Call call) {
        return blob(repository, digest, DEFAULT_MAX_BLOB_BYTES, call);
    }

    /** Fetches a blob of at most {@code maxBytes} (more is refused unread as TOO_LARGE); the bytes must hash to {@code digest}. */
    public byte[] blob(Repository repository, Digest digest, long maxBytes, Call call) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative, was " + maxBytes);
        }
        String what = "blob " + repository + "@" + digest;
        Http.Response r = exchange(repository, false, "GET", blobUri(repository, digest), Map.of(), null, maxBytes, call, what);
        byte[] bytes = r.body();
        Digest actual = Digests.compute(digest.algorithm(), bytes);
        if (!actual.equals(digest)) {
            throw new InvalidResponseException(repository.registry(), InvalidResponseException.Reason.DIGEST_MISMATCH,
                    what + ": the " + bytes.length + " bytes received hash to " + actual);
        }
        return bytes;
    }

    /** Fetches the blob a descriptor names; over {@code maxBytes} by the descriptor is refused without a request. */
    public byte[] blob(Repository repository, Descriptor descriptor, long maxBytes, Call call) {
        String what = "blob " + repository + "@" + descriptor.digest();
        if (descriptor.size() > maxBytes) {
            throw new InvalidResponseException(repository.registry(), InvalidResponseException.Reason.TOO_LARGE,
                    what + ": its descriptor gives " + descriptor.size() + " bytes, over the limit of " + maxBytes);
        }
        byte[] bytes = blob(repository, descriptor.digest(), descriptor.size(), call);
        if (bytes.length != descriptor.size()) {
            throw new InvalidResponseException(repository.registry(), InvalidResponseException.Reason.SIZE_MISMATCH,
                    what + ": " + bytes.length + " bytes received, the descriptor gives " + descriptor.size());
        }
        return bytes;
    }

    // ---- discovery ----------------------------------------------------------------------------------------------

    /**
     * The referrers of {@code subject}: from the referrers API ({@code GET /v2/<name>/referrers/<digest>}, every
     * page), or, where the registry does not offer it (404, 400, 405), from the referrers tag schema's index
     * under {@code <alg>-<hex>}. Filtered to {@code artifactType} when it is not null, by the registry when it
     * says so and always here. Empty when nothing refers to the subject.
     */
    public List<Referrer> referrers(Repository repository, Digest subject, String artifactType, Call call) {
        String what = "referrers of " + repository + "@" + subject;
        URI uri = repoUri(repository, "/referrers/" + subject
                + (artifactType == null ? "" : "?artifactType=" + URLEncoder.encode(artifactType, StandardCharsets.UTF_8)));
        Http.Response r;
        try {
            r = exchange(repository, false, "GET", uri, Map.of("Accept", MediaTypes.OCI_INDEX), null, maxManifestBytes, call, what);
        } catch (NotFoundException | RequestRejectedException e) {
            return referrersTag(repository, subject, artifactType, call);
        }
        List<Referrer> out = new ArrayList<>();
        for (int page = 1; ; page++) {
            Manifest m = ManifestParser.parse(r.body(), r.header("content-type"), repository.registry(), what);
            if (!(m instanceof ImageIndex index)) {
                throw new InvalidResponseException(repository.registry(), InvalidResponseException.Reason.MALFORMED,
                        what + ": the referrers API answered with an image manifest, not an index");
            }
            for (Descriptor d : index.manifests()) {
                if (artifactType == null || artifactType.equals(d.artifactType())) {
                    out.add(new Referrer(Referrer.Source.REFERRERS_API, d, null, null));
                }
            }
            String next = nextLink(r.header("link"));
            if (next == null) {
                return out;
            }
            if (page >= MAX_REFERRERS_PAGES) {
                throw new InvalidResponseException(repository.registry(), InvalidResponseException.Reason.PROTOCOL,
                        what + ": the listing has more than " + MAX_REFERRERS_PAGES + " pages");
            }
            URI nextUri;
            try {
                nextUri = r.uri().resolve(new URI(next));
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                throw new InvalidResponseException(repository.registry(), InvalidResponseException.Reason.PROTOCOL,
                        what + ": invalid next-page link " + Messages.clip(next));
            }
            if (!Endpoint.origin(nextUri).equals(Endpoint.origin(r.uri()))) {
                throw new InvalidResponseException(repository.registry(), InvalidResponseException.Reason.PROTOCOL,
                        what + ": the next-page link leaves the registry: " + Messages.clip(next));
            }
            r = exchange(repository, false, "GET", nextUri, Map.of("Accept", MediaTypes.OCI_INDEX), null, maxManifestBytes, call, what);
        }
    }

    private List<Referrer> referrersTag(Repository repository, Digest subject, String artifactType, Call call) {
        String tag = subject.algorithm() + "-" + subject.hex();
        if (tag.length() > 128) {
            tag = tag.substring(0, 128);
        }
        RemoteManifest m;
        try {
            m = fetchManifest(repository, tag, null, call);
        } catch (NotFoundException e) {
            return List.of();
        }
        List<Referrer> out = new ArrayList<>();
        for (Descriptor d : m.index().manifests()) {
            if (artifactType == null || artifactType.equals(d.artifactType())) {
                out.add(new Referrer(Referrer.Source.REFERRERS_TAG, d, tag, null));
            }
        }
        return out;
    }

    /** cosign's signature or attestation manifest for {@code subject}, fetched from its tag; empty when there is none. */
    public Optional<Referrer> cosignArtifact(Repository repository, Digest subject, CosignTag kind, Call call) {
        String tag = kind.tagFor(subject);
        RemoteManifest m;
        try {
            m = fetchManifest(repository, tag, null, call);
        } catch (NotFoundException e) {
            return Optional.empty();
        }
        m.imageManifest(); // an index under a cosign tag is not cosign's
        return Optional.of(new Referrer(kind.source(), m.descriptor(), tag, m));
    }

    /**
     * Everything that refers to {@code subject} by every path: referrers (API, else tag schema), then cosign's
     * {@code .sig} and {@code .att} tags. Three or four requests when nothing needs authentication.
     */
    public Discovery discover(Repository repository, Digest subject, Call call) {
        List<Referrer> found = new ArrayList<>(referrers(repository, subject, null, call));
        for (CosignTag kind : CosignTag.values()) {
            cosignArtifact(repository, subject, kind, call).ifPresent(found::add);
        }
        return new Discovery(subject, found);
    }

    // ---- push ---------------------------------------------------------------------------------------------------

    /**
     * Uploads a blob unless the registry has it (HEAD first), in one monolithic upload (POST, then PUT with the
     * digest), and returns its descriptor.
     */
    public Descriptor pushBlob(Repository repository, byte[] content, String mediaType, Call call) {
        Objects.requireNonNull(mediaType, "mediaType");
        Digest digest = Digests.sha256(content);
        String what = "push of blob " + repository + "@" + digest;
        Descriptor descriptor = Descriptor.of(mediaType, digest, content.length);
        try {
            exchange(repository, true, "HEAD", blobUri(repository, digest), Map.of(), null, 0, call, what);
            return descriptor;
        } catch (NotFoundException e) {
            // not there yet: upload it
        }
        Http.Response started = exchange(repository, true, "POST", repoUri(repository, "/blobs/uploads/"), Map.of(), null,
                SMALL_BODY, call, what);
        String location = started.header("location");
        if (location == null || location.isBlank()) {
            throw new InvalidResponseException(repository.registry(), InvalidResponseException.Reason.PROTOCOL,
                    what + ": the upload was started without a Location");
        }
        URI upload;
        try {
            upload = started.uri().resolve(new URI(location.trim()));
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            throw new InvalidResponseException(repository.registry(), InvalidResponseException.Reason.PROTOCOL,
                    what + ": invalid upload location " + Messages.clip(location));
        }
        String u = upload.toString();
        URI put = URI.create(u + (u.contains("?") ? "&" : "?") + "digest=" + URLEncoder.encode(digest.toString(), StandardCharsets.UTF_8));
        Http.Response done = exchange(repository, true, "PUT", put, Map.of("Content-Type", MediaTypes.OCTET_STREAM), content,
                SMALL_BODY, call, what);
        Digest announced = Digests.parseOrNull(done.header("docker-content-digest"));
        if (announced != null && announced.algorithm().equals(digest.algorithm()) && !announced.equals(digest)) {
            throw new InvalidResponseException(repository.registry(), InvalidResponseException.Reason.DIGEST_MISMATCH,
                    what + ": the registry stored it as " + announced);
        }
        return descriptor;
    }

    /**
     * Uploads a manifest or index under {@code tag}, or by its digest when {@code tag} is null, and returns its digest.
     * The bytes must parse as a manifest or index of a media type this client reads.
     */
    public Digest pushManifest(Repository repository, String tag, String mediaType, byte[] bytes, Call call) {
        Objects.requireNonNull(mediaType, "mediaType");
        if (tag != null && !TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("\"" + tag + "\" is not a valid tag");
        }
        try {
            ManifestParser.parse(bytes, mediaType, repository.registry(), "manifest to push");
        } catch (InvalidResponseException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Digest digest = Digests.sha256(bytes);
        String reference = tag != null ? tag : digest.toString();
        String what = "push of manifest " + repository + (tag != null ? ":" : "@") + reference;
        Http.Response r = exchange(repository, true, "PUT", manifestUri(repository, reference), Map.of("Content-Type", mediaType), bytes,
                SMALL_BODY, call, what);
        Digest announced = Digests.parseOrNull(r.header("docker-content-digest"));
        if (announced != null && announced.algorithm().equals(digest.algorithm()) && !announced.equals(digest)) {
            throw new InvalidResponseException(repository.registry(), InvalidResponseException.Reason.DIGEST_MISMATCH,
                    what + ": the registry stored it as " + announced + ", the bytes hash to " + digest);
        }
        return digest;
    }

    // ---- plumbing -----------------------------------------------------------------------------------------------

    /** HTTP requests sent by this client since it was built, over all calls. */
    public long requestCount() {
        return http.requestCount();
    }

    /**
     * One request to a registry with authentication: sends what earlier challenges taught, answers one 401, and maps
     * every answer but 2xx to its exception.
     */
    private Http.Response exchange(Repository repo, boolean push, String method, URI uri, Map<String, String> headers, byte[] body,
            long limit, Call call, String what) {
        Objects.requireNonNull(call, "call");
        while (true) {
            try {
                return exchangeOnce(repo, push, method, uri, headers, body, limit, call, what);
            } catch (UnauthorizedException e) {
                // refused: the next of the call's credentials (a pod's next pull secret), as the kubelet does
                if (!Endpoint.origin(uri).equals(endpoint(repo).origin()) || !auth.nextCandidate(repo, call)) {
                    throw e;
                }
            }
        }
    }

    private Http.Response exchangeOnce(Repository repo, boolean push, String method, URI uri, Map<String, String> headers, byte[] body,
            long limit, Call call, String what) {
        Endpoint ep = endpoint(repo);
        String scope = "repository:" + repo.name() + (push ? ":pull,push" : ":pull");
        boolean sameOrigin = Endpoint.origin(uri).equals(ep.origin());
        String authorization = sameOrigin ? auth.authorization(ep, repo, scope, call, what) : null;
        Http.Response r = http.send(request(repo, method, uri, headers, authorization, body, limit, what), call);
        if (r.status() == 401 && sameOrigin) {
            authorization = auth.afterUnauthorized(ep, repo, scope, r, authorization, call, what);
            r = http.send(request(repo, method, uri, headers, authorization, body, limit, what), call);
        }
        int status = r.status();
        if (status >= 200 && status <= 299) {
            return r;
        }
        ErrorBody error = ErrorBody.parse(r.body());
        String registry = repo.registry();
        switch (status) {
            case 401 -> throw new UnauthorizedException(registry, error.code(), what + ": " + registry
                    + " refused the credentials presented for " + repo + error.suffix());
            case 403 -> throw new ForbiddenException(registry, error.code(), what + ": " + registry + " denies access to " + repo + error.suffix());
            case 404 -> throw new NotFoundException(registry, error.code(), what + ": not found" + error.suffix());
            default -> {
                if (status >= 300 && status <= 399 || status < 200) {
                    throw new InvalidResponseException(registry, InvalidResponseException.Reason.PROTOCOL,
                            what + ": unexpected status " + status);
                }
                throw new RequestRejectedException(registry, status, error.code(), what + ": " + registry + " answered " + status + error.suffix());
            }
        }
    }

    private static Http.Request request(Repository repo, String method, URI uri, Map<String, String> headers, String authorization,
            byte[] body, long limit, String what) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        if (authorization != null) {
            all.put("Authorization", authorization);
        }
        return new Http.Request(method, uri, all, body, limit, false, repo.registry(), what);
    }

    private Endpoint endpoint(Repository repo) {
        return Endpoint.of(repo.registry(), insecureRegistries);
    }

    private URI repoUri(Repository repo, String rest) {
        return endpoint(repo).resolve("/v2/" + repo.name() + rest);
    }

    private URI manifestUri(Repository repo, String reference) {
        return repoUri(repo, "/manifests/" + reference);
    }

    private URI blobUri(Repository repo, Digest digest) {
        return repoUri(repo, "/blobs/" + digest);
    }

    private static String tagOf(ImageReference reference) {
        return reference.effectiveTag().orElseThrow();
    }

    /** The target of a {@code Link: <url>; rel="next"} header (OCI distribution pagination), or null. */
    static String nextLink(String header) {
        if (header == null) {
            return null;
        }
        for (String part : header.split(",(?=\\s*<)")) {
            int open = part.indexOf('<');
            int close = part.indexOf('>', open + 1);
            if (open < 0 || close < 0) {
                continue;
            }
            String params = part.substring(close + 1).replace(" ", "").toLowerCase(java.util.Locale.ROOT);
            if (params.contains("rel=\"next\"") || params.contains("rel=next")) {
                return part.substring(open + 1, close).trim();
            }
        }
        return null;
    }

    @Override
    public void close() {
        http.close();
    }

    /** Settings of a client; every one has a default. */
    public static final class Builder {
        private Keychain keychain = Keychain.anonymous();
        private Set<String> insecureRegistries = Set.of();
        private int maxConcurrentRequests = DEFAULT_MAX_CONCURRENT_REQUESTS;
        private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
        private long maxManifestBytes = DEFAULT_MAX_MANIFEST_BYTES;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private String userAgent = "custody-oci";
        private InstantSource clock = InstantSource.system();
        private SSLContext sslContext;
        private ProxySelector proxy;

        private Builder() {}

        /** Where credentials come from; anonymous by default. */
        public Builder keychain(Keychain keychain) {
            this.keychain = Objects.requireNonNull(keychain, "keychain");
            return this;
        }

        /** Registries (host[:port]) reached over plain HTTP besides loopback ones. */
        public Builder insecureRegistries(Set<String> registries) {
            this.insecureRegistries = Set.copyOf(registries);
            return this;
        }

        /** Requests in flight at once per registry host; 8 by default. */
        public Builder maxConcurrentRequestsPerRegistry(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConcurrentRequestsPerRegistry must be at least 1, was " + max);
            }
            this.maxConcurrentRequests = max;
            return this;
        }

        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Largest manifest, index or referrers page accepted; 4 MiB by default (what distribution registries accept on push). */
        public Builder maxManifestBytes(long max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxManifestBytes must be positive, was " + max);
            }
            this.maxManifestBytes = max;
            return this;
        }

        /** The longest a TCP and TLS connection may take to open; the call's deadline still applies. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        public Builder userAgent(String userAgent) {
            this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
            return this;
        }

        /** TLS settings, for registries whose certificates chain to a private CA; the JDK's defaults otherwise. */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "context");
            return this;
        }

        /** An HTTP proxy for registry traffic; none by default (the JDK's client does not read HTTPS_PROXY). */
        public Builder proxy(ProxySelector proxy) {
            this.proxy = Objects.requireNonNull(proxy, "proxy");
            return this;
        }

        /** The clock for token lifetimes and Retry-After dates; tests move it. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public RegistryClient build() {
            return new RegistryClient(this);
        }
    }
}
