package dev.custody.verify;

import java.security.PublicKey;
import java.security.cert.X509Certificate;

/** The key that must have made the signature, and the certificate it came from in keyless mode (else null). */
record Signer(PublicKey key, X509Certificate certificate) {}
