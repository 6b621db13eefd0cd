package dev.custody.verify;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.custody.verify.ParsedBundle.Content;
import dev.custody.verify.ParsedBundle.Dsse;
import dev.custody.verify.ParsedBundle.MessageSignature;
import dev.sigstore.proto.rekor.v1.TransparencyLogEntry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Checks that a transparency log entry records this signature: the same artifact (or DSSE payload), the same
 * signature bytes and the same signer. sigstore-java 2.0.0 compares hashedrekord 0.0.1 bodies as canonical
 * strings and cannot read intoto entries or hashedrekord 0.0.2 entries over DSSE; this compares the decoded
 * values of every kind the public-good logs write.
 */
final class LogEntryBody {

    private final JsonObject body;
    private final String kind;

    private LogEntryBody(JsonObject body, String kind) {
        this.body = body;
        this.kind = kind;
    }

    /** Returns the entry's {@code kind:version} once it is shown to record {@code content} by {@code signer}. */
    static String check(TransparencyLogEntry entry, Content content, Signer signer, Artifact artifact) throws Rejected {
        byte[] raw = entry.getCanonicalizedBody().toByteArray();
        String nesting = Inputs.checkJsonNesting(raw);
        if (nesting != null) {
            throw invalid("its body is not JSON: " + nesting);
        }
        JsonObject body;
        try {
            JsonElement parsed = Inputs.parseJson(new String(raw, StandardCharsets.UTF_8));
            if (!parsed.isJsonObject()) {
                throw invalid("its body is not a JSON object");
            }
            body = parsed.getAsJsonObject();
        } catch (RuntimeException e) {
            throw invalid("its body is not JSON: " + ParsedBundle.oneLine(e.getMessage()));
        }
        String kind = text(body, "kind") + ":" + text(body, "apiVersion");
        String declared = entry.getKindVersion().getKind() + ":" + entry.getKindVersion().getVersion();
        if (!kind.equals(declared)) {
            throw invalid("its body is a " + kind + " entry but the bundle says " + declared);
        }
        new LogEntryBody(body, kind).check(content, signer, artifact.sha256() == null ? null : HexFormat.of().parseHex(artifact.sha256()));
        return kind;
    }

