package dev.custody.verify;

import java.time.Instant;

/** The outcome of verifying one bundle: verified with what was proven, or not verified with the failing check. */
public sealed interface Result {

    /** What the bundle showed about the signature; fields not reached before a failure are null. */
    Details details();

    default boolean verified() {
        return this instanceof Verified;
    }

    /** Every check passed. */
    record Verified(Details details) implements Result {}

    /** A check failed; {@code reason} is a sentence for people that says which one and on what value. */
    record NotVerified(Failure failure, String reason, Details details) implements Result {}

    /**
     * @param mediaType     the bundle's media type
     * @param content       {@code message-signature} or {@code dsse}
     * @param predicateType the in-toto predicate type of a DSSE statement
     * @param artifact      the artifact digest verified, {@code sha256:<hex>}
     * @param signer        the certificate's identity (subject alternative name), or {@code key sha256:<hex>}
     *                      of the public key's DER encoding in key mode
     * @param issuer        the certificate's OIDC issuer (null in key mode)
     * @param signedAt      the earliest verified signing time (log integration or RFC 3161 timestamp)
     * @param tlogIndex     the entry's index in its transparency log
     * @param tlogKind      the entry's kind and version, e.g. {@code hashedrekord:0.0.1}
     */
    record Details(String mediaType, String content, String predicateType, String artifact, String signer, String issuer,
                   Instant signedAt, Long tlogIndex, String tlogKind) {}
}
