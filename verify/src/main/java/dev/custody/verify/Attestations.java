package dev.custody.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.verify.intoto.InvalidStatementException;
import dev.custody.verify.intoto.Statement;
import dev.sigstore.encryption.signers.Verifiers;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies cosign attestations as cosign stores them beside an image (the {@code sha256-<hex>.att} manifest: one
 * DSSE envelope per layer): the envelope's signature over its pre-authentication encoding, by a key authority or
 * a certificate from an authority's own CA, then the in-toto statement, whose subject must name the image digest.
 * Statements are returned only from envelopes whose signature verified: an attestation that fails is never read
 * for facts.
 */
public final class Attestations {

    /**
     * One attestation: the DSSE envelope, the certificate material of certificate-signed ones, and for one found as
     * a Sigstore bundle (cosign's new bundle format, an OCI referrer) the whole bundle, whose transparency-log entry
     * lets Fulcio-signed statements be verified.
     */
    public record Attestation(byte[] envelope, String certificatePem, String chainPem, String origin, byte[] bundle) {

        public Attestation(byte[] envelope, String certificatePem, String chainPem, String origin) {
            this(envelope, certificatePem, chainPem, origin, null);
        }

        /** An attestation that could not be fetched or read: it verifies for no authority, and its origin says why. */
        public static Attestation unreadable(String why) {
            return new Attestation(new byte[0], null, null, why);
        }
    }

    /**
     * An attestation layer as cosign stores it under the {@code .att} tag: the DSSE envelope, and for a
     * certificate-signed one the certificate and chain annotations; with the Rekor bundle annotation (a
     * Fulcio-signed attestation) the layer is also turned into a Sigstore bundle, so Fulcio authorities can verify
     * it through its certificate and log entry. Material that cannot be turned into a bundle leaves the bundle out
     * (Fulcio authorities then refuse it, naming why); nothing is trusted here.
     */
    public static Attestation fromCosignLayer(byte[] envelope, String certificatePem, String chainPem, String rekorBundleJson, String origin) {
        byte[] bundle = null;
        if (certificatePem != null && rekorBundleJson != null && envelope.length <= MAX_ENVELOPE_BYTES) {
            try {
                com.fasterxml.jackson.databind.node.ObjectNode b = CosignVerifier.rekorBundle(certificatePem, chainPem, rekorBundleJson);
                JsonNode dsse = JSON.readTree(envelope);
                if (dsse != null && dsse.isObject()) {
                    b.set("dsseEnvelope", dsse);
                    bundle = b.toString().getBytes(StandardCharsets.UTF_8);
                }
            } catch (Rejected | java.io.IOException | RuntimeException e) {
                bundle = null;
            }
        }
        return new Attestation(envelope, certificatePem, chainPem, origin, bundle);
    }

    /** The predicate type of cosign's image signatures in the Sigstore bundle format (a DSSE statement about the image). */
    public static final String COSIGN_SIGN_V1 = Statement.COSIGN_SIGN_V1;

    /**
     * A Sigstore bundle (v0.1-v0.3) holding a DSSE envelope, as an attestation: the envelope, and the signing
     * certificate and chain from its verification material. Nothing is trusted here; {@link #verify} checks it.
     * A bundle that is not JSON or holds no DSSE envelope becomes an unreadable attestation naming why.
     */
    public static Attestation fromBundle(byte[] bundleJson, String origin) {
        if (bundleJson.length > MAX_ENVELOPE_BYTES) {
            return Attestation.unreadable(origin + ": the bundle is larger than " + MAX_ENVELOPE_BYTES + " bytes");
        }
        JsonNode n;
        try {
            n = JSON.readTree(bundleJson);
        } catch (java.io.IOException e) {
            return Attestation.unreadable(origin + ": the bundle is not JSON");
        }
        if (n == null || !n.path("dsseEnvelope").isObject()) {
            return Attestation.unreadable(origin + ": the bundle holds no DSSE envelope");
        }
        JsonNode material = n.path("verificationMaterial");
        List<String> pems = new ArrayList<>();
        if (material.path("certificate").path("rawBytes").isTextual()) {
            pems.add(pem(material.path("certificate").path("rawBytes").asText()));
        }
        for (JsonNode c : material.path("x509CertificateChain").path("certificates")) {
            if (c.path("rawBytes").isTextual()) {
                pems.add(pem(c.path("rawBytes").asText()));
            }
        }
        byte[] envelope;
        try {
            envelope = JSON.writeValueAsBytes(n.path("dsseEnvelope"));
        } catch (java.io.IOException e) {
            return Attestation.unreadable(origin + ": the bundle's DSSE envelope cannot be read");
        }
        String leaf = pems.isEmpty() ? null : pems.get(0);
        String chain = pems.size() < 2 ? null : String.join("", pems.subList(1, pems.size()));
        return new Attestation(envelope, leaf, chain, origin, bundleJson.clone());
    }

