package dev.custody.signatures;

import dev.custody.imageref.ImageReference;
import dev.custody.verify.CosignVerifier;
import java.time.Instant;
import java.util.List;

/** Where signatures come from: a registry (through the OCI client), in tests a registry on loopback. */
public interface SignatureSource {

    /** The registry could not answer (network, 5xx, 429 past the deadline, timeout): never a verdict on a signature. */
    final class Unavailable extends Exception {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The registry answered, and what it answered cannot be trusted or read (a digest mismatch, a malformed
     * manifest, refused credentials): a verdict on the evidence, never an outage.
     */
    final class Unreadable extends Exception {
        public Unreadable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * This source with a workload's registry credentials tried first (its imagePullSecrets); sources that need no
     * credentials return themselves.
     */
    default SignatureSource using(dev.custody.oci.Keychain keychain) {
        return this;
    }

    /** The digest a reference names: its own digest, or what its tag points at now. */
    String resolve(ImageReference image, Instant deadline) throws Unavailable, Unreadable;

    /** The platform manifests of the digest when it is an index, as (platform, digest) pairs; empty for an image manifest. */
    List<Platform> platforms(ImageReference image, String digest, Instant deadline) throws Unavailable, Unreadable;

    /** One platform manifest of an index. */
    record Platform(String platform, String digest) {}

    /** Every cosign attestation (DSSE envelope) stored for the digest (an empty list when there are none). */
    List<dev.custody.verify.Attestations.Attestation> attestations(ImageReference image, String digest, Instant deadline) throws Unavailable;

    /**
     * A Sigstore bundle that refers to the digest (cosign's new bundle format, an OCI 1.1 referrer): its JSON, the
     * predicate type its manifest announces (unverified: a hint for sorting signatures from attestations), and where
     * it was found.
     */
    record Bundle(byte[] json, String predicateType, String origin) {}

    /** Every Sigstore bundle referring to the digest (empty when there are none, or the source has no referrers). */
    default List<Bundle> bundles(ImageReference image, String digest, Instant deadline) throws Unavailable {
        return List.of();
    }

    /** The attestations of the digest by every path: cosign's {@code .att} tag, and Sigstore bundles among its referrers. */
    default List<dev.custody.verify.Attestations.Attestation> allAttestations(ImageReference image, String digest, Instant deadline)
            throws Unavailable {
        List<dev.custody.verify.Attestations.Attestation> all = new java.util.ArrayList<>(attestations(image, digest, deadline));
        for (Bundle b : bundles(image, digest, deadline)) {
            if (!dev.custody.verify.Attestations.COSIGN_SIGN_V1.equals(b.predicateType())) {
                all.add(dev.custody.verify.Attestations.fromBundle(b.json(), b.origin()));
            }
        }
        return all;
    }

    /** Every cosign signature stored for the digest (an empty list when there are none). */
    List<CosignVerifier.Signature> signatures(ImageReference image, String digest, Instant deadline) throws Unavailable;
}
