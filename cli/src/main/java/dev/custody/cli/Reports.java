package dev.custody.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.decision.RuleResult;
import dev.custody.decision.WorkloadDecision;
import dev.custody.manifest.Position;
import dev.custody.workload.Skipped;
import dev.custody.workload.Workload;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders a {@link CheckReport} as text (people), JSON (scripts), SARIF (code scanning) or JUnit (CI test views). */
final class Reports {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private Reports() {}

    // ---------------------------------------------------------------- text

    static void text(CheckReport r, PrintWriter out, boolean verbose) {
        StringBuilder sb = new StringBuilder(64 * 1024);
        for (CheckReport.Entry e : r.entries()) {
            if (e instanceof CheckReport.Decided d) {
                WorkloadDecision wd = d.decision();
                Workload w = wd.workload();
                Position at = w.document().locate(w.objectPath());
                sb.append(wd.allowed() ? "ADMITTED " : "DENIED   ").append(w.kind().kind()).append(' ')
                        .append(wd.namespace()).append('/').append(w.name()).append("  (").append(at).append(")\n");
                if (wd.policies().isEmpty()) {
                    sb.append("    no policy governs namespace ").append(wd.namespace()).append('\n');
                }
                for (RuleResult rr : wd.results()) {
                    String mark = rr.denies() ? "deny " : rr.warns() ? "warn " : rr.audits() ? "audit" : verbose ? rr.outcome().label() : null;
                    if (mark == null) {
                        continue;
                    }
                    Position p = w.document().locate(rr.path());
                    sb.append("    ").append(String.format("%-5s", mark)).append(' ').append(rr.code()).append("  ")
                            .append(rr.qualifiedRule()).append("  ").append(rr.path());
                    if (p.line() > 0) {
                        sb.append(" (line ").append(p.line()).append(')');
                    }
                    sb.append("\n          ").append(rr.message()).append('\n');
                }
            } else if (e instanceof CheckReport.Ignored i) {
                Skipped s = i.skipped();
                sb.append("SKIPPED  ").append(s.kind()).append(' ')
                        .append(s.namespace() != null ? s.namespace() + "/" : "").append(s.name())
                        .append("  (").append(s.document().locate(s.objectPath())).append("): ").append(s.reason()).append('\n');
            }
            if (sb.length() > 60_000) {
                out.print(sb);
                sb.setLength(0);
            }
        }
        sb.append(String.format("%n%d workloads: %d admitted, %d denied; %d objects skipped; %d input errors; policies %s%n",
                r.workloads(), r.admitted(), r.denied(), r.skipped(), r.problems().size(), r.policyVersion()));
        out.print(sb);
        out.flush();
    }

    // ---------------------------------------------------------------- json