    private static String pem(String base64Der) {
        return "-----BEGIN CERTIFICATE-----\n" + base64Der.replaceAll("\\s", "") + "\n-----END CERTIFICATE-----\n";
    }

    /** One statement whose envelope verified: the authorities whose signatures verified over it, and where it was found. */
    public record Verified(Statement statement, List<String> signers, String origin) {
        public Verified {
            signers = List.copyOf(signers);
        }
    }

    /** Statements that verified (each with its signers), and why the others failed. */
    public record Outcome(List<Verified> verified, List<String> failures) {

        public Outcome {
            verified = List.copyOf(verified);
            failures = List.copyOf(failures);
        }

        /** The statements that verified. */
        public List<Statement> statements() {
            return verified.stream().map(Verified::statement).toList();
        }

        /** Every authority that signed at least one verified statement. */
        public List<String> authorities() {
            Set<String> all = new LinkedHashSet<>();
            verified.forEach(v -> all.addAll(v.signers()));
            return List.copyOf(all);
        }
    }

    public static final int MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Attestations() {}

    /** Verifies every attestation against every authority; {@code predicateType} filters statements (null: any). */
    public static Outcome verify(String imageDigest, List<Attestation> attestations, List<CosignVerifier.Authority> authorities, String predicateType) {
        return verify(imageDigest, attestations, authorities, predicateType, null);
    }

