package dev.custody.sbom;

import static dev.custody.sbom.JsonInput.array;
import static dev.custody.sbom.JsonInput.describe;
import static dev.custody.sbom.JsonInput.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads SPDX 2.x JSON from its tree into {@link Spdx.Document}. Checks what the SPDX 2.3 schema requires of the
 * parts Custody uses (a string spdxVersion, the document's SPDXID, each package's SPDXID and name) and names the
 * JSON pointer of what is wrong; everything else is read leniently, as real generators differ in optional fields.
 */
final class SpdxJson {

    private SpdxJson() {}

    /**
     * Once spdxVersion has been read, maps packages as they stream past and skips files and snippets without
     * keeping them: syft writes thousands of files per image and Custody needs none of them.
     */
    static final class Stream implements JsonInput.Streaming {
        private final String source;
        private final SbomLimits limits;
        private final List<Spdx.Package> packages = new ArrayList<>();
        private boolean used;

        Stream(String source, SbomLimits limits) {
            this.source = source;
            this.limits = limits;
        }

        @Override
        public JsonInput.ElementSink open(String field, ObjectNode rootSoFar) throws SbomException {
            JsonNode version = rootSoFar.get("spdxVersion");
            if (version == null || !version.isTextual()) {
                return null;
            }
            return switch (field) {
                case "packages" -> {
                    if (used) {
                        yield null;
                    }
                    // report what is wrong with the header before what is wrong with a package
                    Spdx.specVersion(version.textValue().strip(), "spdxVersion", source);
                    if (rootSoFar.has("SPDXID")) {
                        documentId(rootSoFar, source);
                    }
                    used = true;
                    yield (element, index) -> {
                        if (packages.size() == limits.maxComponents()) {
                            throw tooMany(packages.size() + 1, source, limits);
                        }
                        packages.add(pkg(element, "/packages/" + index, source));
                    };
                }
                case "files", "snippets" -> (element, index) -> { };
                default -> null;
            };
        }
    }

    static Sbom read(JsonNode root, Stream stream, String source, SbomLimits limits, String contentHash)
            throws SbomException {
        JsonNode versionNode = root.get("spdxVersion");
        if (versionNode == null || !versionNode.isTextual()) {
            throw new SbomException(source + ": spdxVersion: expected a string such as \"SPDX-2.3\", found "
                    + describe(versionNode));
        }
        String version = Spdx.specVersion(versionNode.textValue().strip(), "spdxVersion", source);
        String id = documentId(root, source);
        List<String> creators = strings(root.path("creationInfo"), "creators");
        List<String> describes = strings(root, "documentDescribes");

        List<Spdx.Package> packages;
        if (stream != null && stream.used) {
            packages = stream.packages;
        } else {
            JsonNode packagesNode = root.get("packages");
            if (packagesNode != null && !packagesNode.isArray() && !packagesNode.isNull()) {
                throw new SbomException(source + ": packages: expected an array, found " + describe(packagesNode));
            }
            int count = packagesNode == null ? 0 : packagesNode.size();
            if (count > limits.maxComponents()) {
                throw tooMany(count, source, limits);
            }
            packages = new ArrayList<>(count);
            int index = 0;
            for (JsonNode p : array(root, "packages")) {
                packages.add(pkg(p, "/packages/" + index++, source));
            }
        }

        List<Spdx.Relationship> relationships = new ArrayList<>();
        for (JsonNode r : array(root, "relationships")) {
            String from = text(r, "spdxElementId");
            String type = text(r, "relationshipType");
            String to = text(r, "relatedSpdxElement");
            if (from != null && type != null && to != null) {
                relationships.add(new Spdx.Relationship(from, type, to));
            }
        }
        Spdx.Document doc = new Spdx.Document(version, id, text(root, "name"), text(root, "documentNamespace"),
                creators, describes, packages, relationships);
        return Spdx.toSbom(doc, SbomFormat.SPDX_JSON, contentHash);
    }

    private static Spdx.Package pkg(JsonNode p, String pointer, String source) throws SbomException {
        if (!p.isObject()) {
            throw new SbomException(source + ": " + pointer + ": expected a package object, found " + describe(p));
        }
        String id = text(p, "SPDXID");
        if (id == null) {
            throw new SbomException(source + ": " + pointer + "/SPDXID: package SPDXID is " + missingOrEmpty(p.get("SPDXID")));
        }
        String name = text(p, "name");
        if (name == null) {
            throw new SbomException(source + ": " + pointer + "/name: package " + id + " has no name");
        }
        List<String> licenses = new ArrayList<>(2);
        addIfText(licenses, p, "licenseConcluded");
        addIfText(licenses, p, "licenseDeclared");
        Map<String, String> checksums = new LinkedHashMap<>();
        for (JsonNode c : array(p, "checksums")) {
            String alg = text(c, "algorithm");
            String value = text(c, "checksumValue");
            if (alg != null && value != null) {
                checksums.putIfAbsent(alg, value);
            }
        }
        List<String> purls = new ArrayList<>(1);
        for (JsonNode ref : array(p, "externalRefs")) {
            if (Spdx.isPurlRef(text(ref, "referenceCategory"), text(ref, "referenceType"))) {
                String locator = text(ref, "referenceLocator");
                if (locator != null) {
                    purls.add(locator);
                }
            }
        }
        return new Spdx.Package(id, name, text(p, "versionInfo"), text(p, "supplier"), text(p, "originator"),
                licenses, checksums, purls, text(p, "primaryPackagePurpose"));
    }

    private static String documentId(JsonNode root, String source) throws SbomException {
        String id = text(root, "SPDXID");
        if (id == null) {
            throw new SbomException(source + ": SPDXID: the document's SPDXID is " + missingOrEmpty(root.get("SPDXID"))
                    + " (expected \"SPDXRef-DOCUMENT\")");
        }
        return id;
    }

    private static SbomException tooMany(int count, String source, SbomLimits limits) {
        return new SbomException(source + ": " + count + " packages, more than " + limits.maxComponents()
                + " (limit maxComponents)");
    }

    private static void addIfText(List<String> out, JsonNode node, String field) {
        String v = text(node, field);
        if (v != null) {
            out.add(v);
        }
    }

    private static List<String> strings(JsonNode node, String field) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : array(node, field)) {
            if (s.isTextual() && !s.textValue().isBlank()) {
                out.add(s.textValue().strip());
            }
        }
        return out;
    }

    private static String missingOrEmpty(JsonNode value) {
        if (value == null || value.isNull()) {
            return "missing";
        }
        return value.isTextual() ? "empty" : "not a string but " + describe(value);
    }
}
