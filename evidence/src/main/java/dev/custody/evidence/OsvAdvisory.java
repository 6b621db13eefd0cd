package dev.custody.evidence;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.sbom.PackageUrl;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What an incident needs from one OSV record: its id and aliases, and the affected package versions it lists (as
 * package URLs). Only the {@code versions} lists are read: ranges without listed versions need each ecosystem's
 * version order, and are counted as unresolved so the incident says what it could not enumerate.
 *
 * @param unresolved affected entries whose ranges list no versions
 */
public record OsvAdvisory(String id, List<String> aliases, List<String> packages, int unresolved) {

    public static final long MAX_BYTES = 8L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(1 << 20).build());
        JSON.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    /** Purl types of OSV ecosystems (the ecosystem name before any ':' release suffix, as in Debian:12). */
    private static final Map<String, String> TYPES = Map.ofEntries(Map.entry("maven", "maven"), Map.entry("npm", "npm"),
            Map.entry("pypi", "pypi"), Map.entry("go", "golang"), Map.entry("crates.io", "cargo"), Map.entry("rubygems", "gem"),
            Map.entry("nuget", "nuget"), Map.entry("packagist", "composer"), Map.entry("hex", "hex"), Map.entry("pub", "pub"),
            Map.entry("debian", "deb"), Map.entry("ubuntu", "deb"), Map.entry("alpine", "apk"));

    /** Reads one OSV JSON record; throws IllegalArgumentException naming the file and what is wrong. */
    public static OsvAdvisory read(Path file) {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException(file + ": an OSV record larger than " + (MAX_BYTES >> 20) + " MiB");
            }
            return of(JSON.readTree(file.toFile()), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not an OSV JSON record: " + e.getMessage(), e);
        }
    }

    static OsvAdvisory of(JsonNode osv, String where) {
        if (!osv.isObject() || !osv.path("id").isTextual()) {
            throw new IllegalArgumentException(where + ": an OSV record is an object with an \"id\"");
        }
        List<String> aliases = new ArrayList<>();
        osv.path("aliases").forEach(a -> aliases.add(a.asText()));
        Set<String> packages = new LinkedHashSet<>();
        int unresolved = 0;
        int n = 0;
        for (JsonNode a : osv.path("affected")) {
            String field = where + ": affected[" + n++ + "]";
            String base = base(a.path("package"), field);
            if (base == null) {
                unresolved++;
                continue;
            }
            JsonNode versions = a.path("versions");
            if (versions.isEmpty()) {
                if (a.path("ranges").size() > 0) {
                    unresolved++;
                }
                continue;
            }
            for (JsonNode v : versions) {
                if (!v.isTextual() || v.asText().isBlank()) {
                    throw new IllegalArgumentException(field + ".versions: a version is a non-empty string");
                }
                packages.add(PackageUrl.parse(base + "@" + URLEncoder.encode(v.asText(), StandardCharsets.UTF_8).replace("+", "%2B")).canonical());
            }
        }
        return new OsvAdvisory(osv.path("id").asText(), List.copyOf(aliases), List.copyOf(packages), unresolved);
    }

    /** The package's purl without a version: the record's own {@code purl}, else built from ecosystem and name. */
    private static String base(JsonNode pkg, String field) {
        String purl = pkg.path("purl").asText(null);
        if (purl != null) {
            PackageUrl p = PackageUrl.parse(purl);
            if (p.version() != null) {
                throw new IllegalArgumentException(field + ".package.purl: has a version; OSV lists versions apart");
            }
            return p.canonical();
        }
        String ecosystem = pkg.path("ecosystem").asText("");
        String name = pkg.path("name").asText("");
        String type = TYPES.get(ecosystem.split(":", 2)[0].toLowerCase(Locale.ROOT));
        if (type == null || name.isEmpty()) {
            return null; // an ecosystem without a purl type here
        }
        String ns = null;
        switch (type) {
            case "maven" -> {
                int colon = name.indexOf(':');
                if (colon > 0) {
                    ns = name.substring(0, colon);
                    name = name.substring(colon + 1);
                }
            }
            case "npm", "golang", "composer" -> {
                int slash = name.lastIndexOf('/');
                if (slash > 0) {
                    ns = name.substring(0, slash);
                    name = name.substring(slash + 1);
                }
            }
            case "deb", "apk" -> ns = ecosystem.split(":", 2)[0].toLowerCase(Locale.ROOT);
            default -> { }
        }
        StringBuilder sb = new StringBuilder("pkg:").append(type).append('/');
        if (ns != null) {
            for (String seg : ns.split("/")) {
                sb.append(URLEncoder.encode(seg, StandardCharsets.UTF_8)).append('/');
            }
        }
        sb.append(URLEncoder.encode(name, StandardCharsets.UTF_8));
        return PackageUrl.parse(sb.toString()).canonical();
    }
}
