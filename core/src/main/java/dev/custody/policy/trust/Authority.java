package dev.custody.policy.trust;

/**
 * Who may sign: a public key, or a certificate identity and OIDC issuer (Fulcio keyless, or a team's own CA when
 * {@code rootsPem} is given). Validated when the policy loads; the verifier turns it into key material.
 *
 * @param name            unique within its trust rule; {@code required} and threshold reports name it
 * @param keyPem          a PEM public key, or null for an identity authority
 * @param identity        the certificate identity (SAN): exact, or a regular expression when {@code identityRegexp}
 * @param identityRegexp  whether {@code identity} is a regular expression
 * @param issuer          the OIDC issuer: exact, or a regular expression when {@code issuerRegexp}
 * @param issuerRegexp    whether {@code issuer} is a regular expression
 * @param rootsPem        PEM CA certificates the signing certificate must chain to instead of the Sigstore trusted
 *                        root's Fulcio; null for Fulcio
 */
public record Authority(String name, String keyPem, String identity, boolean identityRegexp, String issuer, boolean issuerRegexp,
                        String rootsPem) {

    public boolean isKey() {
        return keyPem != null;
    }
}
