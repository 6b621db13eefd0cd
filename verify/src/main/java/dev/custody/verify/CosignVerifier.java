package dev.custody.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sigstore.encryption.signers.Verifiers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies cosign image signatures as cosign stores them beside an image (the {@code sha256-<hex>.sig} manifest:
 * one layer per signature, the simple-signing payload as the blob, the signature, certificate, chain and Rekor
 * bundle as annotations), against a set of named authorities with a threshold and required names.
 *
 * <p>Key authorities verify the signature over the payload with the key (the transparency log is not consulted,
 * as with {@code cosign verify --key --insecure-ignore-tlog}). Keyless authorities need the Fulcio certificate
 * and the Rekor bundle: the signature is turned into the Sigstore bundle (v0.1) it is equivalent to and verified
 * by {@link BundleVerifier} (certificate chain to the trusted root, identity and issuer, the log's signed entry
 * timestamp, signing time inside the certificate's validity). Either way the payload must name the image digest.
 */
public final class CosignVerifier {

    /**
     * One signature: a layer of a {@code .sig} manifest (a simple-signing payload and its annotations), or, with
     * {@code bundle}, a Sigstore bundle found as an OCI referrer (cosign's new bundle format: a DSSE statement of
     * predicate type {@link Attestations#COSIGN_SIGN_V1} whose subject is the image).
     */
    public record Signature(byte[] payload, String signatureBase64, String certificatePem, String chainPem, String rekorBundleJson,
                            String origin, byte[] bundle) {

        public Signature(byte[] payload, String signatureBase64, String certificatePem, String chainPem, String rekorBundleJson, String origin) {
            this(payload, signatureBase64, certificatePem, chainPem, rekorBundleJson, origin, null);
        }

        /** A signature in the Sigstore bundle format. */
        public static Signature bundle(byte[] bundleJson, String origin) {
            return new Signature(new byte[0], null, null, null, null, origin, bundleJson.clone());
        }

        /**
         * A signature whose payload could not be fetched or read: it verifies for no authority, and its origin says
         * why, so the verdict is "invalid" with the reason, never "unsigned" and never an outage.
         */
        public static Signature unreadable(String why) {
            return new Signature("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), "", null, null, null, why);
        }
    }

    /**
     * A named signer: a key, or a certificate identity and issuer. With {@code customRoots}, certificates chain to
     * those roots instead of the trusted root's Fulcio (a bring-your-own certificate authority); such signatures
     * carry no transparency-log entry, so the certificate must be valid now.
     */
    public record Authority(String name, SignerPolicy policy, List<X509Certificate> customRoots) {
        public Authority {
            customRoots = List.copyOf(customRoots);
        }

        public Authority(String name, SignerPolicy policy) {
            this(name, policy, List.of());
        }
    }

    /** What one signature showed against one authority. */
    public record Check(String origin, String authority, boolean verified, String failure, String reason) {}

    /**
     * The verdict: verified when at least {@code threshold} authorities verified a signature and every required one
     * did.
     */
    public record Outcome(boolean verified, List<String> authorities, List<Check> checks, String reason) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BundleVerifier bundles = new BundleVerifier();

    public Outcome verify(String imageDigest, List<Signature> signatures, List<Authority> authorities, int threshold, List<String> required,
                          TrustRoot root) {
        if (signatures.isEmpty()) {
            return new Outcome(false, List.of(), List.of(), "no signatures found for " + imageDigest);
        }
        List<Check> checks = new ArrayList<>();
        Set<String> verified = new LinkedHashSet<>();
        for (Signature s : signatures) {
            for (Authority a : authorities) {
                Check c = check(imageDigest, s, a, root);
                checks.add(c);
                if (c.verified()) {
                    verified.add(a.name());
                }
            }
        }
        List<String> missing = required.stream().filter(r -> !verified.contains(r)).toList();
        if (!missing.isEmpty()) {
            return new Outcome(false, List.copyOf(verified), checks, "missing required signatures from " + missing);
        }
        if (verified.size() < threshold) {
            return new Outcome(false, List.copyOf(verified), checks, "validation threshold not reached: " + verified.size() + " of "
                    + threshold + " authorities verified" + (verified.isEmpty() ? "" : " (" + String.join(", ", verified) + ")"));
        }
        return new Outcome(true, List.copyOf(verified), checks, "verified by " + String.join(", ", verified));
    }

    Check check(String imageDigest, Signature s, Authority a, TrustRoot root) {
        if (s.bundle() != null) {
            return bundleCheck(imageDigest, s, a, root);
        }
        try {
            SimpleSigning payload = SimpleSigning.parse(s.payload());
            if (!payload.manifestDigest().equals(imageDigest)) {
                throw new Rejected(Failure.DIGEST_MISMATCH, "the signed payload names " + payload.manifestDigest() + ", not " + imageDigest);
            }
            byte[] signature;
            try {
                signature = Base64.getMimeDecoder().decode(s.signatureBase64() == null ? "" : s.signatureBase64());
            } catch (IllegalArgumentException e) {
                throw new Rejected(Failure.MALFORMED_BUNDLE, "the signature annotation is not base64");
            }
            if (signature.length == 0) {
                throw new Rejected(Failure.MALFORMED_BUNDLE, "the signature annotation is empty");
            }
            if (a.policy() instanceof SignerPolicy.Key key) {
                boolean ok;
                try {
                    ok = Verifiers.newVerifier(key.publicKey()).verify(s.payload(), signature);
                } catch (java.security.GeneralSecurityException | RuntimeException e) {
                    ok = false;
                }
                if (!ok) {
                    throw new Rejected(Failure.SIGNATURE, "the signature does not verify with " + a.name() + "'s key");
                }
                return new Check(s.origin(), a.name(), true, null, "signature by " + a.name() + "'s key");
            }
            if (s.certificatePem() == null) {
                throw new Rejected(Failure.SIGNER_MATERIAL, "keyless authority " + a.name() + " needs a certificate; this signature has none");
            }
            if (!a.customRoots().isEmpty()) {
                return customCa(s, a, signature);
            }
            if (s.rekorBundleJson() == null) {
                throw new Rejected(Failure.TLOG_ENTRY, "keyless authority " + a.name() + " needs the Rekor bundle; this signature has none");
            }
            byte[] bundle = toBundle(s, signature);
            Result r = bundles.verify(bundle, Artifact.ofDigest("sha256:" + sha256Hex(s.payload())), a.policy(), root);
            if (r instanceof Result.NotVerified n) {
                throw new Rejected(n.failure(), n.reason());
            }
            Result.Details d = ((Result.Verified) r).details();
            return new Check(s.origin(), a.name(), true, null, "signed by " + d.signer() + " (" + d.issuer() + ")");
        } catch (Rejected e) {
            return new Check(s.origin(), a.name(), false, e.failure().code(), e.getMessage());
        }
    }

    /**
     * A signature bundle: its DSSE envelope verified as an attestation (key, own CA, or Fulcio with its log entry),
     * and its statement a cosign signature naming the image, not some other attestation about it.
     */
    private static Check bundleCheck(String imageDigest, Signature s, Authority a, TrustRoot root) {
        Attestations.Outcome o = Attestations.verify(imageDigest, List.of(Attestations.fromBundle(s.bundle(), s.origin())), List.of(a), null,
                a.policy() instanceof SignerPolicy.Key || !a.customRoots().isEmpty() ? null : root);
        if (!o.failures().isEmpty() || o.verified().isEmpty()) {
            String why = o.failures().isEmpty() ? "the bundle verified no statement" : o.failures().get(0);
            return new Check(s.origin(), a.name(), false, Failure.SIGNATURE.code(), why); // the reason names the failed check
        }
        String type = o.verified().get(0).statement().predicateType();
        if (!Attestations.COSIGN_SIGN_V1.equals(type)) {
            return new Check(s.origin(), a.name(), false, Failure.UNSUPPORTED.code(), "the bundle is an attestation (" + type
                    + "), not a cosign signature");
        }
        return new Check(s.origin(), a.name(), true, null, "signature bundle verified by " + a.name());
    }

    /** A certificate from the authority's own CA: chain to its roots now, identity and issuer, signature by the leaf. */
    private static Check customCa(Signature s, Authority a, byte[] signature) throws Rejected {
        X509Certificate leaf = certifiedLeaf(s.certificatePem(), s.chainPem(), a);
        java.security.PublicKey key = leaf.getPublicKey();
        boolean ok;
        try {
            ok = Verifiers.newVerifier(key).verify(s.payload(), signature);
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
            ok = false;
        }
        if (!ok) {
            throw new Rejected(Failure.SIGNATURE, "the signature does not verify with the certificate's key");
        }
        return new Check(s.origin(), a.name(), true, null, "signed by " + FulcioCertificate.identities(leaf).get(0) + " ("
                + FulcioCertificate.issuer(leaf) + "), certificate from " + a.name() + "'s CA");
    }

    /**
     * The leaf certificate, once its chain to the authority's roots (valid now), its identity and its issuer are
     * checked; throws naming what failed.
     */
    static X509Certificate certifiedLeaf(String certificatePem, String chainPem, Authority a) throws Rejected {
        List<X509Certificate> chain = certificates(certificatePem + (chainPem == null ? "" : "\n" + chainPem));
        X509Certificate leaf = chain.get(0);
        try {
            java.security.cert.CertPathValidator validator = java.security.cert.CertPathValidator.getInstance("PKIX");
            java.util.Set<java.security.cert.TrustAnchor> anchors = new java.util.HashSet<>();
            for (X509Certificate root : a.customRoots()) {
                anchors.add(new java.security.cert.TrustAnchor(root, null));
            }
            java.security.cert.PKIXParameters params = new java.security.cert.PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            List<X509Certificate> path = chain.stream().filter(c -> !a.customRoots().contains(c)).toList();
            validator.validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
        } catch (java.security.cert.CertPathValidatorException e) {
            String why = e.getReason() == java.security.cert.CertPathValidatorException.BasicReason.EXPIRED ? "a certificate has expired"
                    : e.getReason() == java.security.cert.CertPathValidatorException.BasicReason.NOT_YET_VALID ? "a certificate is not yet valid"
                    : e.getMessage();
            throw new Rejected(Failure.CERTIFICATE_CHAIN, "the signing certificate does not chain to " + a.name() + "'s roots: " + why);
        } catch (java.security.GeneralSecurityException e) {
            throw new Rejected(Failure.CERTIFICATE_CHAIN, "the certificate chain cannot be checked: " + e.getMessage());
        }
        SignerPolicy.Keyless want = (SignerPolicy.Keyless) a.policy();
        List<String> identities = FulcioCertificate.identities(leaf);
        if (identities.stream().noneMatch(want.identity()::test)) {
            throw new Rejected(Failure.IDENTITY, "the certificate's identities " + identities + " do not match " + want.identity());
        }
        String issuer = FulcioCertificate.issuer(leaf);
        if (issuer == null || !want.issuer().test(issuer)) {
            throw new Rejected(Failure.ISSUER, "the certificate's issuer " + issuer + " does not match " + want.issuer());
        }
        return leaf;
    }

    /** The Sigstore bundle v0.1 a cosign signature with a certificate and a Rekor bundle amounts to. */
    /**
     * A Sigstore bundle v0.1 without its content, from what cosign stores beside a Fulcio-signed signature or
     * attestation layer: the certificate (and chain) annotations and the Rekor bundle annotation (the entry's body,
     * integrated time, log index, log id and signed entry timestamp). The caller adds the message signature or
     * the DSSE envelope.
     */
    static ObjectNode rekorBundle(String certificatePem, String chainPem, String rekorBundleJson) throws Rejected {
        List<X509Certificate> chain = certificates(certificatePem + (chainPem == null ? "" : "\n" + chainPem));
        JsonNode rekor;
        try {
            rekor = JSON.readTree(rekorBundleJson);
        } catch (java.io.IOException e) {
            throw new Rejected(Failure.MALFORMED_BUNDLE, "the Rekor bundle annotation is not JSON");
        }
        JsonNode payload = rekor.path("Payload");
        String body = payload.path("body").asText("");
        String set = rekor.path("SignedEntryTimestamp").asText("");
        String logIdHex = payload.path("logID").asText("");
        if (body.isEmpty() || set.isEmpty() || !logIdHex.matches("[0-9a-f]{64}") || !payload.path("integratedTime").canConvertToLong()) {
            throw new Rejected(Failure.TLOG_ENTRY, "the Rekor bundle lacks body, signed entry timestamp, log id or integrated time");
        }
        JsonNode entry;
        try {
            entry = JSON.readTree(Base64.getDecoder().decode(body));
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new Rejected(Failure.TLOG_ENTRY, "the Rekor entry body is not base64 JSON");
        }
        ObjectNode b = JSON.createObjectNode();
        b.put("mediaType", "application/vnd.dev.sigstore.bundle+json;version=0.1");
        ObjectNode material = b.putObject("verificationMaterial");
        var certs = material.putObject("x509CertificateChain").putArray("certificates");
        for (X509Certificate c : chain) {
            try {
                certs.addObject().put("rawBytes", Base64.getEncoder().encodeToString(c.getEncoded()));
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new Rejected(Failure.SIGNER_MATERIAL, "a certificate cannot be encoded: " + e.getMessage());
            }
        }
        ObjectNode tlog = material.putArray("tlogEntries").addObject();
        tlog.put("logIndex", payload.path("logIndex").asText("0"));
        tlog.putObject("logId").put("keyId", Base64.getEncoder().encodeToString(HexFormat.of().parseHex(logIdHex)));
        tlog.putObject("kindVersion").put("kind", entry.path("kind").asText("")).put("version", entry.path("apiVersion").asText(""));
        tlog.put("integratedTime", payload.path("integratedTime").asText());
        tlog.putObject("inclusionPromise").put("signedEntryTimestamp", set);
        tlog.put("canonicalizedBody", body);
        return b;
    }

    static byte[] toBundle(Signature s, byte[] signature) throws Rejected {
        ObjectNode b = rekorBundle(s.certificatePem(), s.chainPem(), s.rekorBundleJson());
        ObjectNode message = b.putObject("messageSignature");
        message.putObject("messageDigest").put("algorithm", "SHA2_256")
                .put("digest", Base64.getEncoder().encodeToString(sha256(s.payload())));
        message.put("signature", Base64.getEncoder().encodeToString(signature));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    static List<X509Certificate> certificates(String pem) throws Rejected {
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new Rejected(Failure.SIGNER_MATERIAL, "the certificate annotation holds no certificate");
            }
            return out;
        } catch (CertificateException e) {
            throw new Rejected(Failure.SIGNER_MATERIAL, "the certificate annotation is not PEM X.509: " + e.getMessage());
        }
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256Hex(byte[] b) {
        return HexFormat.of().formatHex(sha256(b));
    }
}