    private void check(Content content, Signer signer, byte[] artifactSha256) throws Rejected {
        switch (kind) {
            case "hashedrekord:0.0.1" -> {
                if (!(content instanceof MessageSignature ms)) {
                    throw invalid("a hashedrekord 0.0.1 entry cannot record a DSSE envelope");
                }
                requireEqual(text(body, "spec", "data", "hash", "algorithm"), "sha256", "spec.data.hash.algorithm");
                requireDigest(hex(text(body, "spec", "data", "hash", "value"), "spec.data.hash.value"), artifactSha256, "the artifact's digest");
                requireSignature(base64(text(body, "spec", "signature", "content"), "spec.signature.content"), ms.signature());
                requirePemSigner(base64(text(body, "spec", "signature", "publicKey", "content"), "spec.signature.publicKey.content"), signer);
            }
            case "hashedrekord:0.0.2" -> {
                requireEqual(text(body, "spec", "hashedRekordV002", "data", "algorithm"), "SHA2_256", "spec.hashedRekordV002.data.algorithm");
                byte[] logged = base64(text(body, "spec", "hashedRekordV002", "data", "digest"), "spec.hashedRekordV002.data.digest");
                if (content instanceof Dsse dsse) {
                    // Rekor v2 logs a DSSE envelope as a hashedrekord over its pre-authentication encoding
                    requireDigest(logged, sha256(dsse.pae()), "the digest of the DSSE envelope's pre-authentication encoding");
                } else {
                    requireDigest(logged, artifactSha256, "the artifact's digest");
                }
                JsonObject sig = object(body, "spec", "hashedRekordV002", "signature");
                requireSignature(base64(text(sig, "content"), "spec.hashedRekordV002.signature.content"), content.signature());
                requireV2Signer(object(sig, "verifier"), signer, "spec.hashedRekordV002.signature.verifier");
            }
            case "dsse:0.0.1" -> {
                Dsse dsse = dsseContent(content);
                requireEqual(text(body, "spec", "payloadHash", "algorithm"), "sha256", "spec.payloadHash.algorithm");
                requireDigest(hex(text(body, "spec", "payloadHash", "value"), "spec.payloadHash.value"), sha256(dsse.payload()),
                        "the DSSE payload's digest");
                JsonObject only = onlySignature(array(body, "spec", "signatures"), "spec.signatures");
                requireSignature(base64(text(only, "signature"), "spec.signatures[0].signature"), dsse.signature());
                requirePemSigner(base64(text(only, "verifier"), "spec.signatures[0].verifier"), signer);
            }
            case "intoto:0.0.2" -> {
                Dsse dsse = dsseContent(content);
                JsonObject c = object(body, "spec", "content");
                requireEqual(text(c, "payloadHash", "algorithm"), "sha256", "spec.content.payloadHash.algorithm");
                requireDigest(hex(text(c, "payloadHash", "value"), "spec.content.payloadHash.value"), sha256(dsse.payload()),
                        "the DSSE payload's digest");
                requireEqual(text(c, "envelope", "payloadType"), dsse.payloadType(), "spec.content.envelope.payloadType");
                // intoto 0.0.2 stores the envelope's base64 fields base64-encoded once more
                String payload = text(c, "envelope", "payload");
                if (payload != null && !Arrays.equals(base64(new String(base64(payload, "spec.content.envelope.payload"),
                        StandardCharsets.US_ASCII), "spec.content.envelope.payload"), dsse.payload())) {
                    throw invalid("spec.content.envelope.payload is not the bundle's DSSE payload");
                }
                JsonObject only = onlySignature(array(c, "envelope", "signatures"), "spec.content.envelope.signatures");
                byte[] once = base64(text(only, "sig"), "spec.content.envelope.signatures[0].sig");
                requireSignature(base64OrEmpty(new String(once, StandardCharsets.ISO_8859_1)), dsse.signature());
                requirePemSigner(base64(text(only, "publicKey"), "spec.content.envelope.signatures[0].publicKey"), signer);
            }
            // dsse 0.0.2 was an early Rekor v2 format, dropped from its specification: Rekor v2 logs a DSSE envelope
            // as a hashedrekord 0.0.2 over the envelope's pre-authentication encoding
            default -> throw new Rejected(Failure.UNSUPPORTED, "transparency log entries of kind " + kind
                    + " are not supported (hashedrekord 0.0.1 and 0.0.2, dsse 0.0.1 and intoto 0.0.2 are)");
        }
    }

    private Dsse dsseContent(Content content) throws Rejected {
        if (content instanceof Dsse dsse) {
            return dsse;
        }
        throw invalid("a " + kind + " entry records a DSSE envelope, but the bundle holds a message signature");
    }

    private void requireDigest(byte[] logged, byte[] expected, String what) throws Rejected {
        if (expected == null) {
            throw invalid("it records a SHA-256 digest, and the artifact's SHA-256 digest was not given");
        }
        if (!MessageDigest.isEqual(logged, expected)) {
            throw invalid("it records digest " + HexFormat.of().formatHex(logged) + ", not " + what + " " + HexFormat.of().formatHex(expected));
        }
    }

    private static void requireSignature(byte[] logged, byte[] signature) throws Rejected {
        if (!MessageDigest.isEqual(logged, signature)) {
            throw invalid("it records a different signature than the bundle's");
        }
    }

    private static void requireEqual(String actual, String expected, String field) throws Rejected {
        if (!expected.equals(actual)) {
            throw invalid(field + " is " + (actual == null ? "missing" : "\"" + actual + "\"") + ", expected \"" + expected + "\"");
        }
    }

    /** A PEM certificate or public key, as the v0.0.1 kinds store the signer. */
    private static void requirePemSigner(byte[] pemBytes, Signer signer) throws Rejected {
        String pem = new String(pemBytes, StandardCharsets.US_ASCII).strip();
        if (pem.startsWith("-----BEGIN CERTIFICATE-----")) {
            requireCertificate(pemBody(pem, "CERTIFICATE"), signer);
        } else if (pem.startsWith("-----BEGIN PUBLIC KEY-----")) {
            requireKey(pemBody(pem, "PUBLIC KEY"), signer);
        } else {
            throw invalid("its signer is neither a PEM certificate nor a PEM public key");
        }
    }

