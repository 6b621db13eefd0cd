package dev.custody.verify;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;

/**
 * X.509 certificates in PEM as cosign's certificate annotation carries them, then the Fulcio identity and issuer
 * read from their extensions. The input is tried both as PEM text and as DER wrapped in PEM.
 */
class CertificateFuzzTest {

    // a parser that spends 10 s on one input hangs: libFuzzer stops there and keeps the input (see scripts/fuzz.sh)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "30s")
    void certificate(byte[] input) {
        read(new String(input, StandardCharsets.ISO_8859_1));
        read("-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder().encodeToString(input) + "\n-----END CERTIFICATE-----\n");
    }

    private static void read(String pem) {
        try {
            for (X509Certificate c : CosignVerifier.certificates(pem)) {
                FulcioCertificate.identities(c);
                FulcioCertificate.issuer(c);
            }
        } catch (Rejected expected) {
            // not a certificate Custody can read: a verification failure with a reason
        }
    }
}
