package dev.custody.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * Signing keys as cosign users hold them: the encrypted {@code cosign generate-key-pair} file ({@code ENCRYPTED
 * SIGSTORE PRIVATE KEY}: scrypt, then NaCl secretbox over a PKCS#8 key, the password from {@code COSIGN_PASSWORD}),
 * or a plain PKCS#8 PEM ({@code PRIVATE KEY}); public keys as PEM ({@code PUBLIC KEY}). ECDSA P-256 with SHA-256, as
 * cosign signs blobs, so {@code cosign verify-blob --key} checks what Custody signs.
 */
public final class SigningKeys {

    /** A key file that cannot be used, with the file and the reason. */
    public static final class KeyException extends Exception {
        public KeyException(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    static final long MAX_KEY_BYTES = 64 * 1024;

    private SigningKeys() {}

    /** Reads a private key; {@code password} is used for an encrypted cosign key (null: none). */
    public static PrivateKey privateKey(Path file, char[] password) throws KeyException {
        String pem = read(file);
        try {
            if (pem.contains("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----") || pem.contains("-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----")) {
                if (password == null) {
                    throw new KeyException(file + ": an encrypted cosign key; set COSIGN_PASSWORD");
                }
                return pkcs8(decrypt(file, body(pem, file), password), file);
            }
            if (pem.contains("-----BEGIN PRIVATE KEY-----")) {
                return pkcs8(body(pem, file), file);
            }
        } catch (IllegalArgumentException e) {
            throw new KeyException(file + ": " + e.getMessage());
        }
        throw new KeyException(file + ": not a private key (expected an encrypted cosign key or a PKCS#8 PEM)");
    }

    /** Reads a PEM public key. */
    public static PublicKey publicKey(Path file) throws KeyException {
        String pem = read(file);
        if (!pem.contains("-----BEGIN PUBLIC KEY-----")) {
            throw new KeyException(file + ": not a PEM public key");
        }
        try {
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(body(pem, file)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new KeyException(file + ": not an EC public key: " + e.getMessage());
        }
    }

    /** The public half of an EC private key (the JDK's keys keep only the scalar). */
    public static PublicKey publicOf(PrivateKey key) throws KeyException {
        if (!(key instanceof ECPrivateKey ec)) {
            throw new KeyException("only ECDSA keys are supported");
        }
        try {
            org.bouncycastle.jce.spec.ECNamedCurveParameterSpec curve = org.bouncycastle.jce.ECNamedCurveTable.getParameterSpec("P-256");
            if (ec.getParams().getCurve().getField().getFieldSize() != 256) {
                throw new KeyException("only P-256 keys are supported");
            }
            org.bouncycastle.math.ec.ECPoint q = curve.getG().multiply(ec.getS()).normalize();
            ECPoint w = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, ec.getParams()));
        } catch (GeneralSecurityException e) {
            throw new KeyException("cannot derive the public key: " + e.getMessage());
        }
    }

    public static String pem(PublicKey key) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n";
    }

    /** ECDSA-SHA256 over the bytes, ASN.1 DER, as cosign sign-blob writes it (base64 in the .sig file). */
    public static byte[] sign(PrivateKey key, byte[] data) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(key);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing failed: " + e.getMessage(), e);
        }
    }

    public static boolean verify(PublicKey key, byte[] data, byte[] signature) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a malformed signature is a signature that does not verify
        }
    }

    /** The key hint of a Sigstore bundle: base64 SHA-256 of the public key's DER. */
    public static String hint(PublicKey key) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String read(Path file) throws KeyException {
        try {
            if (Files.size(file) > MAX_KEY_BYTES) {
                throw new KeyException(file + ": larger than a key file (" + MAX_KEY_BYTES + " bytes)");
            }
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new KeyException(file + ": cannot read: " + e.getMessage());
        }
    }

    private static byte[] body(String pem, Path file) {
        int begin = pem.indexOf("-----BEGIN ");
        int start = pem.indexOf('\n', begin);
        int end = pem.indexOf("-----END ", start);
        if (begin < 0 || start < 0 || end < 0) {
            throw new IllegalArgumentException("a PEM block without its END line");
        }
        return Base64.getMimeDecoder().decode(pem.substring(start + 1, end));
    }

    private static PrivateKey pkcs8(byte[] der, Path file) throws KeyException {
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new KeyException(file + ": not a PKCS#8 EC private key: " + e.getMessage());
        }
    }

    /** Opens cosign's envelope: {"kdf": {scrypt N r p, salt}, "cipher": {nacl/secretbox, nonce}, "ciphertext"}. */
    private static byte[] decrypt(Path file, byte[] envelope, char[] password) throws KeyException {
        JsonNode e;
        try {
            e = JSON.readTree(envelope);
        } catch (IOException ex) {
            throw new KeyException(file + ": the encrypted key is not cosign's JSON envelope");
        }
        JsonNode kdf = e.path("kdf");
        JsonNode params = kdf.path("params");
        if (!kdf.path("name").asText().equals("scrypt") || !e.path("cipher").path("name").asText().equals("nacl/secretbox")) {
            throw new KeyException(file + ": unsupported key encryption " + kdf.path("name").asText() + "/" + e.path("cipher").path("name").asText());
        }
        int n = params.path("N").asInt();
        int r = params.path("r").asInt();
        int p = params.path("p").asInt();
        if (n < 2 || n > (1 << 20) || Integer.bitCount(n) != 1 || r < 1 || r > 32 || p < 1 || p > 16) {
            throw new KeyException(file + ": scrypt parameters out of bounds (N " + n + ", r " + r + ", p " + p + ")");
        }
        byte[] salt = Base64.getDecoder().decode(kdf.path("salt").asText());
        byte[] nonce = Base64.getDecoder().decode(e.path("cipher").path("nonce").asText());
        byte[] box = Base64.getDecoder().decode(e.path("ciphertext").asText());
        if (nonce.length != 24 || box.length < 16) {
            throw new KeyException(file + ": a secretbox needs a 24-byte nonce and a 16-byte tag");
        }
        byte[] pass = new String(password).getBytes(StandardCharsets.UTF_8);
        byte[] key = SCrypt.generate(pass, salt, n, r, p, 32);
        XSalsa20Engine cipher = new XSalsa20Engine();
        cipher.init(false, new ParametersWithIV(new KeyParameter(key), nonce));
        byte[] polyKey = new byte[32];
        cipher.processBytes(new byte[32], 0, 32, polyKey, 0); // the first 32 bytes of the stream key the authenticator
        Poly1305 mac = new Poly1305();
        mac.init(new KeyParameter(polyKey));
        mac.update(box, 16, box.length - 16);
        byte[] tag = new byte[16];
        mac.doFinal(tag, 0);
        if (!MessageDigest.isEqual(tag, Arrays.copyOf(box, 16))) {
            throw new KeyException(file + ": wrong password (COSIGN_PASSWORD) or a damaged key");
        }
        byte[] plain = new byte[box.length - 16];
        cipher.processBytes(box, 16, plain.length, plain, 0);
        return plain;
    }
}
