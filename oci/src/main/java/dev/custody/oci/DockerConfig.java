package dev.custody.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Registry credentials from a docker {@code config.json}, or from the content of a Kubernetes imagePullSecret
 * ({@code .dockerconfigjson}, same format; {@code .dockercfg}, its older form with the entries at top level).
 *
 * <p>Entries give {@code auth} (base64 {@code user:password}), or {@code username} and {@code password}, or
 * {@code identitytoken} (a refresh token for the token endpoint), or {@code registrytoken}. Keys are matched as
 * the kubelet matches them: scheme and {@code /v1/} or {@code /v2/} suffixes ignored, Docker Hub's aliases folded
 * into {@code docker.io}, {@code *} matching one host label, and a path after the host limiting the entry to
 * repositories under it; the most specific match wins. Credential helpers ({@code credsStore}, {@code credHelpers})
 * are not run: a registry configured only through one gets no credentials from here.
 */
public final class DockerConfig implements Keychain {

    static final int MAX_BYTES = 4 * 1024 * 1024;

    private record Entry(String key, String host, String path, boolean wildcard, Credentials credentials) {}

    private final String source;
    private final List<Entry> entries;

    private DockerConfig(String source, List<Entry> entries) {
        this.source = source;
        this.entries = List.copyOf(entries);
    }

