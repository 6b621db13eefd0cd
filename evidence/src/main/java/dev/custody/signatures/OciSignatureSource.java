package dev.custody.signatures;

import dev.custody.imageref.Digest;
import dev.custody.imageref.ImageReference;
import dev.custody.oci.Call;
import dev.custody.oci.CosignTag;
import dev.custody.oci.Descriptor;
import dev.custody.oci.NotFoundException;
import dev.custody.oci.Referrer;
import dev.custody.oci.RegistryClient;
import dev.custody.oci.RegistryException;
import dev.custody.oci.RegistryUnavailableException;
import dev.custody.oci.Repository;
import dev.custody.verify.CosignVerifier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Signatures from a registry, the way cosign stores them: the manifest under the {@code sha256-<hex>.sig} tag, one
 * layer per signature, its blob the signed payload. A key-signed image costs three requests (resolve the tag,
 * the signature manifest, the payload), plus a token request where the registry wants one.
 *
 * <p>Errors keep their type: a registry that cannot be reached becomes {@link SignatureSource.Unavailable}; content
 * that is malformed or does not match its digest is a signature that cannot be read, reported as a signature
 * with an unreadable payload (so it fails verification as invalid, never as an outage).
 */
public final class OciSignatureSource implements SignatureSource {

    static final int MAX_SIGNATURES = 64;
    /** Referrer manifests fetched per digest at most, bundles or not. */
    static final int MAX_REFERRER_MANIFESTS = 64;
    /** Bytes of signatures, attestations or bundles held per digest at most, whatever the count limits allow. */
    static final long MAX_TOTAL_BYTES = 16L * 1024 * 1024;

    private final RegistryClient client;
    private final dev.custody.oci.Keychain keychain;

    public OciSignatureSource(RegistryClient client) {
        this(client, null);
    }

    private OciSignatureSource(RegistryClient client, dev.custody.oci.Keychain keychain) {
        this.client = client;
        this.keychain = keychain;
    }

    @Override
    public SignatureSource using(dev.custody.oci.Keychain keychain) {
        return new OciSignatureSource(client, keychain);
    }

    /** A call by the deadline, with this source's credentials. */
    private Call call(Instant deadline) {
        Call c = Call.until(deadline);
        return keychain == null ? c : c.using(keychain);
    }

