package dev.custody.vuln.version;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The version order of each OSV ecosystem. An ecosystem with a release suffix ({@code Debian:12}, {@code Alpine:v3.18})
 * orders as its base ecosystem. Ecosystems without an order here are not matched by range (only by listed versions).
 */
public final class VersionOrders {

    private static final Map<String, VersionOrder> BY_ECOSYSTEM = Map.ofEntries(
            Map.entry("maven", new MavenOrder()),
            Map.entry("npm", new SemverOrder()),
            Map.entry("go", new SemverOrder()),
            Map.entry("crates.io", new SemverOrder()),
            Map.entry("hex", new SemverOrder()),
            Map.entry("debian", new DebianOrder()),
            Map.entry("ubuntu", new DebianOrder()),
            Map.entry("packagist", new PackagistOrder()),
            Map.entry("pub", new PubOrder()),
            Map.entry("cran", new CranOrder()),
            Map.entry("hackage", new HackageOrder()),
            Map.entry("pypi", new Pep440Order()),
            Map.entry("rubygems", new RubyGemsOrder()),
            Map.entry("nuget", new NugetOrder()),
            Map.entry("alpine", new AlpineOrder()),
            Map.entry("red hat", new RpmOrder()),
            Map.entry("rocky linux", new RpmOrder()),
            Map.entry("almalinux", new RpmOrder()),
            Map.entry("opensuse", new RpmOrder()),
            Map.entry("suse", new RpmOrder()),
            Map.entry("mageia", new RpmOrder()));

    private VersionOrders() {}

    /** The order of an OSV ecosystem name (case-insensitive, release suffix ignored). */
    public static Optional<VersionOrder> forEcosystem(String ecosystem) {
        if (ecosystem == null) {
            return Optional.empty();
        }
        String base = ecosystem.split(":", 2)[0].trim().toLowerCase(Locale.ROOT);
        return Optional.ofNullable(BY_ECOSYSTEM.get(base));
    }
}
