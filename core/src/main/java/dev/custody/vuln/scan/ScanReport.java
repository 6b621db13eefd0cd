package dev.custody.vuln.scan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A vulnerability scanner's report as evidence about one image digest: Trivy's JSON ({@code trivy image -f json},
 * schema 2), Grype's JSON ({@code grype -o json}), or a cosign vulnerability attestation (predicate type
 * {@code https://cosign.sigstore.dev/attestation/vuln/v1}, bare or in an in-toto statement) whose
 * {@code scanner.result} is one of the two. A report that is none of these, or whose fields are not what the
 * format says, is refused with the field that is wrong; nothing of it is used.
 *
 * @param scanner the scanner's name (trivy, grype)
 * @param version the scanner's version when the report says, else null
 * @param digest  the image digest the report names (a repo digest, the manifest digest, an attestation's subject), else null
 */
public record ScanReport(String scanner, String version, String digest, List<Finding> findings) {

    /**
     * One finding as the scanner reports it.
     *
     * @param purl    the package URL the scanner gives, or null
     * @param state   the scanner's fix state (fixed, not-fixed, wont-fix, affected, ...), lower case, or null
     */
    public record Finding(String id, List<String> aliases, String purl, String packageName, String version, String severity, List<String> fixed,
                          String state) {}

    /** A report that cannot be used, with the field that is wrong. */
    public static final class InvalidReportException extends Exception {
        public InvalidReportException(String message) {
            super(message);
        }
    }

    public static final String COSIGN_VULN = "https://cosign.sigstore.dev/attestation/vuln/v1";
    public static final int MAX_FINDINGS = 500_000;
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern REPO_DIGEST = Pattern.compile(".*@(sha256:[0-9a-f]{64})");
    private static final Set<String> SEVERITIES = Set.of("critical", "high", "medium", "low", "none", "unknown");

    public static ScanReport parse(JsonNode doc) throws InvalidReportException {
        if (doc == null || !doc.isObject()) {
            throw new InvalidReportException("not a JSON object");
        }
        if (doc.has("predicateType") || doc.has("_type")) {
            String type = doc.path("predicateType").asText("");
            if (!type.equals(COSIGN_VULN)) {
                throw new InvalidReportException("predicateType: expected " + COSIGN_VULN + ", found \"" + type + "\"");
            }
            String subject = null;
            for (JsonNode s : doc.path("subject")) {
                String hex = s.path("digest").path("sha256").asText("");
                if (hex.matches("[0-9a-f]{64}")) {
                    subject = "sha256:" + hex;
                    break;
                }
            }
            ScanReport inner = cosign(doc.path("predicate"), "predicate.");
            return new ScanReport(inner.scanner(), inner.version(), subject != null ? subject : inner.digest(), inner.findings());
        }
        if (doc.has("scanner") && doc.path("scanner").has("result")) {
            return cosign(doc, "");
        }
        if (doc.has("SchemaVersion") || doc.has("Results")) {
            return trivy(doc, "");
        }
        if (doc.has("matches")) {
            return grype(doc, "");
        }
        throw new InvalidReportException("not a Trivy report (SchemaVersion, Results), a Grype report (matches) or a cosign vuln attestation");
    }

    private static ScanReport cosign(JsonNode predicate, String at) throws InvalidReportException {
        JsonNode scanner = predicate.path("scanner");
        JsonNode result = scanner.path("result");
        if (!result.isObject()) {
            throw new InvalidReportException(at + "scanner.result: expected the scanner's JSON report, found " + kind(result));
        }
        String uri = scanner.path("uri").asText("").toLowerCase(Locale.ROOT);
        String version = text(scanner.get("version"));
        ScanReport r;
        if (result.has("SchemaVersion") || result.has("Results") || uri.contains("trivy")) {
            r = trivy(result, at + "scanner.result.");
        } else if (result.has("matches") || uri.contains("grype")) {
            r = grype(result, at + "scanner.result.");
        } else {
            throw new InvalidReportException(at + "scanner.result: neither a Trivy nor a Grype report");
        }
        return new ScanReport(r.scanner(), version != null ? version : r.version(), r.digest(), r.findings());
    }

    static ScanReport trivy(JsonNode doc, String at) throws InvalidReportException {
        JsonNode schema = doc.get("SchemaVersion");
        if (schema != null && (!schema.isInt() || schema.asInt() != 2)) {
            throw new InvalidReportException(at + "SchemaVersion: expected 2, found " + schema);
        }
        String digest = null;
        for (JsonNode rd : doc.path("Metadata").path("RepoDigests")) {
            Matcher m = REPO_DIGEST.matcher(rd.asText(""));
            if (m.matches()) {
                digest = m.group(1);
                break;
            }
        }
        List<Finding> out = new ArrayList<>();
        JsonNode results = doc.path("Results");
        if (!results.isMissingNode() && !results.isNull() && !results.isArray()) {
            throw new InvalidReportException(at + "Results: expected a list, found " + kind(results));
        }
        for (int i = 0; i < results.size(); i++) {
            JsonNode vulns = results.get(i).path("Vulnerabilities");
            String where = at + "Results[" + i + "].Vulnerabilities";
            if (vulns.isMissingNode() || vulns.isNull()) {
                continue;
            }
            if (!vulns.isArray()) {
                throw new InvalidReportException(where + ": expected a list, found " + kind(vulns));
            }
            for (int j = 0; j < vulns.size(); j++) {
                JsonNode v = vulns.get(j);
                String f = where + "[" + j + "]";
                String id = required(v, "VulnerabilityID", f);
                String name = required(v, "PkgName", f);
                String installed = text(v.get("InstalledVersion"));
                List<String> fixed = new ArrayList<>();
                String fixedText = text(v.get("FixedVersion"));
                if (fixedText != null) {
                    for (String part : fixedText.split(",")) {
                        if (!part.isBlank()) {
                            fixed.add(part.strip());
                        }
                    }
                }
                Set<String> aliases = new LinkedHashSet<>();
                for (JsonNode a : v.path("VendorIDs")) {
                    if (a.isTextual() && !a.asText().equals(id)) {
                        aliases.add(a.asText());
                    }
                }
                add(out, new Finding(id, List.copyOf(aliases), text(v.path("PkgIdentifier").get("PURL")), name, installed,
                        severity(v.get("Severity"), f + ".Severity"), List.copyOf(fixed), lower(text(v.get("Status")))));
            }
        }
        return new ScanReport("trivy", null, digest, List.copyOf(out));
    }

    static ScanReport grype(JsonNode doc, String at) throws InvalidReportException {
        JsonNode matches = doc.path("matches");
        if (!matches.isArray()) {
            throw new InvalidReportException(at + "matches: expected a list, found " + kind(matches));
        }
        JsonNode target = doc.path("source").path("target");
        String digest = null;
        String manifest = text(target.get("manifestDigest"));
        if (manifest != null && DIGEST.matcher(manifest).matches()) {
            digest = manifest;
        } else {
            for (JsonNode rd : target.path("repoDigests")) {
                Matcher m = REPO_DIGEST.matcher(rd.asText(""));
                if (m.matches()) {
                    digest = m.group(1);
                    break;
                }
            }
        }
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < matches.size(); i++) {
            JsonNode m = matches.get(i);
            String f = at + "matches[" + i + "]";
            JsonNode v = m.path("vulnerability");
            String id = required(v, "id", f + ".vulnerability");
            JsonNode artifact = m.path("artifact");
            String name = required(artifact, "name", f + ".artifact");
            Set<String> aliases = new LinkedHashSet<>();
            for (JsonNode r : m.path("relatedVulnerabilities")) {
                String a = text(r.get("id"));
                if (a != null && !a.equals(id)) {
                    aliases.add(a);
                }
            }
            List<String> fixed = new ArrayList<>();
            for (JsonNode x : v.path("fix").path("versions")) {
                if (x.isTextual() && !x.asText().isBlank()) {
                    fixed.add(x.asText());
                }
            }
            String purl = text(artifact.get("purl"));
            add(out, new Finding(id, List.copyOf(aliases), purl == null || purl.isBlank() ? null : purl, name, text(artifact.get("version")),
                    severity(v.get("severity"), f + ".vulnerability.severity"), List.copyOf(fixed), lower(text(v.path("fix").get("state")))));
        }
        String version = text(doc.path("descriptor").get("version"));
        return new ScanReport("grype", version == null || version.startsWith("[") ? null : version, digest, List.copyOf(out));
    }

    private static void add(List<Finding> out, Finding f) throws InvalidReportException {
        if (out.size() >= MAX_FINDINGS) {
            throw new InvalidReportException("more than " + MAX_FINDINGS + " findings");
        }
        out.add(f);
    }

    /** Scanner severities, lower case: Grype's Negligible is low; anything else not known is unknown. */
    private static String severity(JsonNode n, String at) throws InvalidReportException {
        if (n == null || n.isNull()) {
            return "unknown";
        }
        if (!n.isTextual()) {
            throw new InvalidReportException(at + ": expected a string, found " + kind(n));
        }
        String s = n.asText().toLowerCase(Locale.ROOT);
        if (s.equals("negligible")) {
            return "low";
        }
        return SEVERITIES.contains(s) ? s : "unknown";
    }

    private static String required(JsonNode v, String field, String at) throws InvalidReportException {
        JsonNode n = v.get(field);
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw new InvalidReportException(at + "." + field + ": required, found " + kind(n));
        }
        if (n.asText().length() > 1024) {
            throw new InvalidReportException(at + "." + field + ": longer than 1024 characters");
        }
        return n.asText();
    }

    private static String text(JsonNode n) {
        return n == null || !n.isTextual() ? null : n.asText();
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    private static String kind(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) {
            return "nothing";
        }
        return n.isObject() ? "an object" : n.isArray() ? "a list" : n.isTextual() ? "a string" : n.isNumber() ? "a number" : "a " + n.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
