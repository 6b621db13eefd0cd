package dev.custody.oci;

import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * Where a registry is reached: its base URI. Docker Hub's name ({@code docker.io}) is served by
 * {@code registry-1.docker.io}; plain HTTP is used only for loopback hosts and registries the caller lists as
 * insecure, because credentials and tokens would otherwise cross the network in clear.
 */
record Endpoint(String registry, URI base) {

    static final String DOCKER_HUB = "docker.io";
    static final String DOCKER_HUB_HOST = "registry-1.docker.io";

    static Endpoint of(String registry, Set<String> insecureRegistries) {
        String authority = registry.equals(DOCKER_HUB) || registry.equals("index.docker.io") ? DOCKER_HUB_HOST : registry;
        boolean plain = isLoopback(hostOf(authority)) || insecureRegistries.contains(registry)
                || insecureRegistries.contains(authority);
        URI base;
        try {
            base = new URI((plain ? "http" : "https") + "://" + authority);
            if (base.getHost() == null) {
                throw new IllegalArgumentException("registry \"" + registry + "\" has no host");
            }
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("registry \"" + registry + "\" is not a valid host[:port]: " + e.getMessage(), e);
        }
        return new Endpoint(registry, base);
    }

    URI resolve(String path) {
        return base.resolve(path);
    }

    /** scheme://host:port, for deciding whether credentials may follow a redirect or a Location. */
    String origin() {
        return origin(base);
    }

    static String origin(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        if (port < 0) {
            port = scheme.equals("https") ? 443 : 80;
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        return scheme + "://" + host + ":" + port;
    }

    static String hostOf(String authority) {
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            return close < 0 ? authority : authority.substring(0, close + 1);
        }
        int colon = authority.lastIndexOf(':');
        return colon < 0 ? authority : authority.substring(0, colon);
    }

    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.equals("127.0.0.1") || h.equals("[::1]") || h.equals("::1");
    }

    /** Whether plain HTTP to {@code uri} is acceptable: a loopback host or one listed as insecure. */
    static boolean plainHttpAllowed(URI uri, Set<String> insecureRegistries) {
        String host = uri.getHost() == null ? "" : uri.getHost();
        String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
        return isLoopback(host) || insecureRegistries.contains(authority) || insecureRegistries.contains(host);
    }
}