    /** Reads a config.json file. */
    public static DockerConfig load(Path file) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw new InvalidDockerConfigException("cannot read docker config " + file + ": " + e.getMessage(), e);
        }
        return parse(bytes, file.toString());
    }

    /** The user's config: {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}, when it exists. */
    public static Optional<DockerConfig> loadDefault() {
        String dir = System.getenv("DOCKER_CONFIG");
        Path file = dir != null && !dir.isBlank() ? Path.of(dir, "config.json")
                : Path.of(System.getProperty("user.home"), ".docker", "config.json");
        return Files.isRegularFile(file) ? Optional.of(load(file)) : Optional.empty();
    }

    /** Parses config.json content ({@code {"auths": {...}}}); {@code source} names it in errors. */
    public static DockerConfig parse(byte[] json, String source) {
        JsonNode root = read(json, source);
        JsonNode auths = root.get("auths");
        if (auths == null || auths.isNull()) {
            return new DockerConfig(source, List.of());
        }
        return new DockerConfig(source, entries(auths, source, "auths"));
    }

    /** The {@code .dockerconfigjson} bytes of a {@code kubernetes.io/dockerconfigjson} secret, decoded from base64 by the caller. */
    public static DockerConfig fromPullSecret(byte[] dockerConfigJson) {
        return parse(dockerConfigJson, "imagePullSecret .dockerconfigjson");
    }

    /** The {@code .dockercfg} bytes of a {@code kubernetes.io/dockercfg} secret: the entries without the {@code auths} wrapper. */
    public static DockerConfig fromLegacyPullSecret(byte[] dockercfg) {
        String source = "imagePullSecret .dockercfg";
        return new DockerConfig(source, entries(read(dockercfg, source), source, ""));
    }

    @Override
    public Credentials credentials(Repository repository) {
        String registry = normalizeHost(repository.registry());
        Entry best = null;
        for (Entry e : entries) {
            if (!hostMatches(e, registry) || !pathMatches(e.path(), repository.name())) {
                continue;
            }
            if (best == null || e.path().length() > best.path().length()
                    || (e.path().length() == best.path().length() && best.wildcard() && !e.wildcard())) {
                best = e;
            }
        }
        return best == null ? new Credentials.Anonymous() : best.credentials();
    }

    /** The entry keys with credentials, as written, for diagnostics. */
    public List<String> keys() {
        return entries.stream().map(Entry::key).toList();
    }

    @Override
    public String toString() {
        return "DockerConfig[" + source + ", " + keys() + "]";
    }

    private static JsonNode read(byte[] json, String source) {
        if (json.length > MAX_BYTES) {
            throw new InvalidDockerConfigException("docker config " + source + " is larger than " + MAX_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = Json.read(json);
        } catch (JsonProcessingException e) {
            throw new InvalidDockerConfigException("docker config " + source + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException | RuntimeException e) {
            throw new InvalidDockerConfigException("docker config " + source + " is not valid JSON: " + e.getMessage());
        }
        if (!root.isObject()) {
            throw new InvalidDockerConfigException("docker config " + source + " is not a JSON object");
        }
        return root;
    }

    private static List<Entry> entries(JsonNode auths, String source, String prefix) {
        if (!auths.isObject()) {
            throw new InvalidDockerConfigException("docker config " + source + ": " + prefix + " is not an object");
        }
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : auths.properties()) {
            String key = field.getKey();
            String where = "docker config " + source + ": entry \"" + Messages.clip(key) + "\"";
            JsonNode value = field.getValue();
            if (!value.isObject()) {
                throw new InvalidDockerConfigException(where + " is not an object");
            }
            Credentials credentials = credentials(value, where);
            if (credentials == null) {
                continue; // an empty entry: its secret lives in a credential store
            }
            String k = key.trim();
            int scheme = k.indexOf("://");
            if (scheme >= 0) {
                k = k.substring(scheme + 3);
            }
            int slash = k.indexOf('/');
            String host = normalizeHost(slash < 0 ? k : k.substring(0, slash));
            String path = slash < 0 ? "" : trimSlashes(k.substring(slash + 1));
            if (path.equals("v1") || path.equals("v2")) {
                path = "";
            }
            if (host.isEmpty()) {
                throw new InvalidDockerConfigException(where + " names no registry host");
            }
            out.add(new Entry(key, host, path, host.contains("*"), credentials));
        }
        return out;
    }

    private static Credentials credentials(JsonNode value, String where) {
        String identityToken = text(value, "identitytoken", where);
        if (!identityToken.isEmpty()) {
            return new Credentials.IdentityToken(headerSafe(identityToken, where + ": identitytoken"));
        }
        String registryToken = text(value, "registrytoken", where);
        if (!registryToken.isEmpty()) {
            return new Credentials.RegistryToken(headerSafe(registryToken, where + ": registrytoken"));
        }
        String auth = text(value, "auth", where);
        if (!auth.isEmpty()) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new InvalidDockerConfigException(where + ": auth is not base64");
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw new InvalidDockerConfigException(where + ": auth does not decode to user:password");
            }
            return new Credentials.Basic(decoded.substring(0, colon), decoded.substring(colon + 1));
        }
        String username = text(value, "username", where);
        String password = text(value, "password", where);
        if (!username.isEmpty() || !password.isEmpty()) {
            return new Credentials.Basic(username, password);
        }
        return null;
    }

    private static String text(JsonNode value, String field, String where) {
        JsonNode n = value.get(field);
        if (n == null || n.isNull()) {
            return "";
        }
        if (!n.isTextual()) {
            throw new InvalidDockerConfigException(where + ": " + field + " is not a string");
        }
        return n.textValue();
    }

    /** Tokens travel in headers and forms: printable ASCII only, so a stray newline cannot split a header. */
    private static String headerSafe(String token, String where) {
        String t = token.trim();
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new InvalidDockerConfigException(where + " contains a character that cannot be sent in a header");
            }
        }
        return t;
    }

    private static String trimSlashes(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == '/') {
            start++;
        }
        while (end > start && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(start, end);
    }

    static String normalizeHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return switch (h) {
            case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" -> Endpoint.DOCKER_HUB;
            default -> h;
        };
    }

    private static boolean hostMatches(Entry e, String registry) {
        if (!e.wildcard()) {
            return e.host().equals(registry);
        }
        String[] keyHostPort = splitPort(e.host());
        String[] hostPort = splitPort(registry);
        if (!keyHostPort[1].equals(hostPort[1])) {
            return false;
        }
        String[] keyLabels = keyHostPort[0].split("\\.", -1);
        String[] labels = hostPort[0].split("\\.", -1);
        if (keyLabels.length != labels.length) {
            return false;
        }
        for (int i = 0; i < labels.length; i++) {
            if (!keyLabels[i].equals("*") && !keyLabels[i].equals(labels[i])) {
                return false;
            }
        }
        return true;
    }

    private static String[] splitPort(String authority) {
        String host = Endpoint.hostOf(authority);
        return new String[] {host, authority.substring(host.length())};
    }

    private static boolean pathMatches(String prefix, String name) {
        return prefix.isEmpty() || name.equals(prefix) || name.startsWith(prefix + "/");
    }
}
