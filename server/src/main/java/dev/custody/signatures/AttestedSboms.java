package dev.custody.signatures;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.imageref.ImageReference;
import dev.custody.sbom.SbomException;
import dev.custody.sbom.SbomReader;
import dev.custody.store.SbomStore;
import dev.custody.verify.Attestations;
import dev.custody.verify.CosignVerifier;
import dev.custody.verify.intoto.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * SBOMs attested for a digest go into the evidence store: only from DSSE envelopes whose signature verified with
 * the trust rule's authorities and whose statement names the digest (cosign attest --type cyclonedx | spdxjson).
 */
public final class AttestedSboms {

    /** SBOM predicate types cosign attests. */
    public static final List<String> PREDICATE_TYPES = List.of("https://cyclonedx.org/bom", "https://spdx.dev/Document");

    private static final ObjectMapper JSON = new ObjectMapper();

    private AttestedSboms() {}

    /** What was stored (content hashes) and what could not be read. */
    public record Result(List<String> stored, List<String> problems) {}

    public static Result ingest(SignatureSource source, List<CosignVerifier.Authority> authorities, ImageReference image, String digest,
                                Instant deadline, SbomStore store) throws SignatureSource.Unavailable {
        List<Attestations.Attestation> found = source.attestations(image, digest, deadline);
        List<String> stored = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Statement s : Attestations.verify(digest, found, authorities, null).statements()) {
            if (PREDICATE_TYPES.contains(s.predicateType())) {
                try {
                    byte[] bytes = JSON.writeValueAsBytes(s.predicate());
                    stored.add(store.ingest(SbomReader.read(bytes, "attested SBOM of " + digest), bytes, List.of(digest), "attestation").contentHash());
                } catch (SbomException | JsonProcessingException e) {
                    problems.add("an attested SBOM of " + digest + " cannot be read: " + e.getMessage());
                }
            }
        }
        return new Result(stored, problems);
    }
}
