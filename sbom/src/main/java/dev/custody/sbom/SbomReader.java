package dev.custody.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Reads an SBOM document into the normalized {@link Sbom}: CycloneDX 1.2 to 1.6 (JSON or XML) and SPDX 2.x (JSON or
 * tag-value), told apart by content, never by file name. Every failure is an {@link SbomException} whose message
 * starts with the source and says what was found, for example
 * {@code alpine.json: bomFormat: expected "CycloneDX", found "CDX"}. A CycloneDX JSON document that departs from
 * its schema only in the ways {@link Deviation.Reason} lists is read, and says where in
 * {@code quality().deviations()}; a caller that wants only conforming documents refuses those. Thread-safe; holds
 * no state but compiled schemas.
 *
 * <pre>{@code
 * Sbom sbom = SbomReader.read(Files.readAllBytes(path), path.getFileName().toString());
 * sbom.components().forEach(c -> System.out.println(c.key()));
 * }</pre>
 */
public final class SbomReader {

    private static final HexFormat HEX = HexFormat.of();

    private SbomReader() {}

    /** Reads {@code bytes} within {@link SbomLimits#DEFAULT}; {@code source} (a file name or "request body") starts every error. */
    public static Sbom read(byte[] bytes, String source) throws SbomException {
        return read(bytes, source, SbomLimits.DEFAULT);
    }

    /** Reads {@code bytes} within {@code limits}; {@code source} (a file name or "request body") starts every error. */
    public static Sbom read(byte[] bytes, String source, SbomLimits limits) throws SbomException {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(limits, "limits");
        if (bytes.length > limits.maxBytes()) {
            throw new SbomException(source + ": " + bytes.length + " bytes, larger than the limit of "
                    + limits.maxBytes() + " bytes (limit maxBytes)");
        }
        int first = firstSignificant(bytes);
        if (first < 0) {
            throw new SbomException(source + ": empty document");
        }
        String contentHash = "sha256:" + HEX.formatHex(sha256(bytes));
        return switch (bytes[first]) {
            case '{' -> {
                CycloneDx.Stream cyclonedx = new CycloneDx.Stream(source, limits);
                SpdxJson.Stream spdx = new SpdxJson.Stream(source, limits);
                JsonNode root = JsonInput.readObject(bytes, source, limits, (field, soFar) -> {
                    JsonInput.ElementSink sink = cyclonedx.open(field, soFar);
                    return sink != null ? sink : spdx.open(field, soFar);
                });
                yield readJson(root, cyclonedx, spdx, source, limits, contentHash);
            }
            case '[' -> throw new SbomException(source + ": a JSON array, not an SBOM document (expected a JSON object)");
            case '<' -> CycloneDxXml.read(bytes, source, limits, contentHash);
            default -> readText(bytes, source, limits, contentHash);
        };
    }

    private static Sbom readJson(JsonNode root, CycloneDx.Stream cyclonedx, SpdxJson.Stream spdx, String source,
                                 SbomLimits limits, String contentHash) throws SbomException {
        if (root.has("bomFormat") || root.has("specVersion") && !root.has("spdxVersion")) {
            return CycloneDx.readJson(root, cyclonedx, source, limits, contentHash);
        }
        if (root.has("spdxVersion") || root.has("SPDXID")) {
            return SpdxJson.read(root, spdx, source, limits, contentHash);
        }
        JsonNode context = root.get("@context");
        if (context != null || root.has("@graph") || root.has("@id")) {
            String c = context == null ? "" : context.isTextual() ? context.textValue() : context.toString();
            if (c.contains("spdx.org/rdf/3") || c.contains("spdx")) {
                throw new SbomException(source + ": SPDX 3.0 (JSON-LD) is not supported (Custody reads SPDX 2.x and CycloneDX)");
            }
            if (c.contains("openvex") || root.has("statements")) {
                throw new SbomException(source + ": an OpenVEX document, not an SBOM");
            }
            throw new SbomException(source + ": a JSON-LD document (@context " + JsonInput.quote(c) + "), not an SBOM");
        }
        String type = JsonInput.text(root, "_type");
        if (type != null && type.contains("in-toto")) {
            throw new SbomException(source + ": an in-toto Statement (predicateType "
                    + JsonInput.quote(JsonInput.text(root, "predicateType")) + "), not an SBOM; read its predicate");
        }
        if (root.has("payloadType") && root.has("payload")) {
            throw new SbomException(source + ": a DSSE envelope (payloadType "
                    + JsonInput.quote(JsonInput.text(root, "payloadType")) + "), not an SBOM; verify it and read its payload");
        }
        throw new SbomException(source + ": a JSON document that is neither CycloneDX (no bomFormat) nor SPDX"
                + " (no spdxVersion); its keys: " + JsonInput.keys(root));
    }

    private static Sbom readText(byte[] bytes, String source, SbomLimits limits, String contentHash) throws SbomException {
        String text;
        try {
            text = SpdxTagValue.decode(bytes, source);
        } catch (SbomException e) {
            throw new SbomException(source + ": binary data, not an SBOM document (not UTF-8 text)", e);
        }
        if (SpdxTagValue.looksLikeTagValue(text)) {
            return SpdxTagValue.read(text, source, limits, contentHash);
        }
        if (text.startsWith("spdxVersion:") || text.contains("\nspdxVersion:")) {
            throw new SbomException(source + ": SPDX YAML is not supported (use SPDX JSON or tag-value)");
        }
        String start = text.strip();
        int nl = start.indexOf('\n');
        throw new SbomException(source + ": not an SBOM document: text starting with "
                + JsonInput.quote(nl < 0 ? start : start.substring(0, nl).strip())
                + " (expected CycloneDX JSON or XML, SPDX JSON or SPDX tag-value with an SPDXVersion: line)");
    }

    /** The index of the first byte that is not whitespace or a UTF-8 byte order mark, or -1. */
    private static int firstSignificant(byte[] bytes) {
        int i = bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf ? 3 : 0;
        for (; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return i;
            }
        }
        return -1;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
