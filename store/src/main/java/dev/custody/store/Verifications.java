package dev.custody.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.util.HexFormat;

/**
 * Verified signatures and attestations, kept as evidence tied to the digest. Only what verified is written: a
 * failed verification is a decision (in the decision log), not evidence.
 */
public final class Verifications {

    /**
     * One verified signature or attestation.
     *
     * @param digest         the image digest
     * @param kind           "signature" or "attestation"
     * @param predicateType  the attestation's predicate type, null for signatures
     * @param signerIdentity who signed (authority names, certificate identity, or key)
     * @param signerIssuer   the OIDC issuer for certificate identities, else null
     * @param trustRoot      what it was verified against (the trust rule and its id)
     * @param verifiedAt     epoch milliseconds
     * @param details        free text: where it was found, which authorities
     */
    public record Verified(String digest, String kind, String predicateType, String signerIdentity, String signerIssuer, String trustRoot,
                           long verifiedAt, String details) {}

    private final Store store;

    /** The store the records go to. */
    public Store store() {
        return store;
    }

    public Verifications(Store store) {
        this.store = store;
    }

    /**
     * Facts read from a verified provenance attestation.
     *
     * @param builderId        who built the artifact
     * @param buildType        how
     * @param sourceRepository from which repository
     * @param sourceRef        which ref
     * @param sourceCommit     which commit, or null
     */
    public record Provenance(String builderId, String buildType, String sourceRepository, String sourceRef, String sourceCommit) {}

    /**
     * Records a verification; the same (digest, kind, predicate type, signer, trust root) is one row whose time moves
     * forward. Returns the row's id.
     */
    public String record(Verified v) {
        return record(v, null);
    }

    /** Records a verified provenance attestation and the facts read from it, in one transaction. Returns the row's id. */
    public String record(Verified v, Provenance facts) {
        String id = id(v.digest() + "\0" + v.kind() + "\0" + v.predicateType() + "\0" + v.signerIdentity() + "\0" + v.trustRoot()
                + (facts == null ? "" : "\0" + facts));
        store.write(c -> {
            if (facts != null) {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO provenance (verification_id, digest, builder_id, build_type, "
                        + "source_repository, source_ref, source_commit, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT (verification_id) DO NOTHING")) {
                    p.setString(1, id);
                    p.setString(2, v.digest());
                    p.setString(3, facts.builderId());
                    p.setString(4, facts.buildType());
                    p.setString(5, facts.sourceRepository());
                    p.setString(6, facts.sourceRef());
                    p.setString(7, facts.sourceCommit());
                    p.setLong(8, v.verifiedAt());
                    p.executeUpdate();
                }
            }
            Artifacts.touch(c, v.digest(), null, v.verifiedAt());
            try (PreparedStatement p = c.prepareStatement("INSERT INTO verification (id, digest, kind, predicate_type, signer_identity, signer_issuer, "
                    + "trust_root, signed_at, verified_at, details) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?) "
                    + "ON CONFLICT (id) DO UPDATE SET details = CASE WHEN excluded.verified_at > verification.verified_at THEN excluded.details "
                    + "ELSE verification.details END, verified_at = CASE WHEN excluded.verified_at > verification.verified_at "
                    + "THEN excluded.verified_at ELSE verification.verified_at END")) {
                p.setString(1, id);
                p.setString(2, v.digest());
                p.setString(3, v.kind());
                p.setString(4, v.predicateType());
                p.setString(5, v.signerIdentity());
                p.setString(6, v.signerIssuer());
                p.setString(7, v.trustRoot());
                p.setLong(8, v.verifiedAt());
                p.setString(9, v.details());
                return p.executeUpdate();
            }
        });
        return id;
    }

    private static String id(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
