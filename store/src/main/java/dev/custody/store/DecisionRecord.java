package dev.custody.store;

import java.util.List;

/**
 * One admission or CLI decision, as the decision log keeps it. The log adds the sequence number and the chain hashes.
 *
 * @param recordedAt    epoch milliseconds when the decision was made
 * @param source        "admission" or "cli"
 * @param requestUid    the AdmissionRequest uid; for the CLI, a generated id of the run
 * @param username      who asked (request.userInfo.username; the OS user for the CLI)
 * @param operation     CREATE, UPDATE, ... ("CHECK" for the CLI)
 * @param namespace     the namespace evaluated in
 * @param kind          the workload kind
 * @param name          the workload name
 * @param verdict       allowed, warned, denied, or error
 * @param dryRun        whether the request was a dry run
 * @param policyVersion the version of the policy set that decided
 * @param images        every container image of the workload
 * @param rules         every rule result (passes included)
 * @param evidence      the evidence the rules used (verified signatures, attestations, SBOMs); empty when none
 */
public record DecisionRecord(long recordedAt, String source, String requestUid, String username, String operation,
                             String namespace, String kind, String name, String verdict, boolean dryRun, String policyVersion,
                             List<Image> images, List<RuleOutcome> rules, List<EvidenceRef> evidence) {

    public DecisionRecord {
        images = List.copyOf(images);
        rules = List.copyOf(rules);
        evidence = List.copyOf(evidence);
    }

    /** Whether the decision used a verified signature of this digest. */
    public boolean signed(String digest) {
        if (digest == null) {
            return false;
        }
        for (EvidenceRef e : evidence) {
            if (e.kind().equals("signature") && digest.equals(e.digest())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A container's image; digest is "sha256:..." when the reference pins one, else null. repository
     * (registry/path) and tag are parsed from the reference when it is well-formed, else null; they feed the
     * artifact inventory and are not part of the hashed body (the image string already carries them).
     */
    public record Image(String container, String image, String digest, String repository, String tag) {
        public Image(String container, String image, String digest) {
            this(container, image, digest, null, null);
        }
    }

    /** One rule result. */
    public record RuleOutcome(String policy, String rule, String outcome, String action, String reason, String path, String message) {

        /** {@code policy/rule}. */
        public String qualified() {
            return policy + "/" + rule;
        }

        boolean passed() {
            return outcome.equals("PASS") || outcome.equals("SKIP");
        }
    }

    /** A piece of evidence used: kind (signature, attestation, sbom), the digest it is about, and its id in the store. */
    public record EvidenceRef(String kind, String digest, String id) {}
}
