package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/**
 * Signatures whose certificate comes from the user's own CA standing in for Fulcio (cosign sign --certificate
 * --certificate-chain, no transparency log). Certificates are minted here with BouncyCastle; the real cosign CLI
 * signs with such a chain in the interop fixtures.
 */
class CosignCustomCaTest {

    static final String DIGEST = "sha256:" + "ab".repeat(32);
    static final byte[] PAYLOAD = ("{\"critical\":{\"identity\":{\"docker-reference\":\"registry.example/app\"},\"image\":"
            + "{\"docker-manifest-digest\":\"" + DIGEST + "\"},\"type\":\"cosign container image signature\"},\"optional\":null}")
            .getBytes(StandardCharsets.UTF_8);

    record Issued(KeyPair keys, X509Certificate cert) {}

    static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static Issued issue(String cn, Issued issuer, boolean ca, String email, String oidcIssuer, Instant from, Instant to) throws Exception {
        KeyPair keys = ec();
        X500Name subject = new X500Name("CN=" + cn);
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer == null ? subject : new X500Name(issuer.cert().getSubjectX500Principal().getName()),
                BigInteger.valueOf(System.nanoTime()), Date.from(from), Date.from(to), subject, keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
        if (email != null) {
            b.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(new GeneralName(GeneralName.rfc822Name, email)));
        }
        if (oidcIssuer != null) { // Fulcio's v1 issuer extension: the raw URL bytes
            b.addExtension(new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.4.1.57264.1.1"), false,
                    new DEROctetString(oidcIssuer.getBytes(StandardCharsets.UTF_8)).getOctets());
        }
        KeyPair signer = issuer == null ? keys : issuer.keys();
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA")
                .build(signer.getPrivate())));
        return new Issued(keys, cert);
    }

    static String pem(X509Certificate... certs) throws Exception {
        java.io.StringWriter w = new java.io.StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            for (X509Certificate c : certs) {
                p.writeObject(c);
            }
        }
        return w.toString();
    }

    static CosignVerifier.Signature sign(Issued leaf, Issued intermediate, byte[] payload) throws Exception {
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(leaf.keys().getPrivate());
        s.update(payload);
        return new CosignVerifier.Signature(payload, Base64.getEncoder().encodeToString(s.sign()), pem(leaf.cert()), pem(intermediate.cert()),
                null, "test");
    }

    @Test
    void theChainTheIdentityTheIssuerTheValidityAndTheSignatureAreAllChecked() throws Exception {
        Instant now = Instant.now();
        Issued root = issue("custody test root", null, true, null, null, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
        Issued intermediate = issue("custody test intermediate", root, true, null, null, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
        Issued leaf = issue("signer", intermediate, false, "release@example.com", "https://issuer.example", now.minus(Duration.ofMinutes(5)),
                now.plus(Duration.ofMinutes(10)));
        CosignVerifier.Authority release = new CosignVerifier.Authority("release",
                SignerPolicy.keyless("release@example.com", "https://issuer.example"), List.of(root.cert()));
        CosignVerifier v = new CosignVerifier();
        TrustRoot unused = TrustRoot.publicGood();

        CosignVerifier.Outcome ok = v.verify(DIGEST, List.of(sign(leaf, intermediate, PAYLOAD)), List.of(release), 1, List.of(), unused);
        assertThat(ok.verified()).as(ok.checks().toString()).isTrue();

        Issued expired = issue("old", intermediate, false, "release@example.com", "https://issuer.example", now.minus(Duration.ofDays(1)),
                now.minus(Duration.ofHours(1)));
        assertThat(v.verify(DIGEST, List.of(sign(expired, intermediate, PAYLOAD)), List.of(release), 1, List.of(), unused).checks())
                .singleElement().satisfies(c -> {
                    assertThat(c.failure()).isEqualTo("certificate-chain");
                    assertThat(c.reason()).contains("expired");
                });

        Issued mallory = issue("mallory", intermediate, false, "mallory@example.com", "https://issuer.example", now.minus(Duration.ofMinutes(5)),
                now.plus(Duration.ofMinutes(10)));
        assertThat(v.verify(DIGEST, List.of(sign(mallory, intermediate, PAYLOAD)), List.of(release), 1, List.of(), unused).checks())
                .singleElement().satisfies(c -> assertThat(c.failure()).isEqualTo("identity"));

        Issued otherRoot = issue("other root", null, true, null, null, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
        Issued otherIntermediate = issue("other intermediate", otherRoot, true, null, null, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
        Issued stranger = issue("stranger", otherIntermediate, false, "release@example.com", "https://issuer.example",
                now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofMinutes(10)));
        assertThat(v.verify(DIGEST, List.of(sign(stranger, otherIntermediate, PAYLOAD)), List.of(release), 1, List.of(), unused).checks())
                .singleElement().satisfies(c -> assertThat(c.failure()).isEqualTo("certificate-chain"));

        CosignVerifier.Signature good = sign(leaf, intermediate, PAYLOAD);
        CosignVerifier.Signature forged = new CosignVerifier.Signature(good.payload(), sign(mallory, intermediate, PAYLOAD).signatureBase64(),
                good.certificatePem(), good.chainPem(), null, "signature by another key under the release certificate");
        assertThat(v.verify(DIGEST, List.of(forged), List.of(release), 1, List.of(), unused).checks())
                .singleElement().satisfies(c -> assertThat(c.failure()).isEqualTo("signature"));

        assertThat(v.verify("sha256:" + "cd".repeat(32), List.of(good), List.of(release), 1, List.of(), unused).checks())
                .singleElement().satisfies(c -> assertThat(c.failure()).isEqualTo("digest-mismatch"));
    }
}