    private static void requireV2Signer(JsonObject verifier, Signer signer, String field) throws Rejected {
        String cert = text(verifier, "x509Certificate", "rawBytes");
        String key = text(verifier, "publicKey", "rawBytes");
        if (cert != null) {
            requireCertificate(base64(cert, field + ".x509Certificate.rawBytes"), signer);
        } else if (key != null) {
            requireKey(base64(key, field + ".publicKey.rawBytes"), signer);
        } else {
            throw invalid(field + " has neither a certificate nor a public key");
        }
    }

    private static void requireCertificate(byte[] der, Signer signer) throws Rejected {
        if (signer.certificate() == null) {
            throw invalid("it was made with a certificate, but the bundle is verified with a key");
        }
        X509Certificate logged;
        try {
            logged = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | RuntimeException e) {
            throw invalid("its certificate cannot be read: " + ParsedBundle.oneLine(e.getMessage()));
        }
        try {
            if (!MessageDigest.isEqual(logged.getEncoded(), signer.certificate().getEncoded())) {
                throw invalid("it was made with a different certificate than the bundle's");
            }
        } catch (CertificateEncodingException e) {
            throw invalid("its certificate cannot be encoded: " + e.getMessage());
        }
    }

    private static void requireKey(byte[] der, Signer signer) throws Rejected {
        if (signer.certificate() != null) {
            throw invalid("it was made with a public key, but the bundle carries a certificate");
        }
        if (!MessageDigest.isEqual(der, signer.key().getEncoded())) {
            throw invalid("it was made with a different public key than the one given");
        }
    }

    private static byte[] pemBody(String pem, String label) throws Rejected {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int to = pem.indexOf(end);
        if (to < 0) {
            throw invalid("its PEM " + label.toLowerCase(Locale.ROOT) + " has no END line");
        }
        try {
            return Base64.getMimeDecoder().decode(pem.substring(begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw invalid("its PEM " + label.toLowerCase(Locale.ROOT) + " is not base64");
        }
    }

    private static JsonObject onlySignature(JsonArray signatures, String field) throws Rejected {
        if (signatures == null || signatures.size() != 1 || !signatures.get(0).isJsonObject()) {
            throw invalid(field + " must hold exactly one signature");
        }
        return signatures.get(0).getAsJsonObject();
    }

    private static JsonElement at(JsonObject root, String... path) {
        JsonElement e = root;
        for (String name : path) {
            if (e == null || !e.isJsonObject()) {
                return null;
            }
            e = e.getAsJsonObject().get(name);
        }
        return e;
    }

    private static String text(JsonObject root, String... path) {
        JsonElement e = at(root, path);
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : null;
    }

    private static JsonObject object(JsonObject root, String... path) throws Rejected {
        JsonElement e = at(root, path);
        if (e == null || !e.isJsonObject()) {
            throw invalid(String.join(".", path) + " is missing");
        }
        return e.getAsJsonObject();
    }

    private static JsonArray array(JsonObject root, String... path) {
        JsonElement e = at(root, path);
        return e != null && e.isJsonArray() ? e.getAsJsonArray() : null;
    }

    private static byte[] base64(String value, String field) throws Rejected {
        if (value == null) {
            throw invalid(field + " is missing");
        }
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw invalid(field + " is not base64");
        }
    }

    private static byte[] base64OrEmpty(String value) {
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static byte[] hex(String value, String field) throws Rejected {
        if (value == null) {
            throw invalid(field + " is missing");
        }
        try {
            return HexFormat.of().parseHex(value);
        } catch (IllegalArgumentException e) {
            throw invalid(field + " is not hex");
        }
    }

    static byte[] sha256(byte[] data) {
        return Artifact.newSha256().digest(data);
    }

    private static Rejected invalid(String why) {
        return new Rejected(Failure.TLOG_ENTRY, "the transparency log entry does not match the bundle: " + why);
    }
}