    @Override
    public String resolve(ImageReference image, Instant deadline) throws Unavailable, Unreadable {
        if (image.digest() != null) {
            return image.digest().toString();
        }
        try {
            return client.resolve(image, call(deadline)).toString();
        } catch (RegistryUnavailableException e) {
            throw new Unavailable(e.getMessage(), e);
        } catch (RegistryException e) {
            throw new Unreadable("cannot resolve " + image.canonical() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<Platform> platforms(ImageReference image, String digest, Instant deadline) throws Unavailable, Unreadable {
        try {
            dev.custody.oci.RemoteManifest m = client.manifest(Repository.of(image), Digest.parse(digest), call(deadline));
            if (!(m.manifest() instanceof dev.custody.oci.ImageIndex index)) {
                return List.of();
            }
            List<Platform> out = new ArrayList<>();
            for (Descriptor d : index.manifests()) {
                out.add(new Platform(d.platform() == null ? "unknown platform" : d.platform().toString(), d.digest().toString()));
            }
            return out;
        } catch (RegistryUnavailableException e) {
            throw new Unavailable(e.getMessage(), e);
        } catch (RegistryException e) {
            throw new Unreadable("cannot read the manifest of " + digest + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<dev.custody.verify.Attestations.Attestation> attestations(ImageReference image, String digest, Instant deadline) throws Unavailable {
        return layers(image, digest, CosignTag.ATTESTATION, dev.custody.verify.Attestations.MAX_ENVELOPE_BYTES, deadline,
                (envelope, layer, origin) -> dev.custody.verify.Attestations.fromCosignLayer(envelope,
                        layer.annotation("dev.sigstore.cosign/certificate"), layer.annotation("dev.sigstore.cosign/chain"),
                        layer.annotation("dev.sigstore.cosign/bundle"), origin),
                dev.custody.verify.Attestations.Attestation::unreadable);
    }

    @Override
    public List<CosignVerifier.Signature> signatures(ImageReference image, String digest, Instant deadline) throws Unavailable {
        return layers(image, digest, CosignTag.SIGNATURE, dev.custody.verify.SimpleSigning.MAX_BYTES, deadline,
                (payload, layer, origin) -> new CosignVerifier.Signature(payload, layer.annotation("dev.cosignproject.cosign/signature"),
                        layer.annotation("dev.sigstore.cosign/certificate"), layer.annotation("dev.sigstore.cosign/chain"),
                        layer.annotation("dev.sigstore.cosign/bundle"), origin),
                CosignVerifier.Signature::unreadable);
    }

    /** Media types of Sigstore bundles (v0.1-v0.3), as layer or artifact types. */
    static boolean isBundleType(String mediaType) {
        return mediaType != null && mediaType.startsWith("application/vnd.dev.sigstore.bundle");
    }

    /**
     * Sigstore bundles among the digest's referrers (the referrers API, else the referrers tag schema): each
     * referrer manifest is fetched by its digest, since listings may type them wrongly (the tag schema's index
     * often says only "empty"), and its bundle layers read. One request when nothing refers to the digest.
     */
    @Override
    public List<Bundle> bundles(ImageReference image, String digest, Instant deadline) throws Unavailable {
        Repository repo = Repository.of(image);
        Call call = call(deadline);
        List<Referrer> referrers;
        try {
            referrers = client.referrers(repo, Digest.parse(digest), null, call);
        } catch (RegistryUnavailableException e) {
            throw new Unavailable(e.getMessage(), e);
        } catch (RegistryException e) {
            return List.of(new Bundle(new byte[0], null, "the referrers of " + digest + " cannot be read: " + e.getMessage()));
        }
        List<Bundle> out = new ArrayList<>();
        int fetched = 0;
        long total = 0;
        for (Referrer r : referrers) {
            if (out.size() >= MAX_SIGNATURES || fetched >= MAX_REFERRER_MANIFESTS) {
                break; // bounded work per verification, whatever a registry lists
            }
            if (r.artifactType() != null && !isBundleType(r.artifactType()) && !r.artifactType().equals("application/vnd.oci.empty.v1+json")) {
                continue; // typed as something else (an SBOM, a signature of another kind): not a bundle
            }
            String origin = "referrer " + r.descriptor().digest() + (r.tag() == null ? " (referrers API)" : " (tag " + r.tag() + ")");
            try {
                fetched++;
                dev.custody.oci.RemoteManifest m = client.manifest(repo, r.descriptor().digest(), call);
                if (!(m.manifest() instanceof dev.custody.oci.ImageManifest im) || !isBundleType(im.effectiveArtifactType())
                        && im.layers().stream().noneMatch(l -> isBundleType(l.mediaType()))) {
                    continue;
                }
                if (im.subject() == null || !im.subject().digest().toString().equals(digest)) {
                    continue; // listed for this digest, but the manifest says it is about another one
                }
                String predicateType = im.annotations().get("dev.sigstore.bundle.predicateType");
                for (Descriptor layer : im.layers()) {
                    if (out.size() >= MAX_SIGNATURES) {
                        break;
                    }
                    if (isBundleType(layer.mediaType())) {
                        if (total + Math.max(0, layer.size()) > MAX_TOTAL_BYTES) {
                            out.add(new Bundle(new byte[0], null, origin + ": not read, the bundles of this digest exceed " + MAX_TOTAL_BYTES + " bytes"));
                            return out;
                        }
                        byte[] json = client.blob(repo, layer, dev.custody.verify.Attestations.MAX_ENVELOPE_BYTES, call);
                        total += json.length;
                        out.add(new Bundle(json, predicateType, origin));
                    }
                }
            } catch (RegistryUnavailableException e) {
                throw new Unavailable(e.getMessage(), e);
            } catch (RegistryException e) {
                out.add(new Bundle(new byte[0], null, origin + ": cannot be read: " + e.getMessage()));
            }
        }
        return out;
    }

    /** Turns one fetched layer into what the verifier reads. */
    @FunctionalInterface
    private interface LayerReader<T> {
        T read(byte[] blob, Descriptor layer, String origin);
    }

    /**
     * The layers of cosign's manifest under the {@code .sig} or {@code .att} tag of a digest, each with its blob. A
     * manifest or blob that cannot be read (unauthorized, malformed, missing) becomes an unreadable entry that
     * verifies for nobody; only an unreachable registry is {@link Unavailable}.
     */
    private <T> List<T> layers(ImageReference image, String digest, CosignTag kind, long maxBytes, Instant deadline, LayerReader<T> reader,
                               java.util.function.Function<String, T> unreadable) throws Unavailable {
        Repository repo = Repository.of(image);
        Call call = call(deadline);
        Optional<Referrer> found;
        try {
            found = client.cosignArtifact(repo, Digest.parse(digest), kind, call);
        } catch (RegistryUnavailableException e) {
            throw new Unavailable(e.getMessage(), e);
        } catch (RegistryException e) {
            return List.of(unreadable.apply("the " + kind.name().toLowerCase(java.util.Locale.ROOT) + " manifest for " + digest
                    + " cannot be read: " + e.getMessage()));
        }
        if (found.isEmpty()) {
            return List.of();
        }
        List<T> out = new ArrayList<>();
        int i = 0;
        long total = 0;
        for (Descriptor layer : found.get().manifest().imageManifest().layers()) {
            if (i >= MAX_SIGNATURES) {
                break;
            }
            String origin = "tag " + found.get().tag() + " layer " + i++;
            if (total + Math.max(0, layer.size()) > MAX_TOTAL_BYTES) {
                out.add(unreadable.apply(origin + ": not read, the layers of this manifest exceed " + MAX_TOTAL_BYTES + " bytes"));
                break;
            }
            try {
                byte[] blob = client.blob(repo, layer, maxBytes, call);
                total += blob.length;
                out.add(reader.read(blob, layer, origin));
            } catch (RegistryUnavailableException e) {
                throw new Unavailable(e.getMessage(), e);
            } catch (NotFoundException e) {
                out.add(unreadable.apply(origin + ": the blob is missing from the registry"));
            } catch (RegistryException e) {
                out.add(unreadable.apply(origin + ": the blob cannot be read: " + e.getMessage()));
            }
        }
        return out;
    }
}
