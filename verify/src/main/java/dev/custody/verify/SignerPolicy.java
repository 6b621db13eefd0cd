package dev.custody.verify;

import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Who must have signed: a Fulcio certificate identity and issuer (keyless), or the holder of a public key. */
public sealed interface SignerPolicy {

    /** The certificate's subject alternative name must match {@code identity} and its OIDC issuer {@code issuer}. */
    record Keyless(Match identity, Match issuer) implements SignerPolicy {}

    /** The bundle must be signed with this key (a bundle that names a key instead of carrying a certificate). */
    record Key(PublicKey publicKey) implements SignerPolicy {}

    static SignerPolicy keyless(Match identity, Match issuer) {
        return new Keyless(identity, issuer);
    }

    /** Exact identity and issuer, as {@code --certificate-identity} and {@code --certificate-oidc-issuer}. */
    static SignerPolicy keyless(String identity, String issuer) {
        return new Keyless(Match.exactly(identity), Match.exactly(issuer));
    }

    /** A PEM {@code PUBLIC KEY} (SubjectPublicKeyInfo): ECDSA, RSA or Ed25519. */
    static SignerPolicy publicKey(String pem) {
        return new Key(parsePublicKey(pem));
    }

    /** How an expected value is compared with the certificate's. */
    sealed interface Match {

        boolean test(String actual);

        static Match exactly(String value) {
            return new Exactly(value);
        }

        /**
         * A Java regular expression searched for in the value, unanchored, as cosign's
         * {@code --certificate-identity-regexp} does: write {@code ^...$} to match the whole value.
         */
        static Match regexp(String regexp) {
            try {
                return new Regexp(Pattern.compile(regexp));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("invalid regular expression \"" + regexp + "\": " + e.getDescription(), e);
            }
        }
    }

    record Exactly(String value) implements Match {
        public Exactly {
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("the expected value is empty");
            }
        }

        @Override
        public boolean test(String actual) {
            return value.equals(actual);
        }

        @Override
        public String toString() {
            return "\"" + value + "\"";
        }
    }

    record Regexp(Pattern pattern) implements Match {
        @Override
        public boolean test(String actual) {
            return actual != null && pattern.matcher(actual).find();
        }

        @Override
        public String toString() {
            return "regexp /" + pattern.pattern() + "/";
        }
    }

    private static PublicKey parsePublicKey(String pem) {
        String text = pem.strip();
        String begin = "-----BEGIN PUBLIC KEY-----";
        String end = "-----END PUBLIC KEY-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("not a PEM public key (expected a -----BEGIN PUBLIC KEY----- block)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the PEM public key is not valid base64", e);
        }
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (InvalidKeySpecException | NoSuchAlgorithmException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("the PEM public key is not an ECDSA, RSA or Ed25519 key");
    }
}
