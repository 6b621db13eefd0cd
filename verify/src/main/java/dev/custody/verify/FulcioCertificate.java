package dev.custody.verify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1TaggedObject;

/** The identity fields Fulcio writes into a signing certificate. */
final class FulcioCertificate {

    /** OIDC issuer (v2), a DER UTF8String. */
    private static final String ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";
    /** OIDC issuer (v1, deprecated), the raw string bytes. */
    private static final String ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";
    /** Fulcio's otherName type for identities such as {@code user!host}. */
    private static final String OTHERNAME_SAN = "1.3.6.1.4.1.57264.1.7";

    private FulcioCertificate() {}

    /** The subject alternative names Fulcio issues: URI, email, and its otherName identity. */
    static List<String> identities(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        Collection<List<?>> sans;
        try {
            sans = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return out;
        }
        if (sans == null) {
            return out;
        }
        for (List<?> san : sans) {
            int type = (Integer) san.get(0);
            Object value = san.get(1);
            if ((type == 1 || type == 6) && value instanceof String s) {
                out.add(s);
            } else if (type == 0 && value instanceof byte[] der) {
                String other = otherName(der);
                if (other != null) {
                    out.add(other);
                }
            }
        }
        return out;
    }

    /** The OIDC issuer, or null when the certificate has neither issuer extension. */
    static String issuer(X509Certificate cert) {
        try {
            byte[] v2 = cert.getExtensionValue(ISSUER_V2);
            if (v2 != null) {
                ASN1Primitive inner = ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(v2).getOctets());
                return inner instanceof ASN1String s ? s.getString() : null;
            }
            byte[] v1 = cert.getExtensionValue(ISSUER_V1);
            if (v1 != null) {
                return new String(ASN1OctetString.getInstance(v1).getOctets(), StandardCharsets.UTF_8);
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    // OtherName ::= SEQUENCE { type-id OBJECT IDENTIFIER, value [0] EXPLICIT ANY }; the JDK hands over the whole
    // GeneralName, tagged [0]
    private static String otherName(byte[] der) {
        try {
            ASN1Primitive p = ASN1Primitive.fromByteArray(der);
            if (p instanceof ASN1TaggedObject tagged) {
                p = tagged.getBaseObject().toASN1Primitive();
            }
            ASN1Sequence seq = ASN1Sequence.getInstance(p);
            if (seq.size() != 2 || !OTHERNAME_SAN.equals(seq.getObjectAt(0).toString())) {
                return null;
            }
            ASN1Encodable value = seq.getObjectAt(1);
            if (value instanceof ASN1TaggedObject t) {
                value = t.getBaseObject();
            }
            return value.toASN1Primitive() instanceof ASN1String s ? s.getString() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
