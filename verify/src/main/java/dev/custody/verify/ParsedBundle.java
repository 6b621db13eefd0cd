package dev.custody.verify;

import com.google.gson.JsonElement;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.sigstore.json.ProtoJson;
import dev.sigstore.proto.bundle.v1.Bundle;
import dev.sigstore.proto.bundle.v1.VerificationMaterial;
import dev.sigstore.proto.common.v1.HashAlgorithm;
import dev.sigstore.proto.rekor.v1.TransparencyLogEntry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A bundle read into the parts verification needs. Parsing checks structure only (required fields present,
 * values in range); nothing is trusted yet.
 */
record ParsedBundle(String mediaType, Content content, Material material, TransparencyLogEntry entry, List<byte[]> rfc3161Timestamps) {

    static final String V01 = "application/vnd.dev.sigstore.bundle+json;version=0.1";
    static final List<String> MEDIA_TYPES = List.of(V01, "application/vnd.dev.sigstore.bundle+json;version=0.2",
            "application/vnd.dev.sigstore.bundle+json;version=0.3", "application/vnd.dev.sigstore.bundle.v0.3+json");

    /** What was signed. */
    sealed interface Content {
        /** The signature bytes a timestamp authority countersigned. */
        byte[] signature();
    }

    /** A signature over the artifact's digest; {@code digest} is the bundle's own SHA-256 claim, or null. */
    record MessageSignature(byte[] digest, byte[] signature) implements Content {}

    /** A DSSE envelope with exactly one signature. */
    record Dsse(String payloadType, byte[] payload, byte[] signature) implements Content {

        /** What the signature covers: DSSE's pre-authentication encoding, lengths in bytes. */
        byte[] pae() {
            byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
            byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ").getBytes(StandardCharsets.UTF_8);
            byte[] out = Arrays.copyOf(head, head.length + payload.length);
            System.arraycopy(payload, 0, out, head.length, payload.length);
            return out;
        }
    }

    /** Who signed. */
    sealed interface Material {}

    /** A Fulcio certificate; the bundle's other certificates are ignored (the chain above it comes from the trusted root). */
    record Certificate(X509Certificate leaf) implements Material {}

    /** A key the verifier has to supply; the hint is not authenticated. */
    record KeyHint(String hint) implements Material {}

    static ParsedBundle parse(byte[] json) throws Rejected {
        String problem = Inputs.checkJsonNesting(json);
        if (problem != null) {
            throw malformed("not a bundle: " + problem);
        }
        String text = new String(json, StandardCharsets.UTF_8);
        JsonElement tree;
        try {
            tree = Inputs.parseJson(text);
        } catch (RuntimeException e) {
            throw malformed("not JSON: " + oneLine(e.getMessage()).replaceFirst("^com\\.google\\.gson\\.stream\\.MalformedJsonException: ", ""));
        }
        if (!tree.isJsonObject()) {
            throw malformed("not a bundle: the document is not a JSON object");
        }
        if (JsonShape.unwrapBase64(tree, Bundle.getDescriptor())) {
            text = tree.toString();
        }
        Bundle.Builder builder = Bundle.newBuilder();
        try {
            ProtoJson.parser().merge(text, builder);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            String where = JsonShape.firstProblem(tree, Bundle.getDescriptor());
            throw malformed(where != null ? where : "not a bundle: " + oneLine(e.getMessage()));
        }
        Bundle bundle = builder.build();
        String mediaType = bundle.getMediaType();
        if (mediaType.isEmpty()) {
            throw malformed("mediaType is missing");
        }
        if (!MEDIA_TYPES.contains(mediaType)) {
            throw new Rejected(Failure.UNSUPPORTED, "bundle media type \"" + mediaType + "\" is not supported (bundle versions 0.1 to 0.3 are)");
        }
        if (!bundle.hasVerificationMaterial()) {
            throw malformed("verificationMaterial is missing");
        }
        VerificationMaterial vm = bundle.getVerificationMaterial();
        List<byte[]> timestamps = new ArrayList<>();
        for (var ts : vm.getTimestampVerificationData().getRfc3161TimestampsList()) {
            if (ts.getSignedTimestamp().isEmpty()) {
                throw malformed("verificationMaterial.timestampVerificationData.rfc3161Timestamps[" + timestamps.size()
                        + "].signedTimestamp is empty");
            }
            timestamps.add(ts.getSignedTimestamp().toByteArray());
        }
        return new ParsedBundle(mediaType, content(bundle), material(vm), entry(vm, mediaType), List.copyOf(timestamps));
    }

    private static Content content(Bundle bundle) throws Rejected {
        if (bundle.hasMessageSignature()) {
            var ms = bundle.getMessageSignature();
            if (ms.getSignature().isEmpty()) {
                throw malformed("messageSignature.signature is missing");
            }
            byte[] digest = null;
            if (ms.hasMessageDigest()) {
                if (ms.getMessageDigest().getAlgorithm() != HashAlgorithm.SHA2_256) {
                    throw new Rejected(Failure.UNSUPPORTED, "messageSignature.messageDigest.algorithm " + ms.getMessageDigest().getAlgorithm()
                            + " is not supported (only SHA2_256 is)");
                }
                digest = ms.getMessageDigest().getDigest().toByteArray();
            }
            return new MessageSignature(digest, ms.getSignature().toByteArray());
        }
        if (bundle.hasDsseEnvelope()) {
            var env = bundle.getDsseEnvelope();
            if (env.getPayloadType().isEmpty()) {
                throw malformed("dsseEnvelope.payloadType is missing");
            }
            if (env.getSignaturesCount() != 1) {
                throw new Rejected(Failure.SIGNATURE, "the DSSE envelope must carry exactly one signature, found " + env.getSignaturesCount());
            }
            if (env.getSignatures(0).getSig().isEmpty()) {
                throw malformed("dsseEnvelope.signatures[0].sig is missing");
            }
            return new Dsse(env.getPayloadType(), env.getPayload().toByteArray(), env.getSignatures(0).getSig().toByteArray());
        }
        throw malformed("the bundle has neither messageSignature nor dsseEnvelope");
    }

