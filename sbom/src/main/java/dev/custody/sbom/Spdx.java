package dev.custody.sbom;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The part of an SPDX 2.x document Custody uses, as both SPDX readers ({@link SpdxJson}, {@link SpdxTagValue})
 * produce it, and its mapping to {@link Sbom}. Files, snippets and extracted licenses are not read: they are not
 * components, and syft writes thousands of them per image.
 */
final class Spdx {

    private static final Pattern VERSION = Pattern.compile("SPDX-2\\.\\d{1,2}");
    private static final Pattern OTHER_VERSION = Pattern.compile("SPDX-(\\d+)\\.(\\d+)");

    private Spdx() {}

    /** An SPDX package with its fields as the document writes them. */
    record Package(
            String id,
            String name,
            String version,
            String supplier,
            String originator,
            List<String> licenses,
            Map<String, String> checksums,
            List<String> purls,
            String purpose) {}

    record Relationship(String from, String type, String to) {}

    record Document(
            String specVersion,
            String id,
            String name,
            String namespace,
            List<String> creators,
            List<String> describes,
            List<Package> packages,
            List<Relationship> relationships) {}

    /** The checked spdxVersion without its "SPDX-" prefix; {@code field} says where the value was found. */
    static String specVersion(String text, String field, String source) throws SbomException {
        if (text == null) {
            throw new SbomException(source + ": " + field + ": missing (expected \"SPDX-2.2\" or \"SPDX-2.3\")");
        }
        if (VERSION.matcher(text).matches()) {
            return text.substring("SPDX-".length());
        }
        var other = OTHER_VERSION.matcher(text);
        if (other.matches()) {
            throw new SbomException(source + ": SPDX " + other.group(1) + "." + other.group(2)
                    + " is not supported (Custody reads SPDX 2.x)");
        }
        throw new SbomException(source + ": " + field + ": expected \"SPDX-2.x\", found " + JsonInput.quote(text));
    }

    /** Whether an externalRef with this category and type carries a purl. */
    static boolean isPurlRef(String category, String type) {
        if (category == null || type == null) {
            return false;
        }
        String c = category.toUpperCase(Locale.ROOT);
        return (c.equals("PACKAGE-MANAGER") || c.equals("PACKAGE_MANAGER"))
                && (type.equalsIgnoreCase("purl") || type.endsWith("/purl"));
    }

    static Sbom toSbom(Document doc, SbomFormat format, String contentHash) {
        Set<String> subjects = new LinkedHashSet<>(doc.describes());
        for (Relationship r : doc.relationships()) {
            if (r.type().equals("DESCRIBES") && r.from().equals(doc.id())) {
                subjects.add(r.to());
            } else if (r.type().equals("DESCRIBED_BY") && r.to().equals(doc.id())) {
                subjects.add(r.from());
            }
        }
        Set<String> packageIds = new HashSet<>();
        List<Component> components = new ArrayList<>(doc.packages().size());
        Digests digests = new Digests();
        boolean supplier = false;
        for (String creator : doc.creators()) {
            supplier |= creator.startsWith("Organization:") && party(creator) != null;
        }
        for (Package p : doc.packages()) {
            packageIds.add(p.id());
            if (subjects.contains(p.id())) {
                p.purls().forEach(digests::addPurl);
                digests.add(p.version());
                digests.addName(p.name());
                if (p.purpose() == null || p.purpose().equalsIgnoreCase("CONTAINER")) {
                    // a source or file package's checksum is a digest of that archive, not of an image
                    digests.addHex(checksums(p).get("SHA-256"));
                }
                supplier |= party(p.supplier()) != null || party(p.originator()) != null;
            } else {
                components.add(component(p));
            }
        }
        Set<Dependency> edges = new LinkedHashSet<>();
        for (Relationship r : doc.relationships()) {
            Dependency d = switch (r.type()) {
                case "DEPENDS_ON", "CONTAINS" -> new Dependency(r.from(), r.to());
                case "DEPENDENCY_OF" -> new Dependency(r.to(), r.from());
                default -> null;
            };
            if (d != null && packageIds.contains(d.from()) && packageIds.contains(d.to())) {
                edges.add(d);
            }
        }
        return new Sbom(format, doc.specVersion(), doc.namespace(), doc.name(), digests.list(), components,
                List.copyOf(edges), contentHash, Quality.of(components, supplier));
    }

    private static Component component(Package p) {
        String purl = null;
        for (String candidate : p.purls()) {
            purl = Purls.canonical(candidate);
            if (purl != null) {
                break;
            }
        }
        Set<String> licenses = new LinkedHashSet<>();
        for (String l : p.licenses()) {
            if (assertion(l) != null) {
                licenses.add(l.strip());
            }
        }
        String purpose = p.purpose() == null ? "library" : p.purpose().toLowerCase(Locale.ROOT).replace('_', '-');
        return new Component(p.id(), purl, purpose, p.name(), assertion(p.version()), List.copyOf(licenses),
                checksums(p), party(p.supplier()));
    }

    private static Map<String, String> checksums(Package p) {
        Map<String, String> out = new LinkedHashMap<>();
        p.checksums().forEach((alg, value) -> out.putIfAbsent(Digests.algorithm(alg), value.toLowerCase(Locale.ROOT)));
        return out;
    }

    /** The value, or null when it is absent, blank, NOASSERTION or NONE. */
    static String assertion(String value) {
        if (value == null) {
            return null;
        }
        String v = value.strip();
        return v.isEmpty() || v.equals("NOASSERTION") || v.equals("NONE") ? null : v;
    }

    /**
     * The name in an SPDX agent ("Organization: Acme Corp (security@acme.example)", "Person: Jane Doe ()"): without
     * the kind and without a trailing parenthesis that holds an email address or nothing.
     */
    static String party(String agent) {
        String v = assertion(agent);
        if (v == null) {
            return null;
        }
        int colon = v.indexOf(':');
        if (colon > 0 && (v.startsWith("Organization") || v.startsWith("Person") || v.startsWith("Tool"))) {
            v = v.substring(colon + 1).strip();
        }
        if (v.endsWith(")")) {
            int open = v.lastIndexOf('(');
            String inside = open < 0 ? "" : v.substring(open + 1, v.length() - 1);
            if (open >= 0 && (inside.isBlank() || inside.contains("@"))) {
                v = v.substring(0, open).strip();
            }
        }
        return assertion(v);
    }
}
