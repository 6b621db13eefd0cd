package dev.custody.verify;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.custody.verify.ParsedBundle.Certificate;
import dev.custody.verify.ParsedBundle.Dsse;
import dev.custody.verify.ParsedBundle.KeyHint;
import dev.custody.verify.ParsedBundle.MessageSignature;
import dev.custody.verify.Result.Details;
import dev.sigstore.encryption.signers.Verifier;
import dev.sigstore.encryption.signers.Verifiers;
import dev.sigstore.fulcio.client.FulcioVerificationException;
import dev.sigstore.merkle.InclusionProofVerificationException;
import dev.sigstore.merkle.InclusionProofVerifier;
import dev.sigstore.proto.ProtoMutators;
import dev.sigstore.proto.rekor.v1.TransparencyLogEntry;
import dev.sigstore.rekor.client.Checkpoints;
import dev.sigstore.rekor.client.RekorEntry;
import dev.sigstore.rekor.client.RekorParseException;
import dev.sigstore.timestamp.client.TimestampException;
import dev.sigstore.timestamp.client.TimestampResponse;
import dev.sigstore.timestamp.client.TimestampVerificationException;
import dev.sigstore.trustroot.CertificateAuthority;
import dev.sigstore.trustroot.TransparencyLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Verifies a Sigstore bundle offline against a trusted root, as the sigstore-conformance {@code verify-bundle}
 * protocol defines it. The cryptographic pieces are sigstore-java's (bundle and trusted-root parsing, Fulcio chain
 * and SCT verification, signature verifiers, Merkle inclusion proofs, checkpoint parsing, RFC 3161 timestamp
 * verification); this class runs them in order, adds what sigstore-java 2.0.0 leaves out (key-signed bundles,
 * signing time within the certificate's validity, log key validity, intoto 0.0.2 and DSSE-over-hashedrekord log
 * entries, checkpoints of logs whose name is not their URL's host) and names the check that failed. Stateless
 * and thread-safe; see docs/adr/0011-sigstore-verification.md.
 */
public final class BundleVerifier {

    /** Larger bundles are refused unread. A bundle is a few KiB; a large in-toto statement stays far below this. */
    public static final long MAX_BUNDLE_BYTES = 10L * 1024 * 1024;

    /** As sigstore-java: a checkpoint is cosigned by a few witnesses, not by hundreds. */
    private static final int MAX_CHECKPOINT_SIGNATURES = 20;

    /** Reads a bundle file, refusing one larger than {@link #MAX_BUNDLE_BYTES}. */
    public static byte[] readBundle(Path file) throws IOException {
        return Inputs.readBounded(file, MAX_BUNDLE_BYTES);
    }

    /**
     * The in-toto statement a DSSE bundle carries, for reading facts from a bundle that {@link #verify} accepted;
     * empty for a message-signature bundle or one that cannot be parsed. Never read it before verification.
     */
    public static java.util.Optional<byte[]> dssePayload(byte[] bundleJson) {
        try {
            return ParsedBundle.parse(bundleJson).content() instanceof ParsedBundle.Dsse d ? java.util.Optional.of(d.payload().clone())
                    : java.util.Optional.empty();
        } catch (Rejected e) {
            return java.util.Optional.empty();
        }
    }

    /** Verifies {@code bundleJson} for {@code artifact}, signed as {@code policy} requires, with trust in {@code root}. */
    public Result verify(byte[] bundleJson, Artifact artifact, SignerPolicy policy, TrustRoot root) {
        Evidence evidence = new Evidence(artifact);
        try {
            new Run(artifact, policy, root, evidence).verify(bundleJson);
            return new Result.Verified(evidence.details());
        } catch (Rejected r) {
            return new Result.NotVerified(r.failure(), r.getMessage(), evidence.details());
        }
    }

    /** The details gathered so far; what a failed verification had shown before it stopped. */
    private static final class Evidence {
        final String artifact;
        String mediaType;
        String content;
        String predicateType;
        String signer;
        String issuer;
        Instant signedAt;
        Long tlogIndex;
        String tlogKind;

        Evidence(Artifact artifact) {
            this.artifact = artifact.digest();
        }

        Details details() {
            return new Details(mediaType, content, predicateType, artifact, signer, issuer, signedAt, tlogIndex, tlogKind);
        }
    }

    /** One verification, in the order the Sigstore client specification gives. */
    private record Run(Artifact artifact, SignerPolicy policy, TrustRoot root, Evidence evidence) {

        void verify(byte[] json) throws Rejected {
            if (json.length > MAX_BUNDLE_BYTES) {
                throw ParsedBundle.malformed("the bundle is larger than the limit of " + MAX_BUNDLE_BYTES + " bytes");
            }
            ParsedBundle bundle = ParsedBundle.parse(json);
            evidence.mediaType = bundle.mediaType();
            evidence.content = bundle.content() instanceof Dsse ? "dsse" : "message-signature";
            Signer signer = signer(bundle.material());
            checkContent(bundle, signer);
            evidence.tlogKind = LogEntryBody.check(bundle.entry(), bundle.content(), signer, artifact);
            TransparencyLog log = checkLogEntry(bundle);
            evidence.tlogIndex = bundle.entry().getLogIndex();
            checkTimes(bundle, signer, log);
        }

        // --- who signed

        private Signer signer(ParsedBundle.Material material) throws Rejected {
            return switch (policy) {
                case SignerPolicy.Keyless keyless -> {
                    if (!(material instanceof Certificate cert)) {
                        throw new Rejected(Failure.SIGNER_MATERIAL, "the bundle is signed with a key (hint \"" + ((KeyHint) material).hint()
                                + "\"), not a Fulcio certificate; verify it with the public key");
                    }
                    checkChain(cert);
                    checkIdentity(cert.leaf(), keyless);
                    yield new Signer(cert.leaf().getPublicKey(), cert.leaf());
                }
                case SignerPolicy.Key key -> {
                    if (!(material instanceof KeyHint)) {
                        throw new Rejected(Failure.SIGNER_MATERIAL,
                                "the bundle carries a certificate, not a key hint; verify it with a certificate identity and issuer");
                    }
                    evidence.signer = "key sha256:" + HexFormat.of().formatHex(LogEntryBody.sha256(key.publicKey().getEncoded()));
                    yield new Signer(key.publicKey(), null);
                }
            };
        }

        /**
         * The leaf must chain to a certificate authority of the trusted root that was valid when the leaf was
         * issued. Intermediates and roots come from the trusted root only: the rest of a bundle's chain is ignored
         * (version 0.1 bundles from sigstore-js carry the whole chain; sigstore-python only warns about the root).
         * sigstore-java then checks the chain again and the embedded SCTs: what it refuses after this passed is
         * the certificate-transparency check.
         */
        private void checkChain(Certificate cert) throws Rejected {
            X509Certificate leaf = cert.leaf();
            Instant issued = leaf.getNotBefore().toInstant();
            List<CertificateAuthority> cas = CertificateAuthority.find(root.certificateAuthorities(), issued);
            if (cas.isEmpty()) {
                throw new Rejected(Failure.CERTIFICATE_CHAIN,
                        "no certificate authority of the trusted root was valid when the signing certificate was issued (" + issued + ")");
            }
            String why = null;
            for (CertificateAuthority ca : cas) {
                why = pkixProblem(leaf, ca);
                if (why == null) {
                    break;
                }
            }
            if (why != null) {
                throw new Rejected(Failure.CERTIFICATE_CHAIN, "the signing certificate (issued by \"" + leaf.getIssuerX500Principal().getName()
                        + "\") does not chain to a certificate authority of the trusted root: " + why);
            }
            try {
                CertPath leafOnly = CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf));
                root.fulcio().verifySigningCertificate(leafOnly);
            } catch (FulcioVerificationException | CertificateException | IOException | RuntimeException e) {
                throw new Rejected(Failure.CERTIFICATE_TRANSPARENCY,
                        "the signing certificate has no valid signed certificate timestamp from a CT log of the trusted root: "
                                + ParsedBundle.oneLine(e.getMessage()));
            }
        }

        private static String pkixProblem(X509Certificate leaf, CertificateAuthority ca) {
            try {
                List<? extends java.security.cert.Certificate> caCerts = ca.getCertPath().getCertificates();
                X509Certificate anchor = (X509Certificate) caCerts.get(caCerts.size() - 1);
                // the root stays in the path (as in sigstore-java) so that its own validity period is checked too
                List<java.security.cert.Certificate> path = new ArrayList<>();
                path.add(leaf);
                path.addAll(caCerts);
                PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
                params.setRevocationEnabled(false);
                params.setDate(leaf.getNotBefore());
                CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
                return null;
            } catch (GeneralSecurityException | RuntimeException e) {
                return ParsedBundle.oneLine(e.getMessage());
            }
        }

        private void checkIdentity(X509Certificate leaf, SignerPolicy.Keyless keyless) throws Rejected {
            List<String> identities = FulcioCertificate.identities(leaf);
            String issuer = FulcioCertificate.issuer(leaf);
            evidence.signer = identities.isEmpty() ? null : String.join(", ", identities);
            evidence.issuer = issuer;
            if (identities.isEmpty()) {
                throw new Rejected(Failure.IDENTITY, "the signing certificate has no URI, email or Fulcio identity in its subject alternative names");
            }
            if (identities.stream().noneMatch(keyless.identity()::test)) {
                throw new Rejected(Failure.IDENTITY, "the certificate identity \"" + evidence.signer + "\" does not match the expected "
                        + keyless.identity());
            }
            if (issuer == null) {
                throw new Rejected(Failure.ISSUER, "the signing certificate has no OIDC issuer extension");
            }
            if (!keyless.issuer().test(issuer)) {
                throw new Rejected(Failure.ISSUER, "the certificate's OIDC issuer \"" + issuer + "\" does not match the expected "
                        + keyless.issuer());
            }
        }

        // --- what was signed

        private void checkContent(ParsedBundle bundle, Signer signer) throws Rejected {
            byte[] digest = artifact.sha256() == null ? null : HexFormat.of().parseHex(artifact.sha256());
            Verifier verifier = verifier(signer.key());
            switch (bundle.content()) {
                case MessageSignature ms -> {
                    if (digest == null) {
                        throw new Rejected(Failure.DIGEST_MISMATCH, "a message signature is made over the artifact's SHA-256 digest, and only "
                                + artifact.digest() + " was given");
                    }
                    if (ms.digest() != null && !MessageDigest.isEqual(ms.digest(), digest)) {
                        throw new Rejected(Failure.DIGEST_MISMATCH, "the artifact's digest " + artifact.digest()
                                + " is not the bundle's message digest sha256:" + HexFormat.of().formatHex(ms.digest()));
                    }
                    boolean valid;
                    try {
                        valid = verifier.verifyDigest(digest, ms.signature());
                    } catch (UnsupportedOperationException e) {
                        throw new Rejected(Failure.UNSUPPORTED, "a message signature by this key type cannot be verified from a digest: "
                                + ParsedBundle.oneLine(e.getMessage()));
                    } catch (GeneralSecurityException | RuntimeException e) {
                        throw new Rejected(Failure.SIGNATURE, "the message signature cannot be checked: " + ParsedBundle.oneLine(e.getMessage()));
                    }
                    if (!valid) {
                        throw new Rejected(Failure.SIGNATURE, "the message signature does not verify for " + artifact.digest()
                                + " with the signer's key");
                    }
                }
                case Dsse dsse -> {
                    if (!dsse.payloadType().equals("application/vnd.in-toto+json")) {
                        throw new Rejected(Failure.UNSUPPORTED, "DSSE payload type \"" + dsse.payloadType()
                                + "\" is not supported (only application/vnd.in-toto+json is)");
                    }
                    boolean valid;
                    try {
                        valid = verifier.verify(dsse.pae(), dsse.signature());
                    } catch (GeneralSecurityException | RuntimeException e) {
                        throw new Rejected(Failure.SIGNATURE, "the DSSE signature cannot be checked: " + ParsedBundle.oneLine(e.getMessage()));
                    }
                    if (!valid) {
                        throw new Rejected(Failure.SIGNATURE, "the DSSE envelope's signature does not verify with the signer's key");
                    }
                    checkSubject(dsse);
                }
            }
        }

        private static Verifier verifier(PublicKey key) throws Rejected {
            try {
                return Verifiers.newVerifier(key);
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new Rejected(Failure.UNSUPPORTED, "the signer's key type " + key.getAlgorithm() + " is not supported: "
                        + ParsedBundle.oneLine(e.getMessage()));
            }
        }

        private void checkSubject(Dsse dsse) throws Rejected {
            String nesting = Inputs.checkJsonNesting(dsse.payload());
            if (nesting != null) {
                throw ParsedBundle.malformed("dsseEnvelope.payload is not an in-toto statement: " + nesting);
            }
            JsonObject statement;
            try {
                JsonElement parsed = Inputs.parseJson(new String(dsse.payload(), StandardCharsets.UTF_8));
                statement = parsed.isJsonObject() ? parsed.getAsJsonObject() : null;
            } catch (RuntimeException e) {
                throw ParsedBundle.malformed("dsseEnvelope.payload is not an in-toto statement: " + ParsedBundle.oneLine(e.getMessage()));
            }
            if (statement == null || !(statement.get("subject") instanceof com.google.gson.JsonArray subjects)) {
                throw ParsedBundle.malformed("dsseEnvelope.payload is not an in-toto statement: it has no subject list");
            }
            if (statement.get("predicateType") instanceof com.google.gson.JsonPrimitive p && p.isString()) {
                evidence.predicateType = p.getAsString();
            }
            List<String> listed = new ArrayList<>();
            for (JsonElement subject : subjects) {
                if (!(subject instanceof JsonObject s && s.get("digest") instanceof JsonObject digests)) {
                    continue;
                }
                String sha256 = text(digests, "sha256");
                String sha512 = text(digests, "sha512");
                // every algorithm both sides have must agree, and there must be one
                boolean both256 = sha256 != null && artifact.sha256() != null;
                boolean both512 = sha512 != null && artifact.sha512() != null;
                if ((both256 || both512) && (!both256 || sha256.equalsIgnoreCase(artifact.sha256()))
                        && (!both512 || sha512.equalsIgnoreCase(artifact.sha512()))) {
                    return;
                }
                listed.add(sha256 != null ? "sha256:" + sha256 : sha512 != null ? "sha512:" + sha512 : "(no sha256 or sha512 digest)");
            }
            String subjectList = listed.isEmpty() ? "it lists no subject"
                    : "its subjects: " + String.join(", ", listed.subList(0, Math.min(5, listed.size()))) + (listed.size() > 5 ? ", ..." : "");
            throw new Rejected(Failure.DIGEST_MISMATCH, "the artifact's digest " + artifact.digest() + " is not a subject of the in-toto statement ("
                    + subjectList + ")");
        }

        private static String text(JsonObject object, String name) {
            return object.get(name) instanceof com.google.gson.JsonPrimitive p && p.isString() ? p.getAsString() : null;
        }

        // --- the transparency log

        /**
         * The signed entry timestamp, the inclusion proof and the checkpoint, each with sigstore-java's primitives.
         * Not through its RekorVerifier: that looks for the checkpoint signature under the host of the log's URL,
         * which is not always the name the log signs with ({@code localhost:8000} has a port, a scaffolding Rekor
         * signs as its pod), and it cannot say which of the three checks failed.
         */
        private TransparencyLog checkLogEntry(ParsedBundle bundle) throws Rejected {
            TransparencyLogEntry entry = bundle.entry();
            byte[] logId = entry.getLogId().getKeyId().toByteArray();
            TransparencyLog log = TransparencyLog.find(root.transparencyLogs(), logId).orElseThrow(() -> new Rejected(Failure.TLOG_ENTRY,
                    "the entry is from transparency log " + Base64.getEncoder().encodeToString(logId) + ", which is not in the trusted root"));
            PublicKey logKey;
            try {
                logKey = log.getPublicKey().toJavaPublicKey();
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new Rejected(Failure.UNSUPPORTED, "the key of transparency log " + log.getBaseUrl() + " cannot be used: "
                        + ParsedBundle.oneLine(e.getMessage()));
            }
            RekorEntry rekorEntry = ProtoMutators.toRekorEntry(entry);
            String set = rekorEntry.getVerification().getSignedEntryTimestamp();
            if (set != null) {
                if (!verifies(logKey, rekorEntry.getSignableContent(), Base64.getDecoder().decode(set))) {
                    throw new Rejected(Failure.TLOG_ENTRY, "the signed entry timestamp is not a valid signature by " + log.getBaseUrl());
                }
            }
            if (!entry.hasInclusionProof()) {
                // a version 0.1 bundle may rest on the signed entry timestamp alone (ParsedBundle requires one then)
                return log;
            }
            var proof = entry.getInclusionProof();
            MessageDigest leaf = Artifact.newSha256();
            leaf.update((byte) 0);
            leaf.update(entry.getCanonicalizedBody().toByteArray());
            try {
                InclusionProofVerifier.verify(leaf.digest(), proof.getLogIndex(), proof.getTreeSize(),
                        proof.getHashesList().stream().map(h -> h.toByteArray()).toList(), proof.getRootHash().toByteArray());
            } catch (InclusionProofVerificationException | RuntimeException e) {
                throw new Rejected(Failure.INCLUSION_PROOF, "the inclusion proof does not lead from the entry (index " + proof.getLogIndex()
                        + ") to the root hash of a tree of " + proof.getTreeSize() + ": " + ParsedBundle.oneLine(e.getMessage()));
            }
            String envelope = proof.getCheckpoint().getEnvelope();
            if (envelope.isEmpty()) {
                // early version 0.1 bundles predate checkpoints; their signed entry timestamp is the log's signature
                if (bundle.mediaType().equals(ParsedBundle.V01) && set != null) {
                    return log;
                }
                throw new Rejected(Failure.CHECKPOINT, "the inclusion proof has no checkpoint");
            }
            checkCheckpoint(envelope, proof.getTreeSize(), proof.getRootHash().toByteArray(), log, logKey);
            return log;
        }

        /** The checkpoint must be for the proof's tree and carry a valid signature under the log's name and key hint. */
        private static void checkCheckpoint(String envelope, long treeSize, byte[] rootHash, TransparencyLog log, PublicKey logKey) throws Rejected {
            RekorEntry.Checkpoint checkpoint;
            try {
                checkpoint = Checkpoints.from(envelope);
            } catch (RekorParseException | RuntimeException e) {
                throw new Rejected(Failure.CHECKPOINT, "the checkpoint cannot be read: " + ParsedBundle.oneLine(e.getMessage()));
            }
            if (checkpoint.getSignatures().size() > MAX_CHECKPOINT_SIGNATURES) {
                throw new Rejected(Failure.CHECKPOINT, "the checkpoint has " + checkpoint.getSignatures().size() + " signatures, more than "
                        + MAX_CHECKPOINT_SIGNATURES);
            }
            byte[] checkpointHash;
            try {
                checkpointHash = Base64.getDecoder().decode(checkpoint.getBase64Hash());
            } catch (IllegalArgumentException e) {
                throw new Rejected(Failure.CHECKPOINT, "the checkpoint's root hash is not base64");
            }
            if (!MessageDigest.isEqual(checkpointHash, rootHash)) {
                throw new Rejected(Failure.CHECKPOINT, "the checkpoint's root hash is not the inclusion proof's");
            }
            if (checkpoint.getSize() != treeSize) {
                throw new Rejected(Failure.CHECKPOINT, "the checkpoint is for a tree of " + checkpoint.getSize() + " entries, the inclusion proof for "
                        + treeSize);
            }
            // the log signs under the name its checkpoints give as origin (Rekor v1 appends " - <tree id>"); the
            // trusted root's URL need not be that name (a scaffolding Rekor signs as its pod's host name)
            String origin = checkpoint.getOrigin();
            String name = origin.contains(" - ") ? origin.substring(0, origin.indexOf(" - ")) : origin;
            byte[] keyHint = Arrays.copyOf(log.getLogId().getKeyId(), 4);
            boolean named = false;
            for (RekorEntry.CheckpointSignature sig : checkpoint.getSignatures()) {
                if (sig.getIdentity().equals(name) && MessageDigest.isEqual(sig.getKeyHint(), keyHint)) {
                    named = true;
                    if (verifies(logKey, checkpoint.getSignedData().getBytes(StandardCharsets.UTF_8), sig.getSignature())) {
                        return;
                    }
                }
            }
            throw new Rejected(Failure.CHECKPOINT, named ? "the checkpoint's signature by " + name + " is not valid"
                    : "the checkpoint has no signature by " + name + " with key hint " + HexFormat.of().formatHex(keyHint));
        }

        private static boolean verifies(PublicKey key, byte[] data, byte[] signature) {
            try {
                return Verifiers.newVerifier(key).verify(data, signature);
            } catch (GeneralSecurityException | RuntimeException e) {
                return false;
            }
        }

        // --- when

        /**
         * At least one trusted time is needed: the log's integration time, vouched for by its signed entry
         * timestamp, or an RFC 3161 timestamp over the signature. Every one must fall within the signing
         * certificate's validity and the log key's validity in the trusted root.
         */
        private void checkTimes(ParsedBundle bundle, Signer signer, TransparencyLog log) throws Rejected {
            record Trusted(Instant at, String source) {}
            List<Trusted> times = new ArrayList<>();
            TransparencyLogEntry entry = bundle.entry();
            boolean hasSet = entry.hasInclusionPromise() && !entry.getInclusionPromise().getSignedEntryTimestamp().isEmpty();
            if (hasSet) {
                Instant integrated = Instant.ofEpochSecond(entry.getIntegratedTime());
                if (!log.getPublicKey().getValidFor().contains(integrated)) {
                    throw new Rejected(Failure.TLOG_ENTRY, "the log's key (" + log.getBaseUrl() + ") was not valid at the entry's integration time "
                            + integrated + " (" + validity(log) + ")");
                }
                times.add(new Trusted(integrated, "the log's integration time"));
            }
            for (int i = 0; i < bundle.rfc3161Timestamps().size(); i++) {
                byte[] encoded = bundle.rfc3161Timestamps().get(i);
                TimestampResponse response = () -> encoded;
                Instant at;
                try {
                    root.timestamps().verify(response, bundle.content().signature());
                    at = response.getGenTime().toInstant();
                } catch (TimestampVerificationException | TimestampException | RuntimeException e) {
                    String cause = e.getCause() != null && e.getCause() != e ? " (" + ParsedBundle.oneLine(e.getCause().getMessage()) + ")" : "";
                    throw new Rejected(Failure.TIMESTAMP, "RFC 3161 timestamp " + (i + 1) + " does not verify: " + ParsedBundle.oneLine(e.getMessage())
                            + cause);
                }
                if (!hasSet && !log.getPublicKey().getValidFor().contains(at)) {
                    throw new Rejected(Failure.TLOG_ENTRY, "the log's key (" + log.getBaseUrl() + ") was not valid at the timestamp " + at
                            + " (" + validity(log) + ")");
                }
                times.add(new Trusted(at, "RFC 3161 timestamp " + (i + 1)));
            }
            if (times.isEmpty()) {
                throw new Rejected(Failure.TIMESTAMP,
                        "no trusted signing time: the log entry has no signed entry timestamp and the bundle no RFC 3161 timestamp");
            }
            if (signer.certificate() != null) {
                X509Certificate leaf = signer.certificate();
                for (Trusted t : times) {
                    if (t.at().isBefore(leaf.getNotBefore().toInstant()) || t.at().isAfter(leaf.getNotAfter().toInstant())) {
                        throw new Rejected(Failure.TIMESTAMP, "the signing time " + t.at() + " (" + t.source()
                                + ") is outside the certificate's validity, " + leaf.getNotBefore().toInstant() + " to " + leaf.getNotAfter().toInstant());
                    }
                }
            }
            evidence.signedAt = times.stream().map(Trusted::at).min(Comparator.naturalOrder()).orElseThrow();
        }

        private static String validity(TransparencyLog log) {
            var v = log.getPublicKey().getValidFor();
            return "valid from " + v.getStart() + v.getEnd().map(e -> " to " + e).orElse("");
        }
    }
}