    private static Material material(VerificationMaterial vm) throws Rejected {
        List<ByteString> ders;
        String field;
        if (vm.hasCertificate()) {
            ders = List.of(vm.getCertificate().getRawBytes());
            field = "verificationMaterial.certificate";
        } else if (vm.hasX509CertificateChain()) {
            ders = vm.getX509CertificateChain().getCertificatesList().stream().map(c -> c.getRawBytes()).toList();
            field = "verificationMaterial.x509CertificateChain.certificates";
            if (ders.isEmpty()) {
                throw malformed(field + " is empty");
            }
        } else if (vm.hasPublicKey()) {
            return new KeyHint(vm.getPublicKey().getHint());
        } else {
            throw malformed("verificationMaterial has no certificate, certificate chain or public key");
        }
        List<X509Certificate> chain = new ArrayList<>();
        CertificateFactory cf;
        try {
            cf = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("every JDK reads X.509", e);
        }
        for (int i = 0; i < ders.size(); i++) {
            String at = ders.size() == 1 && vm.hasCertificate() ? field : field + "[" + i + "]";
            if (ders.get(i).isEmpty()) {
                throw malformed(at + ".rawBytes is empty");
            }
            try {
                chain.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(ders.get(i).toByteArray())));
            } catch (CertificateException | RuntimeException e) {
                throw malformed(at + " is not a DER X.509 certificate: " + oneLine(e.getMessage()));
            }
        }
        return new Certificate(chain.get(0));
    }

    private static TransparencyLogEntry entry(VerificationMaterial vm, String mediaType) throws Rejected {
        if (vm.getTlogEntriesCount() != 1) {
            throw malformed("verificationMaterial.tlogEntries must hold exactly one entry, found " + vm.getTlogEntriesCount());
        }
        TransparencyLogEntry e = vm.getTlogEntries(0);
        String at = "verificationMaterial.tlogEntries[0]";
        if (e.getLogIndex() < 0) {
            throw malformed(at + ".logIndex is negative (" + e.getLogIndex() + ")");
        }
        if (e.getLogId().getKeyId().isEmpty()) {
            throw malformed(at + ".logId.keyId is missing");
        }
        if (e.getCanonicalizedBody().isEmpty()) {
            throw malformed(at + ".canonicalizedBody is missing");
        }
        if (!e.hasKindVersion() || e.getKindVersion().getKind().isEmpty() || e.getKindVersion().getVersion().isEmpty()) {
            throw malformed(at + ".kindVersion is missing");
        }
        if (e.getIntegratedTime() < 0) {
            throw malformed(at + ".integratedTime is negative");
        }
        boolean hasPromise = e.hasInclusionPromise() && !e.getInclusionPromise().getSignedEntryTimestamp().isEmpty();
        if (mediaType.equals(V01) && !hasPromise) {
            throw malformed(at + ".inclusionPromise is missing (required in a version 0.1 bundle)");
        }
        if (hasPromise && e.getIntegratedTime() == 0) {
            throw malformed(at + ".integratedTime is missing although the entry has a signed entry timestamp");
        }
        if (!e.hasInclusionProof()) {
            if (mediaType.equals(V01)) {
                return e;
            }
            throw malformed(at + ".inclusionProof is missing (required from bundle version 0.2 on)");
        }
        var proof = e.getInclusionProof();
        if (proof.getLogIndex() < 0) {
            throw malformed(at + ".inclusionProof.logIndex is negative (" + proof.getLogIndex() + ")");
        }
        if (proof.getTreeSize() <= proof.getLogIndex()) {
            throw malformed(at + ".inclusionProof.treeSize (" + proof.getTreeSize() + ") must be larger than its logIndex ("
                    + proof.getLogIndex() + ")");
        }
        if (proof.getRootHash().size() != 32) {
            throw malformed(at + ".inclusionProof.rootHash must be 32 bytes, found " + proof.getRootHash().size());
        }
        if (proof.getHashesCount() > 64) {
            throw malformed(at + ".inclusionProof.hashes has " + proof.getHashesCount() + " hashes; a proof in a log of 2^64 entries has at most 64");
        }
        for (int i = 0; i < proof.getHashesCount(); i++) {
            if (proof.getHashes(i).size() != 32) {
                throw malformed(at + ".inclusionProof.hashes[" + i + "] must be 32 bytes, found " + proof.getHashes(i).size());
            }
        }
        return e;
    }

    static Rejected malformed(String message) {
        return new Rejected(Failure.MALFORMED_BUNDLE, message);
    }

    static String oneLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        String line = message.lines().findFirst().orElse("").strip();
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
