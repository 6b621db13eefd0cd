package dev.custody.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registry authentication: remembers each registry's challenge (so later requests authenticate up front instead
 * of collecting a 401 first), answers Basic challenges with configured credentials, and for Bearer challenges
 * fetches tokens from the realm (distribution token specification; OAuth2 refresh-token grant for identity
 * tokens) and caches them per registry and scope until {@code expires_in} (60 s when absent) less a margin.
 * Credentials go only to the realm; the registry sees the token.
 */
final class Auth {

    /** A token is not used in its last seconds: a request sent just before expiry must not arrive just after it. */
    static final Duration MARGIN = Duration.ofSeconds(10);
    static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);
    static final int TOKEN_BODY_LIMIT = 1024 * 1024;
    private static final int MAX_CACHED_TOKENS = 4096;

    private record Token(String value, Instant usableUntil) {}

    private final Http http;
    private final Keychain keychain;
    private final Set<String> insecureRegistries;
    private final InstantSource clock;
    private final ConcurrentHashMap<String, Challenge> challenges = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Token> tokens = new ConcurrentHashMap<>();

    Auth(Http http, Keychain keychain, Set<String> insecureRegistries, InstantSource clock) {
        this.http = http;
        this.keychain = keychain;
        this.insecureRegistries = insecureRegistries;
        this.clock = clock;
    }

    /** The Authorization value to send before any 401, from what earlier answers taught; null for none. */
    /** The call's own credentials for the repository when it has some (the current candidate), else the client's. */
    private Credentials credentials(Repository repo, Call call) {
        Keychain own = call.keychain();
        if (own != null) {
            List<Credentials> candidates = own.candidates(repo);
            int i = call.candidate(repo.registry());
            if (i < candidates.size()) {
                return candidates.get(i);
            }
        }
        return keychain.credentials(repo);
    }

    /** After the current credentials were refused: moves the call to its next candidate, if it has one. */
    boolean nextCandidate(Repository repo, Call call) {
        Keychain own = call.keychain();
        return own != null && call.nextCandidate(repo.registry(), own.candidates(repo).size());
    }

    String authorization(Endpoint ep, Repository repo, String scope, Call call, String what) {
        Credentials creds = credentials(repo, call);
        if (creds instanceof Credentials.RegistryToken t) {
            return "Bearer " + t.token();
        }
        Challenge challenge = challenges.get(ep.origin());
        if (challenge == null) {
            return null;
        }
        if (challenge.isBasic()) {
            return creds instanceof Credentials.Basic b ? b.header() : null;
        }
        if (challenge.isBearer()) {
            return "Bearer " + token(ep, repo, scope, challenge, creds, call, what);
        }
        return null;
    }

    /**
     * After a 401: learns the challenge and returns the Authorization value to retry with, or throws
     * {@link UnauthorizedException} when there is nothing better to send than what was sent.
     */
    String afterUnauthorized(Endpoint ep, Repository repo, String scope, Http.Response response, String sent, Call call, String what) {
        Credentials creds = credentials(repo, call);
        ErrorBody error = ErrorBody.parse(response.body());
        Optional<Challenge> found = Challenge.select(response.headers().allValues("www-authenticate"));
        if (found.isEmpty()) {
            throw new UnauthorizedException(ep.registry(), error.code(), what + ": " + ep.registry()
                    + " answered 401 without an authentication challenge" + error.suffix());
        }
        Challenge challenge = found.get();
        challenges.put(ep.origin(), challenge);
        if (challenge.isBearer()) {
            if (creds instanceof Credentials.RegistryToken) {
                throw new UnauthorizedException(ep.registry(), error.code(), what + ": " + ep.registry()
                        + " refused the configured registry token for " + repo + error.suffix());
            }
            tokens.remove(key(ep, scope, creds));
            return "Bearer " + token(ep, repo, scope, challenge, creds, call, what);
        }
        if (challenge.isBasic()) {
            if (creds instanceof Credentials.Basic b && !b.header().equals(sent)) {
                return b.header();
            }
            throw new UnauthorizedException(ep.registry(), error.code(), what + ": " + ep.registry()
                    + (creds instanceof Credentials.Basic ? " refused the configured user name and password for " + repo
                            : " asks for a user name and password, and none are configured for " + repo) + error.suffix());
        }
        throw new UnauthorizedException(ep.registry(), error.code(), what + ": " + ep.registry() + " asks for authentication scheme "
                + Messages.clip(challenge.scheme()) + ", which is not supported" + error.suffix());
    }

    /** Tokens are cached per registry, scope and credentials: a token one namespace's secret bought is not another's. */
    private static String key(Endpoint ep, String scope, Credentials creds) {
        return ep.origin() + " " + scope + " " + creds.fingerprint();
    }

    private String token(Endpoint ep, Repository repo, String scope, Challenge challenge, Credentials creds, Call call, String what) {
        String key = key(ep, scope, creds);
        Token cached = tokens.get(key);
        Instant now = clock.instant();
        if (cached != null && now.isBefore(cached.usableUntil())) {
            return cached.value();
        }
        Token fresh = fetch(ep, repo, scope, challenge, creds, call, what);
        if (tokens.size() >= MAX_CACHED_TOKENS) {
            tokens.values().removeIf(t -> !now.isBefore(t.usableUntil()));
            if (tokens.size() >= MAX_CACHED_TOKENS) {
                tokens.clear();
            }
        }
        tokens.put(key, fresh);
        return fresh.value();
    }

    private Token fetch(Endpoint ep, Repository repo, String scope, Challenge challenge, Credentials creds, Call call, String what) {
        String realmText = challenge.realm();
        if (realmText == null || realmText.isBlank()) {
            throw new UnauthorizedException(ep.registry(), "", what + ": " + ep.registry() + " sent a Bearer challenge without a realm");
        }
        URI realm;
        try {
            realm = new URI(realmText.trim());
        } catch (java.net.URISyntaxException e) {
            throw new InvalidResponseException(ep.registry(), InvalidResponseException.Reason.PROTOCOL,
                    what + ": " + ep.registry() + " names an invalid token realm " + Messages.clip(realmText));
        }
        String scheme = realm.getScheme() == null ? "" : realm.getScheme().toLowerCase(Locale.ROOT);
        if (realm.getHost() == null || !(scheme.equals("https") || scheme.equals("http") && Endpoint.plainHttpAllowed(realm, insecureRegistries))) {
            throw new InvalidResponseException(ep.registry(), InvalidResponseException.Reason.PROTOCOL, what + ": " + ep.registry()
                    + " names token realm " + Messages.clip(realmText) + ", which is not HTTPS; credentials are not sent there");
        }
        Set<String> scopes = new LinkedHashSet<>();
        scopes.add(scope);
        if (challenge.scope() != null && !challenge.scope().isBlank()) {
            scopes.add(challenge.scope().trim());
        }
        String realmHost = realm.getRawAuthority();
        String tokenWhat = what + ": token from " + realmHost;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "application/json");
        Http.Request request;
        if (creds instanceof Credentials.IdentityToken identity) {
            StringBuilder form = new StringBuilder("grant_type=refresh_token&client_id=custody&refresh_token=")
                    .append(enc(identity.refreshToken()))
                    .append("&scope=").append(enc(String.join(" ", scopes)));
            if (challenge.service() != null) {
                form.append("&service=").append(enc(challenge.service()));
            }
            headers.put("Content-Type", "application/x-www-form-urlencoded");
            request = new Http.Request("POST", realm, headers, form.toString().getBytes(StandardCharsets.UTF_8), TOKEN_BODY_LIMIT, true,
                    realmHost, tokenWhat);
        } else {
            StringBuilder query = new StringBuilder();
            if (challenge.service() != null) {
                query.append("service=").append(enc(challenge.service()));
            }
            for (String s : scopes) {
                query.append(query.isEmpty() ? "" : "&").append("scope=").append(enc(s));
            }
            String base = realm.toString();
            URI uri = URI.create(base + (query.isEmpty() ? "" : (base.contains("?") ? "&" : "?") + query));
            if (creds instanceof Credentials.Basic b) {
                headers.put("Authorization", b.header());
            }
            request = new Http.Request("GET", uri, headers, null, TOKEN_BODY_LIMIT, true, realmHost, tokenWhat);
        }
        Http.Response r = http.send(request, call);
        ErrorBody error = ErrorBody.parse(r.body());
        switch (r.status()) {
            case 200 -> {
                return parseToken(r.body(), realmHost, tokenWhat);
            }
            case 403 -> throw new ForbiddenException(realmHost, error.code(), tokenWhat + ": the token endpoint answered 403 for "
                    + repo + " (" + describe(creds) + ")" + error.suffix());
            default -> throw new UnauthorizedException(realmHost, error.code(), tokenWhat + ": the token endpoint answered "
                    + r.status() + " for " + repo + " (" + describe(creds) + ")" + error.suffix());
        }
    }

    private Token parseToken(byte[] body, String realmHost, String what) {
        JsonNode root;
        try {
            root = Json.read(body);
        } catch (JsonProcessingException e) {
            throw new InvalidResponseException(realmHost, InvalidResponseException.Reason.MALFORMED, what + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException | RuntimeException e) {
            throw new InvalidResponseException(realmHost, InvalidResponseException.Reason.MALFORMED, what + ": not valid JSON: " + e.getMessage());
        }
        JsonNode token = root.isObject() ? root.get("token") : null;
        if (token == null || !token.isTextual() || token.textValue().isEmpty()) {
            token = root.isObject() ? root.get("access_token") : null;
        }
        if (token == null || !token.isTextual() || token.textValue().isEmpty()) {
            throw new InvalidResponseException(realmHost, InvalidResponseException.Reason.MALFORMED, what + ": the answer has no token");
        }
        String value = token.textValue();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new InvalidResponseException(realmHost, InvalidResponseException.Reason.MALFORMED,
                        what + ": the token holds characters that cannot be sent in a header");
            }
        }
        Duration lifetime = DEFAULT_LIFETIME;
        JsonNode expires = root.get("expires_in");
        if (expires != null && expires.isIntegralNumber() && expires.canConvertToLong() && expires.asLong() > 0) {
            lifetime = Duration.ofSeconds(Math.min(expires.asLong(), Duration.ofDays(1).toSeconds()));
        }
        Duration margin = MARGIN.compareTo(lifetime.dividedBy(2)) < 0 ? MARGIN : lifetime.dividedBy(2);
        return new Token(value, clock.instant().plus(lifetime.minus(margin)));
    }

    private static String describe(Credentials creds) {
        return switch (creds) {
            case Credentials.Anonymous a -> "anonymous";
            case Credentials.Basic b -> "user " + b.username();
            case Credentials.IdentityToken t -> "identity token";
            case Credentials.RegistryToken t -> "registry token";
        };
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
