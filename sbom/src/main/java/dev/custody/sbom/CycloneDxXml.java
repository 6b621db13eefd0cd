package dev.custody.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Validator;
import org.cyclonedx.Version;
import org.cyclonedx.exception.ParseException;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Bom;
import org.cyclonedx.parsers.XmlParser;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Reads CycloneDX XML. A streaming pre-scan refuses any DOCTYPE (so no entity, external or internal, ever reaches
 * a parser), enforces the nesting and component limits and finds the version from the root namespace; then the
 * document is validated against the XSD cyclonedx-core-java bundles, parsed by the library's {@link XmlParser},
 * converted to the JSON form by the library's generator and mapped like JSON by {@link CycloneDx}.
 *
 * <p>cyclonedx-core-java on its own does not read external entities: its DOM and schema factories set
 * {@code ACCESS_EXTERNAL_DTD} to "", so such a document fails, and Jackson's XML parser, with DTD support off,
 * fails on any entity it meets. But its DOM pass still expands internal entities, and it prints parse errors to
 * stderr; refusing DOCTYPE before it runs costs nothing, as no CycloneDX producer writes one
 * ({@code CycloneDxTest.xmlExternalEntitiesNeverReadALocalFile} shows both).
 */
final class CycloneDxXml {

    private static final String NAMESPACE_PREFIX = "http://cyclonedx.org/schema/bom/";
    private static final XmlParser PARSER = new XmlParser();
    private static final int MAX_REPORTED_ERRORS = 5;

    private CycloneDxXml() {}

    static Sbom read(byte[] bytes, String source, SbomLimits limits, String contentHash) throws SbomException {
        Version version = scan(bytes, source, limits);
        validate(bytes, version, source);
        Bom bom;
        try {
            bom = PARSER.parse(bytes);
        } catch (ParseException | RuntimeException e) {
            throw new SbomException(source + ": cannot parse CycloneDX XML: " + JsonInput.firstLine(rootMessage(e)), e);
        }
        JsonNode tree;
        try {
            tree = BomGeneratorFactory.createJson(version, bom).toJsonNode();
        } catch (RuntimeException e) {
            tree = null;
        }
        if (tree == null || !tree.isObject()) {
            throw new SbomException(source + ": cannot convert CycloneDX XML " + version.getVersionString() + " to its JSON form");
        }
        return CycloneDx.readConverted(tree, version, source, limits, contentHash);
    }

    private static XMLInputFactory stax() {
        XMLInputFactory f = XMLInputFactory.newDefaultFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        return f;
    }

    /** The root namespace's version; refuses DOCTYPE, too deep nesting and too many component elements. */
    private static Version scan(byte[] bytes, String source, SbomLimits limits) throws SbomException {
        int bad = declaresEncoding(bytes) ? -1 : invalidUtf8(bytes);
        if (bad >= 0) {
            // checked here because the JDK's parser would also print the error to stderr
            throw new SbomException(source + ": malformed XML: not UTF-8 at byte " + bad);
        }
        XMLStreamReader r = null;
        try {
            // a factory per document: the JDK does not promise that one is safe to share between threads
            r = stax().createXMLStreamReader(new ByteArrayInputStream(bytes));
            Version version = null;
            int depth = 0;
            int openComponents = 0;
            long components = 0;
            while (r.hasNext()) {
                int event = r.next();
                switch (event) {
                    case XMLStreamConstants.DTD -> throw new SbomException(source + ":" + r.getLocation().getLineNumber()
                            + ": DOCTYPE declarations are not allowed in an SBOM (they can define entities)");
                    case XMLStreamConstants.ENTITY_REFERENCE -> throw new SbomException(source + ":"
                            + r.getLocation().getLineNumber() + ": entity references are not allowed in an SBOM");
                    case XMLStreamConstants.START_ELEMENT -> {
                        if (++depth > limits.maxNestingDepth()) {
                            throw new SbomException(source + ":" + r.getLocation().getLineNumber() + ": XML nested deeper than "
                                    + limits.maxNestingDepth() + " levels (limit maxNestingDepth)");
                        }
                        if (version == null) {
                            version = root(r, source);
                        } else if (r.getLocalName().equals("component")) {
                            // metadata/component is one more level than the components nested in it
                            if (++openComponents > limits.maxComponentDepth() + 1) {
                                throw new SbomException(source + ":" + r.getLocation().getLineNumber()
                                        + ": components nested more than " + limits.maxComponentDepth()
                                        + " levels deep (limit maxComponentDepth)");
                            }
                            if (++components > limits.maxComponents()) {
                                throw new SbomException(source + ": more than " + limits.maxComponents()
                                        + " components (limit maxComponents)");
                            }
                        }
                    }
                    case XMLStreamConstants.END_ELEMENT -> {
                        depth--;
                        if (r.getLocalName().equals("component")) {
                            openComponents--;
                        }
                    }
                    default -> { }
                }
            }
            if (version == null) {
                throw new SbomException(source + ": XML document has no root element");
            }
            return version;
        } catch (XMLStreamException e) {
            String where = e.getLocation() == null ? "" : ":" + e.getLocation().getLineNumber();
            throw new SbomException(source + where + ": malformed XML: " + JsonInput.firstLine(xmlMessage(e)), e);
        } finally {
            if (r != null) {
                try {
                    r.close();
                } catch (XMLStreamException ignored) {
                    // nothing is held open on a byte array
                }
            }
        }
    }

