package dev.custody.sbom;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.PathType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.xml.validation.Schema;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.cyclonedx.parsers.XmlParser;
import org.xml.sax.SAXException;

/**
 * The CycloneDX schemas bundled in cyclonedx-core-java, compiled once per version and kept. The library's own
 * {@code validate} methods compile the schema again on every call and re-serialize the document before
 * validating it, which costs more than the validation itself (see ADR 9); the compiled schemas are thread-safe.
 */
final class CycloneDxSchemas {

    private static final Map<Version, JsonSchema> JSON = new ConcurrentHashMap<>();
    private static final Map<Version, JsonSchema> COMPONENT = new ConcurrentHashMap<>();
    private static final Map<Version, Schema> XML = new ConcurrentHashMap<>();

    private CycloneDxSchemas() {}

    static JsonSchema json(Version version) {
        return JSON.computeIfAbsent(version, v -> {
            try {
                // validators are created as documents first need them: compiling all of them up front
                // (initializeValidators) doubles the first read in a fresh JVM
                return new JsonParser().getJsonSchema(v, new ObjectMapper());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load the CycloneDX " + v.getVersionString() + " JSON schema", e);
            }
        });
    }

    /** The schema's {@code #/definitions/component}, to validate components one at a time. */
    static JsonSchema component(Version version) {
        return COMPONENT.computeIfAbsent(version, v ->
                json(v).getSubSchema(new JsonNodePath(PathType.JSON_POINTER).append("definitions").append("component")));
    }

    static Schema xml(Version version) {
        return XML.computeIfAbsent(version, v -> {
            try {
                return new XmlParser().getXmlSchema(v);
            } catch (SAXException e) {
                throw new IllegalStateException("cannot load the CycloneDX " + v.getVersionString() + " XML schema", e);
            }
        });
    }
}
