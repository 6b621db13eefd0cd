package dev.custody.vuln.vex;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads VEX documents into statements: OpenVEX (statements with products and subcomponents) and CycloneDX VEX
 * (vulnerabilities with an analysis and the refs they affect). An image product is recognized by its digest: an
 * OCI purl ({@code pkg:oci/name@sha256%3A...}), a bare {@code sha256:<hex>}, or a {@code sha-256} hash. Problems
 * name the field; nothing of a bad document is used.
 */
public final class VexDocuments {

    /** A document that cannot be used, with the field that is wrong. */
    public static final class InvalidVexException extends Exception {
        public InvalidVexException(String message) {
            super(message);
        }
    }

    public static final int MAX_STATEMENTS = 100_000;
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    private VexDocuments() {}

    /**
     * The statements of a document. {@code defaultDigest} is the image a product-less statement (or a CycloneDX
     * document without an image subject) is about, as the user named it; null for none.
     */
    public static List<VexStatement> parse(JsonNode doc, String defaultDigest) throws InvalidVexException {
        if (doc == null || !doc.isObject()) {
            throw new InvalidVexException("not a JSON object");
        }
        // merged documents (as vexctl writes them) may carry an empty @context; the statements array is OpenVEX's shape
        if (doc.path("@context").asText("").contains("openvex") || (doc.path("statements").isArray() && !doc.has("bomFormat"))) {
            return openVex(doc, defaultDigest);
        }
        if (doc.path("bomFormat").asText("").equals("CycloneDX")) {
            return cycloneDx(doc, defaultDigest);
        }
        throw new InvalidVexException("neither OpenVEX (@context) nor CycloneDX (bomFormat)");
    }

    private static List<VexStatement> openVex(JsonNode doc, String defaultDigest) throws InvalidVexException {
        Instant docTime = time(doc.path("timestamp"), "timestamp");
        List<VexStatement> out = new ArrayList<>();
        JsonNode statements = doc.path("statements");
        if (!statements.isArray()) {
            throw new InvalidVexException("statements: not an array");
        }
        if (statements.size() > MAX_STATEMENTS) {
            throw new InvalidVexException("statements: more than " + MAX_STATEMENTS);
        }
        int k = 0;
        for (JsonNode s : statements) {
            String where = "statements[" + k++ + "]";
            JsonNode v = s.path("vulnerability");
            String name = v.isTextual() ? v.asText() : v.path("name").asText(v.path("@id").asText(""));
            if (name.isBlank()) {
                throw new InvalidVexException(where + ".vulnerability: needs a name");
            }
            List<String> aliases = new ArrayList<>();
            v.path("aliases").forEach(a -> aliases.add(a.asText()));
            VexStatement.Status status = status(s.path("status").asText(""), where + ".status");
            String justification = s.path("justification").isTextual() ? s.path("justification").asText() : null;
            if (status == VexStatement.Status.NOT_AFFECTED && justification == null && !s.path("impact_statement").isTextual()) {
                throw new InvalidVexException(where + ": not_affected needs a justification or an impact_statement");
            }
            if (justification != null && !VexStatement.JUSTIFICATIONS.contains(justification)) {
                throw new InvalidVexException(where + ".justification: not an OpenVEX justification: \"" + justification + "\"");
            }
            Instant at = s.has("timestamp") ? time(s.get("timestamp"), where + ".timestamp") : docTime;
            String impact = s.path("impact_statement").isTextual() ? s.path("impact_statement").asText() : null;
            String action = s.path("action_statement").isTextual() ? s.path("action_statement").asText() : null;
            JsonNode products = s.path("products");
            if (!products.isArray() || products.isEmpty()) {
                if (defaultDigest == null) {
                    throw new InvalidVexException(where + ".products: none, and no --digest names the image");
                }
                out.add(new VexStatement(name, List.copyOf(aliases), defaultDigest, null, List.of(), status, justification, impact, action, at));
                continue;
            }
            int p = 0;
            for (JsonNode product : products) {
                String pw = where + ".products[" + p++ + "]";
                String id = product.isTextual() ? product.asText() : product.path("@id").asText("");
                String digest = digestOf(id, product);
                String purl = digest == null && id.startsWith("pkg:") ? id : null;
                List<String> subs = new ArrayList<>();
                if (digest == null && defaultDigest != null) {
                    digest = defaultDigest; // a package product inside the image the user named: a statement about that package there
                    if (purl != null) {
                        subs.add(purl);
                        purl = null;
                    }
                }
                if (digest == null && purl == null) {
                    throw new InvalidVexException(pw + ": names no image digest or package (@id \"" + id + "\")");
                }
                for (JsonNode sub : product.path("subcomponents")) {
                    String sid = sub.isTextual() ? sub.asText() : sub.path("@id").asText(sub.path("identifiers").path("purl").asText(""));
                    if (sid.isBlank()) {
                        throw new InvalidVexException(pw + ".subcomponents: an entry without @id");
                    }
                    subs.add(sid);
                }
                out.add(new VexStatement(name, List.copyOf(aliases), digest, purl, List.copyOf(subs), status, justification, impact, action, at));
            }
        }
        return out;
    }