    /** Whether the XML declaration names an encoding other than UTF-8. */
    private static boolean declaresEncoding(byte[] bytes) {
        String head = new String(bytes, 0, Math.min(bytes.length, 200), StandardCharsets.ISO_8859_1);
        int end = head.indexOf("?>");
        if (!head.stripLeading().startsWith("<?xml") || end < 0) {
            return false;
        }
        String declaration = head.substring(0, end).toLowerCase(Locale.ROOT);
        return declaration.contains("encoding") && !declaration.contains("utf-8");
    }

    /** The offset of the first byte that is not part of well-formed UTF-8, or -1. */
    private static int invalidUtf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(8192);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                return in.position();
            }
            if (result.isUnderflow()) {
                result = decoder.flush(out.clear());
                return result.isError() ? in.position() : -1;
            }
            out.clear();
        }
    }

    private static Version root(XMLStreamReader r, String source) throws SbomException {
        String ns = r.getNamespaceURI();
        if (!r.getLocalName().equals("bom") || ns == null || !ns.startsWith(NAMESPACE_PREFIX)) {
            if (ns != null && ns.contains("spdx.org")) {
                throw new SbomException(source + ": SPDX RDF/XML is not supported (use SPDX JSON or tag-value)");
            }
            throw new SbomException(source + ": XML root element <" + r.getLocalName() + ">"
                    + (ns == null || ns.isEmpty() ? " without a namespace" : " in namespace " + ns)
                    + " is not a CycloneDX bom (expected <bom xmlns=\"" + NAMESPACE_PREFIX + "1.x\">)");
        }
        return CycloneDx.supported(ns.substring(NAMESPACE_PREFIX.length()), source);
    }

    private static void validate(byte[] bytes, Version version, String source) throws SbomException {
        List<String> errors = new ArrayList<>();
        Validator validator = CycloneDxSchemas.xml(version).newValidator();
        try {
            validator.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            validator.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            validator.setErrorHandler(new ErrorHandler() {
                @Override
                public void warning(SAXParseException e) {
                    // warnings do not make a document invalid
                }

                @Override
                public void error(SAXParseException e) {
                    errors.add("line " + e.getLineNumber() + ": " + e.getMessage());
                }

                @Override
                public void fatalError(SAXParseException e) throws SAXException {
                    errors.add("line " + e.getLineNumber() + ": " + e.getMessage());
                    throw e;
                }
            });
            validator.validate(new StreamSource(new ByteArrayInputStream(bytes)));
        } catch (SAXException | IOException e) {
            if (errors.isEmpty()) {
                errors.add(JsonInput.firstLine(e.getMessage()));
            }
        }
        if (!errors.isEmpty()) {
            int n = errors.size();
            List<String> shown = new ArrayList<>(errors.subList(0, Math.min(n, MAX_REPORTED_ERRORS)));
            if (n > MAX_REPORTED_ERRORS) {
                shown.add("and " + (n - MAX_REPORTED_ERRORS) + " more");
            }
            throw new SbomException(source + ": not valid CycloneDX " + version.getVersionString() + " XML: "
                    + String.join("; ", shown));
        }
    }

    private static String xmlMessage(XMLStreamException e) {
        String m = e.getMessage();
        // the JDK prefixes "ParseError at [row,col]:[r,c]\nMessage: "
        int i = m == null ? -1 : m.indexOf("Message: ");
        return i >= 0 ? m.substring(i + "Message: ".length()) : m;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
