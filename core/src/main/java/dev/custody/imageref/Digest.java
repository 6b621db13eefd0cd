package dev.custody.imageref;

/** A content digest such as {@code sha256:<64 hex>}; only registered algorithms are accepted. */
public record Digest(String algorithm, String hex) {

    public static Digest parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new InvalidImageReferenceException(InvalidImageReferenceException.Reason.INVALID_DIGEST,
                    "digest \"" + text + "\" must have the form algorithm:hex");
        }
        String algorithm = text.substring(0, colon);
        String hex = text.substring(colon + 1);
        int expected = switch (algorithm) {
            case "sha256" -> 64;
            case "sha512" -> 128;
            default -> {
                if (!algorithm.matches("[A-Za-z][A-Za-z0-9]*([+._-][A-Za-z][A-Za-z0-9]*)*")) {
                    throw new InvalidImageReferenceException(InvalidImageReferenceException.Reason.INVALID_DIGEST,
                            "digest algorithm \"" + algorithm + "\" is malformed");
                }
                throw new InvalidImageReferenceException(InvalidImageReferenceException.Reason.UNSUPPORTED_DIGEST_ALGORITHM,
                        "digest algorithm \"" + algorithm + "\" is not supported (use sha256 or sha512)");
            }
        };
        if (hex.length() != expected) {
            throw new InvalidImageReferenceException(InvalidImageReferenceException.Reason.INVALID_DIGEST,
                    algorithm + " digest must have " + expected + " hex characters, found " + hex.length());
        }
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                throw new InvalidImageReferenceException(InvalidImageReferenceException.Reason.INVALID_DIGEST,
                        algorithm + " digest must be lowercase hex; found '" + c + "' at position " + i);
            }
        }
        return new Digest(algorithm, hex);
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
