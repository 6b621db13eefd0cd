package dev.custody.signatures;

import dev.custody.imageref.ImageReference;
import dev.custody.store.SbomStore;
import dev.custody.store.Verifications;
import dev.custody.verify.Attestations;
import java.time.Instant;
import java.util.List;

/**
 * The attestations of a verified digest go into the evidence store, for rules that require signatures only (rules
 * that require attestations record them as they verify them): only statements from DSSE envelopes whose signature
 * verified with the trust rule's authorities and that name the digest; attested SBOMs (cosign attest --type
 * cyclonedx | spdxjson | spdx) are ingested whole.
 */
public final class AttestedSboms {

    private AttestedSboms() {}

    /** What was stored (SBOM content hashes), how many attestation records, and what could not be read. */
    public record Result(List<String> stored, int records, List<String> problems) {}

    public static Result ingest(SignatureSource source, SignatureService service, dev.custody.policy.trust.TrustSpec spec, ImageReference image,
                                String digest, Instant deadline, String trustRoot, Verifications verifications, SbomStore store)
            throws SignatureSource.Unavailable {
        List<Attestations.Attestation> found = source.allAttestations(image, digest, deadline);
        if (found.isEmpty()) {
            return new Result(List.of(), 0, List.of());
        }
        Attestations.Outcome o = service.verifyAttestations(digest, found, spec);
        AttestationEvidence.Stored s = AttestationEvidence.store(verifications, store, digest, trustRoot, o.verified(), System.currentTimeMillis());
        return new Result(s.sboms(), s.records(), s.problems());
    }
}
