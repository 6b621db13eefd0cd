package dev.custody.sbom;

import static dev.custody.sbom.JsonInput.array;
import static dev.custody.sbom.JsonInput.describe;
import static dev.custody.sbom.JsonInput.quote;
import static dev.custody.sbom.JsonInput.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cyclonedx.Version;

/**
 * Reads CycloneDX documents from their JSON form, validated against the JSON schema cyclonedx-core-java bundles
 * for the declared specVersion and mapped straight from the Jackson tree (not through the library's {@code Bom}
 * model, which costs more than validation and keeps only one license expression per component; ADR 9).
 *
 * <p>When bomFormat and specVersion come before the top-level {@code components} array, as every generator writes
 * them, the components stream past one at a time ({@link Stream}): each is validated against the schema's
 * component definition, mapped and dropped, and the rest of the document is validated against the whole schema.
 * A 50,000-component document is then never one tree. The one check this gives up is the schema's
 * {@code uniqueItems} on that array: two identical component objects are not an error here (the store keys
 * components by purl anyway). Otherwise, and for XML converted by {@link CycloneDxXml}, the whole tree is used.
 *
 * <p>What validation finds is sorted by {@link SchemaFindings}: a URL that is not an IRI reference, where it does
 * not touch what the document describes, is a {@link Deviation} kept in the {@link Quality}; anything else refuses
 * the document. XML is validated by its XSD and has no tolerated deviations.
 */
final class CycloneDx {

    /** The versions Custody reads: 1.0 and 1.1 were XML-only and predate dependencies and purls everywhere. */
    static final Version OLDEST = Version.VERSION_12;

    private CycloneDx() {}

    /**
     * Streams the top-level components of a CycloneDX document whose header has been read; collects their
     * components, validation errors and deviations for {@link #readJson}.
     */
    static final class Stream implements JsonInput.Streaming, JsonInput.ElementSink {
        private final String source;
        private final SbomLimits limits;
        private final List<Component> components = new ArrayList<>();
        private final SchemaFindings findings = new SchemaFindings();
        private JsonSchema componentSchema;
        private JsonNodePath componentsPath;
        private int count;
        private boolean used;

        Stream(String source, SbomLimits limits) {
            this.source = source;
            this.limits = limits;
        }

        @Override
        public JsonInput.ElementSink open(String field, ObjectNode rootSoFar) throws SbomException {
            if (!field.equals("components") || used) {
                return null;
            }
            JsonNode format = rootSoFar.get("bomFormat");
            JsonNode spec = rootSoFar.get("specVersion");
            if (format == null || !format.isTextual() || !format.textValue().equals("CycloneDX")
                    || spec == null || !spec.isTextual()) {
                return null;
            }
            Version version = version(spec, source);
            JsonSchema schema = CycloneDxSchemas.json(version);
            componentSchema = CycloneDxSchemas.component(version);
            componentsPath = new JsonNodePath(schema.getValidationContext().getConfig().getPathType()).append("components");
            used = true;
            return this;
        }

        @Override
        public void accept(JsonNode element, int index) throws SbomException {
            String pointer = "/components/" + index;
            List<Located> located = new ArrayList<>();
            count = collect(element, pointer, located, count, source, limits);
            if (!element.isObject()) {
                findings.error(componentsPath.append(index) + ": expected an object, found " + describe(element));
                return;
            }
            findings.add(validate(componentSchema, element, componentsPath.append(index), source));
            if (!findings.hasErrors()) { // once the document is refused, mapping the rest is wasted work
                for (Located l : located) {
                    components.add(component(l.node, l.pointer, source));
                }
            }
        }
    }

    /** Reads a CycloneDX JSON document: checks the header, the limits, the schema, then maps it. */
    static Sbom readJson(JsonNode root, Stream stream, String source, SbomLimits limits, String contentHash)
            throws SbomException {
        JsonNode format = root.get("bomFormat");
        if (format == null || !format.isTextual() || !format.textValue().equals("CycloneDX")) {
            throw new SbomException(source + ": bomFormat: expected \"CycloneDX\", found " + describe(format));
        }
        Version version = version(root.get("specVersion"), source);
        boolean streamed = stream != null && stream.used;
        List<Located> located = new ArrayList<>();
        int count = collectAll(root, located, streamed ? stream.count : 0, source, limits);
        SchemaFindings findings = streamed ? stream.findings : new SchemaFindings();
        findings.add(validate(CycloneDxSchemas.json(version), root, null, source));
        if (findings.hasErrors()) {
            throw new SbomException(source + ": not valid CycloneDX " + version.getVersionString() + ": " + findings.errors());
        }
        List<Component> components = new ArrayList<>(count);
        for (Located l : located) {
            components.add(component(l.node, l.pointer, source));
        }
        if (streamed) {
            components.addAll(stream.components);
        }
        return map(root, components, SbomFormat.CYCLONEDX_JSON, version, contentHash, findings);
    }

