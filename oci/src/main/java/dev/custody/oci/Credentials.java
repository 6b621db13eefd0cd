package dev.custody.oci;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/** What a client presents to a registry or its token endpoint. {@code toString} never shows a secret. */
public sealed interface Credentials {

    /** No credentials: anonymous pulls, and anonymous tokens where the registry issues them. */
    record Anonymous() implements Credentials {
        @Override
        public String toString() {
            return "Anonymous";
        }
    }

    /** A user name and password (or access token used as password): sent to a token endpoint, or to a Basic registry. */
    record Basic(String username, String password) implements Credentials {
        public Basic {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
        }

        String header() {
            return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Basic[username=" + username + ", password=***]";
        }
    }

    /**
     * An OAuth2 refresh token (docker config's {@code identitytoken}): exchanged at the token endpoint with
     * {@code grant_type=refresh_token} for an access token.
     */
    record IdentityToken(String refreshToken) implements Credentials {
        public IdentityToken {
            Objects.requireNonNull(refreshToken, "refreshToken");
        }

        @Override
        public String toString() {
            return "IdentityToken[***]";
        }
    }

    /** A bearer token to send to the registry as is (docker config's {@code registrytoken}); no token endpoint. */
    record RegistryToken(String token) implements Credentials {
        public RegistryToken {
            Objects.requireNonNull(token, "token");
        }

        @Override
        public String toString() {
            return "RegistryToken[***]";
        }
    }

    static Credentials anonymous() {
        return new Anonymous();
    }

    /** A short one-way digest of the secret, to key caches by credentials without keeping them in the key. */
    default String fingerprint() {
        String secret = switch (this) {
            case Anonymous a -> "";
            case Basic b -> "basic\0" + b.username() + "\0" + b.password();
            case IdentityToken t -> "identity\0" + t.refreshToken();
            case RegistryToken t -> "registry\0" + t.token();
        };
        if (secret.isEmpty()) {
            return "anonymous";
        }
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)), 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
