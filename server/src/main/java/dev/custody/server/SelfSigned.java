package dev.custody.server;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A development CA and a serving certificate signed by it (ECDSA P-256), for {@code custody serve --self-signed}
 * and {@code custody install}: the CA goes into the webhook configuration's caBundle, the pair into the server.
 */
public final class SelfSigned {

    /** Where the files were written. */
    public record Files3(Path caCert, Path cert, Path key) {}

    /** PEM texts of a freshly minted CA and serving pair. */
    public record Pems(String caCert, String cert, String key) {}

    private SelfSigned() {}

    public static Pems mint(List<String> dnsNames, List<String> ipAddresses, Duration validity) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        KeyPair caKeys = gen.generateKeyPair();
        KeyPair serverKeys = gen.generateKeyPair();
        Instant now = Instant.now().minus(Duration.ofMinutes(5));
        Date from = Date.from(now);
        Date to = Date.from(now.plus(validity));
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();

        X500Name caName = new X500Name("CN=custody-webhook-ca");
        X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(), from, to, caName, caKeys.getPublic());
        ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        ca.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(caKeys.getPublic()));
        ContentSigner caSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate());
        X509Certificate caCert = new JcaX509CertificateConverter().getCertificate(ca.build(caSigner));

        String cn = dnsNames.isEmpty() ? "custody" : dnsNames.get(0);
        X509v3CertificateBuilder leaf = new JcaX509v3CertificateBuilder(caCert, serial(), from, to, new X500Name("CN=" + cn),
                serverKeys.getPublic());
        List<GeneralName> sans = new ArrayList<>();
        dnsNames.forEach(d -> sans.add(new GeneralName(GeneralName.dNSName, d)));
        for (String ip : ipAddresses) {
            InetAddress.getByName(ip); // validates the literal
            sans.add(new GeneralName(GeneralName.iPAddress, ip));
        }
        leaf.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])));
        leaf.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        leaf.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        leaf.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        leaf.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
        X509Certificate serverCert = new JcaX509CertificateConverter().getCertificate(leaf.build(caSigner));
        return new Pems(pem(caCert), pem(serverCert), pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(serverKeys.getPrivate(), null)));
    }

    /** Mints and writes ca.crt, tls.crt and tls.key (0600) into {@code dir}. */
    public static Files3 write(Path dir, List<String> dnsNames, List<String> ips) throws Exception {
        Files.createDirectories(dir);
        Pems p = mint(dnsNames, ips, Duration.ofDays(365));
        Path ca = dir.resolve("ca.crt");
        Path crt = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        Files.writeString(ca, p.caCert());
        Files.writeString(crt, p.cert());
        Files.writeString(key, p.key());
        try {
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system; the directory's permissions apply
        }
        return new Files3(ca, crt, key);
    }

    private static BigInteger serial() {
        return new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE);
    }

    static String pem(Object o) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        }
        return sw.toString();
    }
}