    /** Maps a document that {@link CycloneDxXml} has validated and converted to the JSON form. */
    static Sbom readConverted(JsonNode root, Version version, String source, SbomLimits limits, String contentHash)
            throws SbomException {
        List<Located> located = new ArrayList<>();
        collectAll(root, located, 0, source, limits);
        List<Component> components = new ArrayList<>(located.size());
        for (Located l : located) {
            components.add(component(l.node, l.pointer, source));
        }
        return map(root, components, SbomFormat.CYCLONEDX_XML, version, contentHash, new SchemaFindings());
    }

    static Version version(JsonNode specVersion, String source) throws SbomException {
        if (specVersion == null || !specVersion.isTextual()) {
            throw new SbomException(source + ": specVersion: expected a string such as \"1.5\", found " + describe(specVersion));
        }
        return supported(specVersion.textValue(), source);
    }

    static Version supported(String text, String source) throws SbomException {
        Version version = Version.fromVersionString(text);
        if (version == null && text.matches("1\\.\\d+")) {
            throw new SbomException(source + ": CycloneDX " + text + " is not supported yet (Custody reads and schema-validates 1.2 to 1.6; "
                    + "syft writes 1.6 with -o cyclonedx-json@1.6, cdxgen with --spec-version 1.6)");
        }
        if (version == null) {
            throw new SbomException(source + ": specVersion: " + quote(text) + " is not a CycloneDX version (Custody reads 1.2 to 1.6)");
        }
        if (version.getVersion() < OLDEST.getVersion()) {
            throw new SbomException(source + ": CycloneDX " + text + " is not supported (Custody reads 1.2 to 1.6)");
        }
        return version;
    }

    /** Validates {@code node} at {@code at} (null: the document root). */
    private static Collection<ValidationMessage> validate(JsonSchema schema, JsonNode node, JsonNodePath at, String source)
            throws SbomException {
        try {
            return at == null ? schema.validate(node)
                    : schema.validate(schema.createExecutionContext(), node, node, at);
        } catch (StackOverflowError e) {
            // the validator recurses; the nesting limit keeps real documents far from this
            throw new SbomException(source + ": document nested too deeply to validate", e);
        }
    }

    /** A component node and where it is, for refs made up from the position. */
    private record Located(JsonNode node, String pointer) {}

    private record Frame(JsonNode array, String pointer, int depth, int next) {}

    /**
     * The components in the tree, in document order with nested ones after their parent: those nested in the
     * subject (metadata.component.components) first, as metadata comes first, then the top-level ones still in the
     * tree. Returns the running count.
     */
    private static int collectAll(JsonNode root, List<Located> out, int count, String source, SbomLimits limits)
            throws SbomException {
        JsonNode subject = root.path("metadata").path("component");
        if (subject.isObject()) {
            count = collectArray(subject.get("components"), "/metadata/component/components", 1, out, count, source, limits);
        }
        return collectArray(root.get("components"), "/components", 1, out, count, source, limits);
    }

    /** Collects one top-level component and everything nested in it; returns the running count. */
    private static int collect(JsonNode component, String pointer, List<Located> out, int count, String source,
                               SbomLimits limits) throws SbomException {
        if (!component.isObject()) {
            return count;
        }
        count = add(component, pointer, out, count, source, limits);
        return collectArray(component.get("components"), pointer + "/components", 2, out, count, source, limits);
    }

    /** Iterative, so that depth costs no stack; enforces the count and depth limits before anything expensive. */
    private static int collectArray(JsonNode top, String pointer, int depth, List<Located> out, int count,
                                    String source, SbomLimits limits) throws SbomException {
        if (top == null || !top.isArray() || top.isEmpty()) {
            return count;
        }
        Deque<Frame> stack = new ArrayDeque<>();
        checkDepth(depth, pointer, source, limits);
        stack.push(new Frame(top, pointer, depth, 0));
        while (!stack.isEmpty()) {
            Frame f = stack.pop();
            if (f.next >= f.array.size()) {
                continue;
            }
            stack.push(new Frame(f.array, f.pointer, f.depth, f.next + 1));
            JsonNode c = f.array.get(f.next);
            if (!c.isObject()) {
                continue; // the schema rejects it with a better message
            }
            String at = f.pointer + "/" + f.next;
            count = add(c, at, out, count, source, limits);
            JsonNode children = c.get("components");
            if (children != null && children.isArray() && !children.isEmpty()) {
                checkDepth(f.depth + 1, at, source, limits);
                stack.push(new Frame(children, at + "/components", f.depth + 1, 0));
            }
        }
        return count;
    }