    /**
     * As {@link #verify(String, List, List, String)}; with {@code root}, Fulcio authorities (keyless, no own CA)
     * also verify attestations found as Sigstore bundles, through their certificate chain and transparency-log entry.
     */
    public static Outcome verify(String imageDigest, List<Attestation> attestations, List<CosignVerifier.Authority> authorities, String predicateType,
                                 TrustRoot root) {
        List<Verified> verified = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Attestation a : attestations) {
            String why = null;
            try {
                Envelope e = Envelope.parse(a.envelope());
                byte[] pae = e.pae();
                List<String> by = new ArrayList<>();
                List<String> refused = new ArrayList<>();
                for (CosignVerifier.Authority auth : authorities) {
                    if (fulcio(auth) && a.bundle() == null && a.certificatePem() != null) {
                        refused.add(auth.name() + ": a Fulcio certificate needs its transparency-log entry, and this attestation carries none");
                        continue;
                    }
                    if (fulcio(auth) && a.bundle() != null && root != null) {
                        Result r = BUNDLES.verify(a.bundle(), Artifact.ofDigest(imageDigest), auth.policy(), root);
                        if (r.verified()) {
                            by.add(auth.name());
                        } else {
                            refused.add(auth.name() + ": " + ((Result.NotVerified) r).reason());
                        }
                        continue;
                    }
                    PublicKey key;
                    try {
                        key = keyOf(auth, a);
                    } catch (Rejected ex) { // this authority's CA does not vouch for the certificate; another may
                        refused.add(auth.name() + ": " + ex.getMessage());
                        continue;
                    }
                    if (key != null && e.signatures().stream().anyMatch(sig -> verifies(key, pae, sig))) {
                        by.add(auth.name());
                    }
                }
                if (by.isEmpty()) {
                    throw new Rejected(Failure.SIGNATURE, "no authority's signature verifies over the DSSE envelope"
                            + (refused.isEmpty() ? "" : " (" + String.join("; ", refused) + ")"));
                }
                if (!e.payloadType().equals(Statement.PAYLOAD_TYPE)) {
                    throw new Rejected(Failure.MALFORMED_BUNDLE, "payloadType is " + e.payloadType() + ", not " + Statement.PAYLOAD_TYPE);
                }
                Statement s;
                try {
                    s = Statement.parse(e.payload(), a.origin());
                } catch (InvalidStatementException ex) {
                    throw new Rejected(Failure.MALFORMED_BUNDLE, ex.getMessage());
                }
                if (!s.matchesSubject(imageDigest)) {
                    throw new Rejected(Failure.DIGEST_MISMATCH, "the statement's subjects do not name " + imageDigest);
                }
                if (predicateType != null && !predicateType.equals(s.predicateType())) {
                    continue; // another kind of attestation: not an answer, not a failure
                }
                verified.add(new Verified(s, by, a.origin()));
            } catch (Rejected ex) {
                why = a.origin() + ": " + ex.failure().code() + " (" + ex.getMessage() + ")";
            }
            if (why != null) {
                failures.add(why);
            }
        }
        return new Outcome(verified, failures);
    }

    private static final BundleVerifier BUNDLES = new BundleVerifier();

    /** An authority whose certificates come from the trusted root's Fulcio (keyless, no CA of its own). */
    private static boolean fulcio(CosignVerifier.Authority auth) {
        return !(auth.policy() instanceof SignerPolicy.Key) && auth.customRoots().isEmpty();
    }

    /** The key that signed for an authority: its own key, or the leaf of a certificate from its CA (checked). */
    private static PublicKey keyOf(CosignVerifier.Authority auth, Attestation a) throws Rejected {
        if (auth.policy() instanceof SignerPolicy.Key k) {
            return k.publicKey();
        }
        if (a.certificatePem() == null || auth.customRoots().isEmpty()) {
            return null; // Fulcio-signed attestations need the Rekor path, not supported for .att layers yet
        }
        return CosignVerifier.certifiedLeaf(a.certificatePem(), a.chainPem(), auth).getPublicKey();
    }

    private static boolean verifies(PublicKey key, byte[] pae, byte[] sig) {
        try {
            return Verifiers.newVerifier(key).verify(pae, sig);
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** A DSSE envelope. */
    record Envelope(String payloadType, byte[] payload, List<byte[]> signatures) {

        static Envelope parse(byte[] json) throws Rejected {
            if (json.length > MAX_ENVELOPE_BYTES) {
                throw new Rejected(Failure.MALFORMED_BUNDLE, "the DSSE envelope is larger than " + MAX_ENVELOPE_BYTES + " bytes");
            }
            JsonNode n;
            try {
                n = JSON.readTree(json);
            } catch (java.io.IOException e) {
                throw new Rejected(Failure.MALFORMED_BUNDLE, "the DSSE envelope is not JSON");
            }
            if (n == null || !n.path("payloadType").isTextual() || !n.path("payload").isTextual() || !n.path("signatures").isArray()) {
                throw new Rejected(Failure.MALFORMED_BUNDLE, "the DSSE envelope needs payloadType, payload and signatures");
            }
            List<byte[]> sigs = new ArrayList<>();
            try {
                for (JsonNode s : n.path("signatures")) {
                    sigs.add(Base64.getDecoder().decode(s.path("sig").asText("")));
                }
                return new Envelope(n.path("payloadType").asText(), Base64.getDecoder().decode(n.path("payload").asText()), sigs);
            } catch (IllegalArgumentException e) {
                throw new Rejected(Failure.MALFORMED_BUNDLE, "the DSSE envelope's payload or a signature is not base64");
            }
        }

        /** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. */
        byte[] pae() {
            byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + type.length + 32);
            out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(type);
            out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(payload);
            return out.toByteArray();
        }
    }
}