    private static List<VexStatement> cycloneDx(JsonNode doc, String defaultDigest) throws InvalidVexException {
        Map<String, String> purlByRef = new HashMap<>();
        JsonNode subject = doc.path("metadata").path("component");
        String subjectRef = subject.path("bom-ref").asText(null);
        String subjectDigest = digestOf(subject.path("purl").asText(""), subject);
        indexRefs(doc.path("components"), purlByRef, 0);
        if (subjectRef != null && subject.path("purl").isTextual()) {
            purlByRef.put(subjectRef, subject.path("purl").asText());
        }
        Instant docTime = doc.path("metadata").has("timestamp") ? time(doc.path("metadata").path("timestamp"), "metadata.timestamp") : null;
        String image = subjectDigest != null ? subjectDigest : defaultDigest;
        List<VexStatement> out = new ArrayList<>();
        int k = 0;
        for (JsonNode v : doc.path("vulnerabilities")) {
            String where = "vulnerabilities[" + k++ + "]";
            String id = v.path("id").asText("");
            if (id.isBlank()) {
                throw new InvalidVexException(where + ".id: required");
            }
            JsonNode analysis = v.path("analysis");
            if (!analysis.has("state")) {
                continue; // a vulnerability listed without an analysis states nothing
            }
            String state = analysis.path("state").asText("");
            VexStatement.Status status = switch (state) {
                case "not_affected", "false_positive" -> VexStatement.Status.NOT_AFFECTED;
                case "exploitable" -> VexStatement.Status.AFFECTED;
                case "resolved", "resolved_with_pedigree" -> VexStatement.Status.FIXED;
                case "in_triage" -> VexStatement.Status.UNDER_INVESTIGATION;
                default -> throw new InvalidVexException(where + ".analysis.state: not a CycloneDX state: \"" + state + "\"");
            };
            String justification = cdxJustification(analysis.path("justification").asText(null), state);
            String detail = analysis.path("detail").isTextual() ? analysis.path("detail").asText() : null;
            List<String> aliases = new ArrayList<>();
            v.path("references").forEach(r -> {
                if (r.path("id").isTextual()) {
                    aliases.add(r.path("id").asText());
                }
            });
            Instant at = analysis.has("lastUpdated") ? time(analysis.get("lastUpdated"), where + ".analysis.lastUpdated") : docTime;
            List<String> subs = new ArrayList<>();
            boolean whole = false;
            for (JsonNode a : v.path("affects")) {
                String ref = a.path("ref").asText("");
                String local = ref.contains("#") ? ref.substring(ref.indexOf('#') + 1) : ref;
                if (local.equals(subjectRef)) {
                    whole = true;
                } else if (purlByRef.containsKey(local)) {
                    subs.add(purlByRef.get(local));
                } else if (local.startsWith("pkg:")) {
                    subs.add(local);
                }
            }
            if (image == null) {
                throw new InvalidVexException(where + ": the document names no image (metadata.component purl with a digest) and no --digest was given");
            }
            out.add(new VexStatement(id, List.copyOf(aliases), image, null, whole ? List.of() : List.copyOf(subs), status, justification, detail, null,
                    at));
        }
        return out;
    }

    private static void indexRefs(JsonNode components, Map<String, String> purlByRef, int depth) throws InvalidVexException {
        if (depth > 32) {
            throw new InvalidVexException("components: nested deeper than 32");
        }
        for (JsonNode c : components) {
            if (c.path("bom-ref").isTextual() && c.path("purl").isTextual()) {
                purlByRef.put(c.get("bom-ref").asText(), c.get("purl").asText());
            }
            indexRefs(c.path("components"), purlByRef, depth + 1);
        }
    }

    /** CycloneDX's justifications in OpenVEX's words where one exists. */
    private static String cdxJustification(String j, String state) {
        if (j == null) {
            return state.equals("false_positive") ? "component_not_present" : null;
        }
        return switch (j) {
            case "code_not_present" -> "vulnerable_code_not_present";
            case "code_not_reachable" -> "vulnerable_code_not_in_execute_path";
            case "requires_configuration", "requires_dependency", "requires_environment", "protected_by_compiler", "protected_at_runtime",
                    "protected_at_perimeter", "protected_by_mitigating_control" -> "inline_mitigations_already_exist";
            default -> j;
        };
    }

    private static VexStatement.Status status(String label, String where) throws InvalidVexException {
        try {
            return VexStatement.Status.parse(label);
        } catch (IllegalArgumentException e) {
            throw new InvalidVexException(where + ": not_affected, affected, fixed or under_investigation, found \"" + label + "\"");
        }
    }

    private static final Pattern OCI_DIGEST = Pattern.compile("@(sha256(?::|%3[aA])[0-9a-f]{64})");

    /** The image digest an identifier names: an OCI purl's version, a bare digest, or a sha-256 hash beside it. */
    static String digestOf(String id, JsonNode node) {
        if (id != null) {
            if (DIGEST.matcher(id).matches()) {
                return id;
            }
            if (id.startsWith("pkg:oci/")) {
                Matcher m = OCI_DIGEST.matcher(id);
                if (m.find()) {
                    return URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
                }
            }
        }
        JsonNode hashes = node == null ? null : node.path("hashes");
        if (hashes != null && hashes.path("sha-256").isTextual() && hashes.path("sha-256").asText().matches("[0-9a-f]{64}")) {
            return "sha256:" + hashes.path("sha-256").asText();
        }
        return null;
    }

    private static Instant time(JsonNode t, String where) throws InvalidVexException {
        if (t == null || t.isMissingNode() || t.isNull()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(t.asText()).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidVexException(where + ": not an RFC 3339 time: \"" + t.asText() + "\"");
        }
    }
}