    private static int add(JsonNode c, String pointer, List<Located> out, int count, String source, SbomLimits limits)
            throws SbomException {
        if (count == limits.maxComponents()) {
            throw new SbomException(source + ": more than " + limits.maxComponents() + " components (limit maxComponents)");
        }
        out.add(new Located(c, pointer));
        return count + 1;
    }

    private static void checkDepth(int depth, String pointer, String source, SbomLimits limits) throws SbomException {
        if (depth > limits.maxComponentDepth()) {
            throw new SbomException(source + ": components nested more than " + limits.maxComponentDepth()
                    + " levels deep (limit maxComponentDepth) at " + shorten(pointer));
        }
    }

    private static Sbom map(JsonNode root, List<Component> components, SbomFormat format, Version version,
                            String contentHash, SchemaFindings findings) {
        JsonNode metadata = root.path("metadata");
        JsonNode subject = metadata.path("component");
        Digests digests = new Digests();
        String name = null;
        if (subject.isObject()) {
            name = text(subject, "name");
            digests.addPurl(text(subject, "purl"));
            digests.add(text(subject, "version"));
            digests.addName(name);
            if ("container".equalsIgnoreCase(text(subject, "type"))) {
                for (JsonNode h : array(subject, "hashes")) {
                    String alg = text(h, "alg");
                    String content = text(h, "content");
                    if (alg != null && content != null && Digests.algorithm(alg).equals("SHA-256")) {
                        digests.addHex(content.toLowerCase(Locale.ROOT));
                    }
                }
            }
        }
        boolean supplier = names(metadata.path("supplier")) || names(metadata.path("manufacturer"))
                || names(metadata.path("manufacture")) || anyNamed(metadata.path("authors"))
                || (subject.isObject() && (names(subject.path("supplier")) || names(subject.path("manufacturer"))
                        || text(subject, "publisher") != null || text(subject, "author") != null
                        || anyNamed(subject.path("authors"))));
        return new Sbom(format, version.getVersionString(), text(root, "serialNumber"), name, digests.list(),
                components, dependencies(root), contentHash,
                Quality.of(components, supplier, findings.deviationCount(), findings.deviations()));
    }

    private static Component component(JsonNode c, String pointer, String source) throws SbomException {
        String name = text(c, "name");
        if (name == null) {
            throw new SbomException(source + ": " + pointer + ": component has no name");
        }
        String ref = text(c, "bom-ref");
        String type = text(c, "type");
        Set<String> licenses = new LinkedHashSet<>();
        for (JsonNode choice : array(c, "licenses")) {
            String license = text(choice, "expression");
            if (license == null) {
                JsonNode l = choice.path("license");
                license = l.isObject() ? (text(l, "id") != null ? text(l, "id") : text(l, "name")) : null;
            }
            if (license != null && !license.equals("NOASSERTION") && !license.equals("NONE")) {
                licenses.add(license);
            }
        }
        Map<String, String> hashes = new LinkedHashMap<>();
        for (JsonNode h : array(c, "hashes")) {
            String alg = text(h, "alg");
            String content = text(h, "content");
            if (alg != null && content != null) {
                hashes.putIfAbsent(Digests.algorithm(alg), content.toLowerCase(Locale.ROOT));
            }
        }
        String supplier = text(c.path("supplier"), "name");
        if (supplier == null) {
            supplier = text(c, "publisher");
        }
        if (supplier == null) {
            supplier = text(c.path("manufacturer"), "name");
        }
        String purl = Purls.canonical(text(c, "purl"));
        return new Component(
                ref == null ? pointer : ref.equals(purl) ? purl : ref,
                purl,
                type != null ? type.toLowerCase(Locale.ROOT) : "library",
                name,
                text(c, "version"),
                List.copyOf(licenses),
                hashes,
                supplier);
    }

    private static List<Dependency> dependencies(JsonNode root) {
        Set<Dependency> edges = new LinkedHashSet<>();
        for (JsonNode d : array(root, "dependencies")) {
            String from = text(d, "ref");
            if (from == null) {
                continue;
            }
            for (JsonNode to : array(d, "dependsOn")) {
                if (to.isTextual() && !to.textValue().isBlank()) {
                    edges.add(new Dependency(from, to.textValue().strip()));
                }
            }
        }
        return List.copyOf(edges);
    }

    private static boolean names(JsonNode entity) {
        return entity.isObject() && text(entity, "name") != null;
    }

    private static boolean anyNamed(JsonNode contacts) {
        if (contacts.isArray()) {
            for (JsonNode c : contacts) {
                if (c.isObject() && (text(c, "name") != null || text(c, "email") != null)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String shorten(String pointer) {
        return pointer.length() <= 120 ? pointer : pointer.substring(0, 60) + "..." + pointer.substring(pointer.length() - 50);
    }
}
