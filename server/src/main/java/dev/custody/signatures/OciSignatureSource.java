package dev.custody.signatures;

import dev.custody.imageref.Digest;
import dev.custody.imageref.ImageReference;
import dev.custody.oci.Call;
import dev.custody.oci.CosignTag;
import dev.custody.oci.Descriptor;
import dev.custody.oci.ImageManifest;
import dev.custody.oci.NotFoundException;
import dev.custody.oci.Referrer;
import dev.custody.oci.RegistryClient;
import dev.custody.oci.RegistryException;
import dev.custody.oci.RegistryUnavailableException;
import dev.custody.oci.Repository;
import dev.custody.verify.CosignVerifier;
import dev.custody.verify.SimpleSignings;
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

    static final long MAX_PAYLOAD_BYTES = 64 * 1024;
    static final int MAX_SIGNATURES = 64;

    private final RegistryClient client;

    public OciSignatureSource(RegistryClient client) {
        this.client = client;
    }

    @Override
    public String resolve(ImageReference image, Instant deadline) throws Unavailable {
        if (image.digest() != null) {
            return image.digest().toString();
        }
        try {
            return client.resolve(image, Call.until(deadline)).toString();
        } catch (RegistryUnavailableException e) {
            throw new Unavailable(e.getMessage(), e);
        } catch (RegistryException e) {
            throw new Unavailable("cannot resolve " + image.canonical() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<Platform> platforms(ImageReference image, String digest, Instant deadline) throws Unavailable {
        try {
            dev.custody.oci.RemoteManifest m = client.manifest(Repository.of(image), Digest.parse(digest), Call.until(deadline));
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
            throw new Unavailable("cannot read the manifest of " + digest + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<dev.custody.verify.Attestations.Attestation> attestations(ImageReference image, String digest, Instant deadline) throws Unavailable {
        Repository repo = Repository.of(image);
        Call call = Call.until(deadline);
        Optional<Referrer> att;
        try {
            att = client.cosignArtifact(repo, Digest.parse(digest), CosignTag.ATTESTATION, call);
        } catch (RegistryUnavailableException e) {
            throw new Unavailable(e.getMessage(), e);
        } catch (RegistryException e) {
            return List.of(new dev.custody.verify.Attestations.Attestation(new byte[0], null, null,
                    "the attestation manifest for " + digest + " cannot be read: " + e.getMessage()));
        }
        if (att.isEmpty()) {
            return List.of();
        }
        List<dev.custody.verify.Attestations.Attestation> out = new ArrayList<>();
        int i = 0;
        for (Descriptor layer : att.get().manifest().imageManifest().layers()) {
            if (i >= MAX_SIGNATURES) {
                break;
            }
            String origin = "tag " + att.get().tag() + " layer " + i++;
            try {
                byte[] envelope = client.blob(repo, layer, 4L * 1024 * 1024, call);
                out.add(new dev.custody.verify.Attestations.Attestation(envelope, layer.annotation("dev.sigstore.cosign/certificate"),
                        layer.annotation("dev.sigstore.cosign/chain"), origin));
            } catch (RegistryUnavailableException e) {
                throw new Unavailable(e.getMessage(), e);
            } catch (RegistryException e) {
                out.add(new dev.custody.verify.Attestations.Attestation(new byte[0], null, null, origin + ": cannot be read: " + e.getMessage()));
            }
        }
        return out;
    }

    @Override
    public List<CosignVerifier.Signature> signatures(ImageReference image, String digest, Instant deadline) throws Unavailable {
        Repository repo = Repository.of(image);
        Call call = Call.until(deadline);
        Optional<Referrer> sig;
        try {
            sig = client.cosignArtifact(repo, Digest.parse(digest), CosignTag.SIGNATURE, call);
        } catch (RegistryUnavailableException e) {
            throw new Unavailable(e.getMessage(), e);
        } catch (RegistryException e) {
            // unauthorized, forbidden, malformed: no readable signature, which verification reports as such
            return List.of(SimpleSignings.unreadable("the signature manifest for " + digest + " cannot be read: " + e.getMessage()));
        }
        if (sig.isEmpty()) {
            return List.of();
        }
        ImageManifest m = sig.get().manifest().imageManifest();
        List<CosignVerifier.Signature> out = new ArrayList<>();
        int i = 0;
        for (Descriptor layer : m.layers()) {
            if (i >= MAX_SIGNATURES) {
                break;
            }
            String origin = "tag " + sig.get().tag() + " layer " + i++;
            byte[] payload;
            try {
                payload = client.blob(repo, layer, MAX_PAYLOAD_BYTES, call);
            } catch (RegistryUnavailableException e) {
                throw new Unavailable(e.getMessage(), e);
            } catch (NotFoundException e) {
                out.add(SimpleSignings.unreadable(origin + ": the signed payload is missing from the registry"));
                continue;
            } catch (RegistryException e) {
                out.add(SimpleSignings.unreadable(origin + ": the signed payload cannot be read: " + e.getMessage()));
                continue;
            }
            out.add(new CosignVerifier.Signature(payload, layer.annotation("dev.cosignproject.cosign/signature"),
                    layer.annotation("dev.sigstore.cosign/certificate"), layer.annotation("dev.sigstore.cosign/chain"),
                    layer.annotation("dev.sigstore.cosign/bundle"), origin));
        }
        return out;
    }
}