    static void json(CheckReport r, Writer out, boolean verbose) throws IOException {
        // streamed: a 10,000-workload report never exists as a tree in memory
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("policyVersion", r.policyVersion());
            g.writeObjectFieldStart("summary");
            g.writeNumberField("workloads", r.workloads());
            g.writeNumberField("admitted", r.admitted());
            g.writeNumberField("denied", r.denied());
            g.writeNumberField("skipped", r.skipped());
            g.writeNumberField("inputErrors", r.problems().size());
            g.writeEndObject();
            g.writeArrayFieldStart("results");
            for (CheckReport.Entry e : r.entries()) {
                g.writeStartObject();
                if (e instanceof CheckReport.Decided d) {
                    WorkloadDecision wd = d.decision();
                    Workload w = wd.workload();
                    Position at = w.document().locate(w.objectPath());
                    g.writeStringField("kind", w.kind().kind());
                    g.writeStringField("apiVersion", w.apiVersion());
                    g.writeStringField("namespace", wd.namespace());
                    g.writeStringField("name", w.name());
                    g.writeStringField("source", at.source());
                    g.writeNumberField("line", at.line());
                    g.writeBooleanField("allowed", wd.allowed());
                    g.writeBooleanField("skipped", false);
                    g.writeArrayFieldStart("policies");
                    for (String p : wd.policies()) {
                        g.writeString(p);
                    }
                    g.writeEndArray();
                    g.writeArrayFieldStart("images");
                    for (var c : w.containers()) {
                        g.writeStartObject();
                        g.writeStringField("container", c.name());
                        g.writeStringField("list", c.list().field());
                        g.writeStringField("path", c.imagePath().toString());
                        g.writeStringField("image", c.image());
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                    findings(g, "violations", wd.violations(), w);
                    findings(g, "warnings", wd.warnings(), w);
                    findings(g, "audit", wd.audits(), w);
                    g.writeNumberField("ruleResults", wd.results().size());
                    if (verbose) {
                        g.writeArrayFieldStart("outcomes");
                        for (RuleResult rr : wd.results()) {
                            g.writeStartObject();
                            g.writeStringField("policy", rr.policy());
                            g.writeStringField("rule", rr.rule());
                            g.writeStringField("outcome", rr.outcome().label());
                            g.writeStringField("code", rr.code().name());
                            g.writeStringField("path", rr.path().toString());
                            g.writeStringField("message", rr.message());
                            g.writeEndObject();
                        }
                        g.writeEndArray();
                    }
                } else if (e instanceof CheckReport.Ignored i) {
                    Skipped s = i.skipped();
                    Position at = s.document().locate(s.objectPath());
                    g.writeStringField("kind", s.kind());
                    g.writeStringField("apiVersion", s.apiVersion());
                    g.writeStringField("namespace", s.namespace());
                    g.writeStringField("name", s.name());
                    g.writeStringField("source", at.source());
                    g.writeNumberField("line", at.line());
                    g.writeBooleanField("allowed", true);
                    g.writeBooleanField("skipped", true);
                    g.writeStringField("reason", s.reason());
                    g.writeArrayFieldStart("violations");
                    g.writeEndArray();
                    g.writeArrayFieldStart("warnings");
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("errors");
            for (String p : r.problems()) {
                g.writeString(p);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        out.write('\n');
        out.flush();
    }

    private static void findings(JsonGenerator g, String field, List<RuleResult> results, Workload w) throws IOException {
        g.writeArrayFieldStart(field);
        for (RuleResult rr : results) {
            g.writeStartObject();
            g.writeStringField("policy", rr.policy());
            g.writeStringField("rule", rr.rule());
            g.writeStringField("code", rr.code().name());
            g.writeStringField("path", rr.path().toString());
            g.writeStringField("message", rr.message());
            g.writeStringField("outcome", rr.outcome().label());
            g.writeStringField("action", rr.action().label());
            Position p = w.document().locate(rr.path());
            if (p.line() > 0) {
                g.writeNumberField("line", p.line());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    // ---------------------------------------------------------------- sarif

    static void sarif(CheckReport r, Writer out, String version) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        root.put("version", "2.1.0");
        ObjectNode run = root.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", "custody");
        driver.put("version", version);
        Map<String, Integer> ruleIndex = new LinkedHashMap<>();
        ArrayNode rules = driver.putArray("rules");
        ArrayNode results = run.putArray("results");
        for (CheckReport.Entry e : r.entries()) {
            if (!(e instanceof CheckReport.Decided d)) {
                continue;
            }
            Workload w = d.decision().workload();
            for (RuleResult rr : d.decision().results()) {
                String level = rr.denies() ? "error" : rr.warns() ? "warning" : rr.audits() ? "note" : null;
                if (level == null) {
                    continue;
                }
                String ruleId = rr.rule() + "/" + rr.code().name();
                Integer idx = ruleIndex.get(ruleId);
                if (idx == null) {
                    idx = ruleIndex.size();
                    ruleIndex.put(ruleId, idx);
                    ObjectNode rule = rules.addObject();
                    rule.put("id", ruleId);
                    rule.put("name", rr.code().name());
                    rule.putObject("shortDescription").put("text", rr.code().description());
                    rule.putObject("properties").put("rule", rr.rule());
                }
                ObjectNode res = results.addObject();
                res.put("ruleId", ruleId);
                res.put("ruleIndex", idx);
                res.put("level", level);
                res.putObject("message").put("text", w.displayName() + ": " + rr.message());
                Position p = w.document().locate(rr.path());
                ObjectNode phys = res.putArray("locations").addObject().putObject("physicalLocation");
                phys.putObject("artifactLocation").put("uri", uri(p.source()));
                if (p.line() > 0) {
                    ObjectNode region = phys.putObject("region");
                    region.put("startLine", p.line());
                    if (p.column() > 0) {
                        region.put("startColumn", p.column());
                    }
                }
                ObjectNode props = res.putObject("properties");
                props.put("policy", rr.policy());
                props.put("path", rr.path().toString());
                props.put("action", rr.action().label());
                props.put("workload", w.displayName());
                props.put("policyVersion", r.policyVersion());
            }
        }
        ObjectNode invocation = run.putArray("invocations").addObject();
        invocation.put("executionSuccessful", r.problems().isEmpty());
        ArrayNode notes = invocation.putArray("toolExecutionNotifications");
        for (String p : r.problems()) {
            ObjectNode n = notes.addObject();
            n.put("level", "error");
            n.putObject("message").put("text", p);
        }
        JSON.writeValue(out, root);
        out.write('\n');
        out.flush();
    }

    private static String uri(String source) {
        return source.equals("<stdin>") ? "stdin" : source.replace('\\', '/');
    }

    // ---------------------------------------------------------------- junit

    static void junit(CheckReport r, Writer out) throws IOException {
        StringBuilder sb = new StringBuilder();
        long failures = r.denied();
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append("<testsuites name=\"custody check\" tests=\"").append(r.entries().size()).append("\" failures=\"")
                .append(failures).append("\" errors=\"").append(r.problems().size()).append("\">\n");
        sb.append("  <testsuite name=\"custody check\" tests=\"").append(r.entries().size() + r.problems().size())
                .append("\" failures=\"").append(failures).append("\" errors=\"").append(r.problems().size())
                .append("\" skipped=\"").append(r.skipped()).append("\">\n");
        sb.append("    <properties><property name=\"policyVersion\" value=\"").append(xml(r.policyVersion())).append("\"/></properties>\n");
        for (CheckReport.Entry e : r.entries()) {
            if (e instanceof CheckReport.Decided d) {
                WorkloadDecision wd = d.decision();
                Workload w = wd.workload();
                sb.append("    <testcase classname=\"").append(xml(w.document().source())).append("\" name=\"")
                        .append(xml(w.kind().kind() + " " + wd.namespace() + "/" + w.name())).append("\">\n");
                if (!wd.allowed()) {
                    List<RuleResult> v = wd.violations();
                    sb.append("      <failure type=\"denied\" message=\"").append(xml(v.get(0).code() + ": " + v.get(0).message()))
                            .append("\">");
                    for (RuleResult rr : v) {
                        Position p = w.document().locate(rr.path());
                        sb.append(xml(rr.qualifiedRule() + " " + rr.code() + " " + rr.path() + (p.line() > 0 ? " (line " + p.line() + ")" : "")
                                + ": " + rr.message())).append('\n');
                    }
                    sb.append("</failure>\n");
                }
                List<RuleResult> warns = wd.warnings();
                if (!warns.isEmpty()) {
                    sb.append("      <system-out>");
                    for (RuleResult rr : warns) {
                        sb.append(xml("warning: " + rr.qualifiedRule() + " " + rr.code() + ": " + rr.message())).append('\n');
                    }
                    sb.append("</system-out>\n");
                }
                sb.append("    </testcase>\n");
            } else if (e instanceof CheckReport.Ignored i) {
                Skipped s = i.skipped();
                sb.append("    <testcase classname=\"").append(xml(s.document().source())).append("\" name=\"")
                        .append(xml(s.kind() + " " + (s.namespace() != null ? s.namespace() + "/" : "") + s.name()))
                        .append("\"><skipped message=\"").append(xml(s.reason())).append("\"/></testcase>\n");
            }
        }
        for (String p : r.problems()) {
            sb.append("    <testcase classname=\"input\" name=\"").append(xml(p.length() > 80 ? p.substring(0, 80) : p))
                    .append("\"><error type=\"input\" message=\"").append(xml(p)).append("\"/></testcase>\n");
        }
        sb.append("  </testsuite>\n</testsuites>\n");
        out.write(sb.toString());
        out.flush();
    }

    static String xml(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
                        sb.append("\\u").append(String.format("%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
