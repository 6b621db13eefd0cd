package dev.custody.vulns;

import dev.custody.sbom.PackageUrl;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Package URLs as OSV names packages: the ecosystem (and, for distributions, the release) and the package name in
 * that ecosystem's spelling. Debian and Alpine advisories name source packages, so a binary package's {@code
 * upstream} qualifier (as syft writes it) is used when present.
 */
public final class Ecosystems {

    private Ecosystems() {}

    /**
     * What to look a component up by.
     *
     * @param ecosystem the lookup key: the OSV ecosystem without its release, lower-case
     * @param release   the distribution release it was built for ({@code 12}, {@code v3.18}), or null
     */
    public record Query(String ecosystem, String name, String version, String release) {}

    private static final Map<String, String> BY_TYPE = Map.ofEntries(Map.entry("maven", "maven"), Map.entry("npm", "npm"),
            Map.entry("pypi", "pypi"), Map.entry("golang", "go"), Map.entry("cargo", "crates.io"), Map.entry("gem", "rubygems"),
            Map.entry("nuget", "nuget"), Map.entry("composer", "packagist"), Map.entry("hex", "hex"), Map.entry("pub", "pub"),
            Map.entry("cran", "cran"), Map.entry("hackage", "hackage"));

    private static final Map<String, String> RPM_VENDORS = Map.of("redhat", "red hat", "rhel", "red hat", "rocky", "rocky linux",
            "almalinux", "almalinux", "opensuse", "opensuse", "suse", "suse", "sles", "suse", "mageia", "mageia");

    /** The lookup key of an OSV ecosystem name ({@code Debian:12} is {@code debian}). */
    public static String key(String osvEcosystem) {
        return osvEcosystem.split(":", 2)[0].trim().toLowerCase(Locale.ROOT);
    }

    /** The release part of an OSV ecosystem name, or null ({@code Alpine:v3.18} gives {@code v3.18}). */
    public static String release(String osvEcosystem) {
        int colon = osvEcosystem.indexOf(':');
        return colon < 0 ? null : osvEcosystem.substring(colon + 1).trim();
    }

    /** A package name as the lookup table keeps it: PyPI names are normalized as PEP 503 says, others kept. */
    public static String name(String ecosystemKey, String name) {
        return ecosystemKey.equals("pypi") ? name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-") : name;
    }

    /** The lookup for a component's purl, or empty when OSV has no ecosystem for its type. */
    public static Optional<Query> of(PackageUrl p) {
        String type = p.type().toLowerCase(Locale.ROOT);
        String ns = p.namespace();
        String version = p.version();
        String distro = p.qualifiers().get("distro");
        String upstream = p.qualifiers().get("upstream");
        if (upstream != null && upstream.contains("@")) {
            upstream = upstream.substring(0, upstream.indexOf('@'));
        }
        if (upstream != null && upstream.contains(" ")) {
            upstream = upstream.substring(0, upstream.indexOf(' ')); // "openssl (3.0.11-1)" as some tools write it
        }
        switch (type) {
            case "deb" -> {
                String eco = ns.equalsIgnoreCase("ubuntu") ? "ubuntu" : "debian";
                String release = distro == null ? null : distro.replaceFirst("(?i)^(debian|ubuntu)-", "");
                return Optional.of(new Query(eco, upstream != null ? upstream : p.name(), version, release));
            }
            case "apk", "alpine" -> { // pkg:alpine is how syft spelled apk packages before 0.33
                String release = null;
                if (distro != null) {
                    var m = java.util.regex.Pattern.compile("(\\d+)\\.(\\d+)").matcher(distro);
                    if (m.find()) {
                        release = "v" + m.group(1) + "." + m.group(2);
                    }
                }
                return Optional.of(new Query("alpine", upstream != null ? upstream : p.name(), version, release));
            }
            case "rpm" -> {
                String eco = RPM_VENDORS.get(ns.toLowerCase(Locale.ROOT));
                if (eco == null) {
                    return Optional.empty();
                }
                String v = version;
                String epoch = p.qualifiers().get("epoch");
                if (epoch != null && v != null && !v.contains(":")) {
                    v = epoch + ":" + v;
                }
                return Optional.of(new Query(eco, upstream != null ? upstream : p.name(), v, null));
            }
            default -> {
                String eco = BY_TYPE.get(type);
                if (eco == null) {
                    return Optional.empty();
                }
                String name = switch (eco) {
                    case "maven" -> ns.isEmpty() ? p.name() : ns + ":" + p.name();
                    case "npm", "go", "packagist" -> ns.isEmpty() ? p.name() : ns + "/" + p.name();
                    default -> p.name();
                };
                return Optional.of(new Query(eco, name(eco, name), version, null));
            }
        }
    }
}
