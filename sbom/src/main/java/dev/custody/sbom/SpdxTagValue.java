package dev.custody.sbom;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads SPDX 2.x tag-value documents into {@link Spdx.Document}: one {@code Tag: value} per line, values in
 * {@code <text>...</text>} may span lines, {@code #} starts a comment line. Fields belong to the section the last
 * {@code PackageName}, {@code FileName}, {@code SnippetSPDXID} or {@code LicenseID} opened; only document and package
 * fields and relationships are kept. Errors name the line.
 */
final class SpdxTagValue {

    private enum Section { DOCUMENT, PACKAGE, OTHER }

    private static final String OPEN = "<text>";
    private static final String CLOSE = "</text>";

    private SpdxTagValue() {}

    /** Whether {@code text} has a line that starts with {@code SPDXVersion:}. */
    static boolean looksLikeTagValue(String text) {
        return text.startsWith("SPDXVersion:") || text.contains("\nSPDXVersion:");
    }

    static String decode(byte[] bytes, String source) throws SbomException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            String text = decoder.decode(ByteBuffer.wrap(bytes)).toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw new SbomException(source + ": not UTF-8 text (" + e.getMessage() + ")", e);
        }
    }

    /** A package being read; fields are filled as their lines arrive. */
    private static final class PackageBuilder {
        final int line;
        final String name;
        String id;
        String version;
        String supplier;
        String originator;
        String purpose;
        final List<String> licenses = new ArrayList<>(2);
        final Map<String, String> checksums = new LinkedHashMap<>();
        final List<String> purls = new ArrayList<>(1);

        PackageBuilder(int line, String name) {
            this.line = line;
            this.name = name;
        }

        Spdx.Package build(String source) throws SbomException {
            if (id == null || id.isEmpty()) {
                throw new SbomException(source + ":" + line + ": package " + JsonInput.quote(name) + " has no SPDXID");
            }
            return new Spdx.Package(id, name, version, supplier, originator, licenses, checksums, purls, purpose);
        }
    }

    static Sbom read(String text, String source, SbomLimits limits, String contentHash) throws SbomException {
        String specVersion = null;
        String docId = null;
        String docName = null;
        String namespace = null;
        List<String> creators = new ArrayList<>();
        List<Spdx.Package> packages = new ArrayList<>();
        List<Spdx.Relationship> relationships = new ArrayList<>();
        PackageBuilder pkg = null;
        Section section = Section.DOCUMENT;

        int pos = 0;
        int lineNo = 0;
        int length = text.length();
        while (pos < length) {
            int end = text.indexOf('\n', pos);
            if (end < 0) {
                end = length;
            }
            lineNo++;
            int tagLine = lineNo;
            String line = stripCr(text.substring(pos, end));
            pos = end + 1;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (trimmed.startsWith("Relationship ")) {
                // spdx-sbom-generator (v0.0.x, still in circulation) wrote every relationship without the colon
                line = "Relationship:" + trimmed.substring("Relationship".length());
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !isTag(line, colon)) {
                throw new SbomException(source + ":" + tagLine + ": expected \"Tag: value\", found "
                        + JsonInput.quote(trimmed));
            }
            String tag = line.substring(0, colon);
            String value = line.substring(colon + 1).strip();
            if (value.startsWith(OPEN)) {
                String first = value.substring(OPEN.length());
                int close = first.indexOf(CLOSE);
                if (close >= 0) {
                    value = first.substring(0, close).strip();
                } else {
                    // only each new line is searched for the end, so a long or unclosed value costs linear time
                    StringBuilder sb = new StringBuilder(first);
                    while (true) {
                        if (pos >= length) {
                            throw new SbomException(source + ":" + tagLine + ": " + tag + ": " + OPEN
                                    + " is not closed by " + CLOSE);
                        }
                        end = text.indexOf('\n', pos);
                        if (end < 0) {
                            end = length;
                        }
                        lineNo++;
                        String next = stripCr(text.substring(pos, end));
                        pos = end + 1;
                        close = next.indexOf(CLOSE);
                        sb.append('\n').append(close >= 0 ? next.substring(0, close) : next);
                        if (close >= 0) {
                            break;
                        }
                    }
                    value = sb.toString().strip();
                }
            }

            switch (tag) {
                case "SPDXVersion" -> specVersion = Spdx.specVersion(value, "line " + tagLine + ": SPDXVersion", source);
                case "DocumentName" -> docName = value;
                case "DocumentNamespace" -> namespace = value;
                case "Creator" -> creators.add(value);
                case "SPDXID" -> {
                    if (section == Section.DOCUMENT && docId == null) {
                        docId = value;
                    } else if (section == Section.PACKAGE && pkg.id == null) {
                        pkg.id = value;
                    }
                }
                case "Relationship" -> {
                    String[] parts = value.split("\\s+");
                    if (parts.length < 3) {
                        throw new SbomException(source + ":" + tagLine
                                + ": Relationship: expected \"<id> <TYPE> <id>\", found " + JsonInput.quote(value));
                    }
                    relationships.add(new Spdx.Relationship(parts[0], parts[1], parts[2]));
                }
                case "PackageName" -> {
                    if (pkg != null) {
                        packages.add(pkg.build(source));
                    }
                    if (value.isEmpty()) {
                        throw new SbomException(source + ":" + tagLine + ": PackageName is empty");
                    }
                    if (packages.size() == limits.maxComponents()) {
                        throw new SbomException(source + ":" + tagLine + ": more than " + limits.maxComponents()
                                + " packages (limit maxComponents)");
                    }
                    pkg = new PackageBuilder(tagLine, value);
                    section = Section.PACKAGE;
                }
                case "FileName", "SnippetSPDXID", "LicenseID" -> section = Section.OTHER;
                default -> {
                    if (section == Section.PACKAGE) {
                        packageField(pkg, tag, value, tagLine, source);
                    }
                }
            }
        }
        if (pkg != null) {
            packages.add(pkg.build(source));
        }
        if (specVersion == null) {
            throw new SbomException(source + ": SPDXVersion: missing");
        }
        if (docId == null || docId.isEmpty()) {
            throw new SbomException(source + ": SPDXID: the document's SPDXID is " + (docId == null ? "missing" : "empty")
                    + " (expected \"SPDXRef-DOCUMENT\")");
        }
        Spdx.Document doc = new Spdx.Document(specVersion, docId, docName, namespace, creators, List.of(), packages,
                relationships);
        return Spdx.toSbom(doc, SbomFormat.SPDX_TAG_VALUE, contentHash);
    }

    private static void packageField(PackageBuilder pkg, String tag, String value, int line, String source)
            throws SbomException {
        switch (tag) {
            case "PackageVersion" -> pkg.version = value;
            case "PackageSupplier" -> pkg.supplier = value;
            case "PackageOriginator" -> pkg.originator = value;
            case "PrimaryPackagePurpose" -> pkg.purpose = value.isEmpty() ? null : value;
            case "PackageLicenseConcluded", "PackageLicenseDeclared" -> {
                if (!value.isEmpty()) {
                    pkg.licenses.add(value);
                }
            }
            case "PackageChecksum" -> {
                int colon = value.indexOf(':');
                if (colon <= 0) {
                    throw new SbomException(source + ":" + line + ": PackageChecksum: expected \"<ALGORITHM>: <hex>\", found "
                            + JsonInput.quote(value));
                }
                String hex = value.substring(colon + 1).strip();
                if (!hex.isEmpty()) {
                    pkg.checksums.putIfAbsent(value.substring(0, colon).strip(), hex);
                }
            }
            case "ExternalRef" -> {
                String[] parts = value.split("\\s+", 3);
                if (parts.length == 3 && Spdx.isPurlRef(parts[0], parts[1])) {
                    pkg.purls.add(parts[2].strip());
                }
            }
            default -> { }
        }
    }

    /** A tag is letters, digits and '_' with no space before the colon. */
    private static boolean isTag(String line, int colon) {
        for (int i = 0; i < colon; i++) {
            char c = line.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }

    private static String stripCr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }
}
