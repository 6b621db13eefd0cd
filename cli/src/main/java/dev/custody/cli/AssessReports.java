package dev.custody.cli;

import dev.custody.assess.Assessment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An assessment as JSON, as text for a terminal, and as a Markdown report fit for an audit. */
final class AssessReports {

    private AssessReports() {}

    static Map<String, Object> json(Assessment.Report r) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("level", r.level());
        o.put("assessedAt", Instant.ofEpochMilli(r.at()).toString());
        o.put("policyVersion", r.policyVersion());
        o.put("productionNamespaces", r.production());
        o.put("productionNamespacesFrom", r.productionFrom());
        List<Map<String, Object>> levels = new ArrayList<>();
        for (Assessment.LevelResult l : r.levels()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("level", l.level());
            m.put("name", l.name());
            m.put("status", l.status().label());
            m.put("criteria", l.criteria().stream().map(AssessReports::item).toList());
            levels.add(m);
        }
        o.put("levels", levels);
        o.put("gate", r.gate().stream().map(AssessReports::item).toList());
        List<Map<String, Object>> questions = new ArrayList<>();
        for (Assessment.Question q : r.questions()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("number", q.number());
            m.put("id", q.id());
            m.put("question", q.question());
            m.put("status", q.status().label());
            m.put("answer", q.answer());
            m.put("evidence", q.evidence());
            m.put("missing", q.missing());
            questions.add(m);
        }
        o.put("questions", questions);
        return o;
    }

    private static Map<String, Object> item(Assessment.Item i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i.id());
        m.put("title", i.title());
        m.put("status", i.status().label());
        m.put("evidence", i.evidence());
        m.put("missing", i.missing());
        return m;
    }

    static String text(Assessment.Report r) {
        StringBuilder b = new StringBuilder();
        b.append("maturity level ").append(r.level()).append(" of 6 (policy version ").append(r.policyVersion()).append(")\n");
        b.append("production namespaces: ").append(r.production().isEmpty() ? "none known" : String.join(", ", r.production()));
        b.append(r.productionFrom() == null ? "" : " (from " + r.productionFrom() + ")").append("\n\n");
        for (Assessment.LevelResult l : r.levels()) {
            b.append("level ").append(l.level()).append(" ").append(l.name()).append(": ").append(l.status().label()).append("\n");
            for (Assessment.Item i : l.criteria()) {
                textItem(b, i);
            }
        }
        b.append("\nproduction gate: ").append(r.gate().stream().filter(i -> i.status() == Assessment.Status.PASS).count()).append(" of ")
                .append(r.gate().size()).append(" pass\n");
        for (Assessment.Item i : r.gate()) {
            b.append(String.format("  %-8s %s%n", i.status().label(), i.title()));
            i.missing().forEach(m -> b.append("             missing: ").append(m).append("\n"));
        }
        b.append("\ndesign review\n");
        for (Assessment.Question q : r.questions()) {
            b.append(String.format("  %2d. %s%n      %s: %s%n", q.number(), q.question(), q.status().label(), q.answer()));
        }
        return b.toString();
    }

    private static void textItem(StringBuilder b, Assessment.Item i) {
        b.append(String.format("  %-8s %s [%s]%n", i.status().label(), i.title(), i.id()));
        i.evidence().forEach(e -> b.append("             ").append(e).append("\n"));
        i.missing().forEach(m -> b.append("             missing: ").append(m).append("\n"));
    }

    static String markdown(Assessment.Report r) {
        StringBuilder b = new StringBuilder();
        b.append("# Custody assessment\n\n");
        b.append("- Assessed at: ").append(Instant.ofEpochMilli(r.at())).append("\n");
        b.append("- Maturity level: **").append(r.level()).append(" of 6**\n");
        b.append("- Policy version: `").append(r.policyVersion()).append("`\n");
        b.append("- Production namespaces: ").append(r.production().isEmpty() ? "none known" : String.join(", ", r.production().stream().map(n -> "`" + n + "`").toList()));
        b.append(r.productionFrom() == null ? "" : " (from " + r.productionFrom() + ")").append("\n\n");
        b.append("## Maturity levels\n\n| Level | Name | Status |\n|---|---|---|\n");
        for (Assessment.LevelResult l : r.levels()) {
            b.append("| ").append(l.level()).append(" | ").append(cell(l.name())).append(" | ").append(l.status().label()).append(" |\n");
        }
        for (Assessment.LevelResult l : r.levels()) {
            b.append("\n### Level ").append(l.level()).append(": ").append(l.name()).append(" (").append(l.status().label()).append(")\n\n");
            b.append("| Criterion | Status | Evidence | Missing |\n|---|---|---|---|\n");
            for (Assessment.Item i : l.criteria()) {
                row(b, i.title() + " (`" + i.id() + "`)", i.status(), i.evidence(), i.missing());
            }
        }
        b.append("\n## Production gate\n\n| # | Item | Status | Evidence | Missing |\n|---|---|---|---|---|\n");
        int n = 1;
        for (Assessment.Item i : r.gate()) {
            b.append("| ").append(n++).append(" ");
            row(b, i.title(), i.status(), i.evidence(), i.missing());
        }
        b.append("\n## Design review questions\n\n");
        for (Assessment.Question q : r.questions()) {
            b.append(q.number()).append(". **").append(q.question()).append("** ").append(q.status().label()).append(": ").append(q.answer()).append("\n");
            q.evidence().forEach(e -> b.append("   - ").append(e).append("\n"));
            q.missing().forEach(m -> b.append("   - missing: ").append(m).append("\n"));
        }
        return b.toString();
    }

    private static void row(StringBuilder b, String title, Assessment.Status s, List<String> evidence, List<String> missing) {
        b.append("| ").append(cell(title)).append(" | ").append(s.label()).append(" | ").append(cell(String.join("; ", evidence))).append(" | ")
                .append(cell(String.join("; ", missing))).append(" |\n");
    }

    /** A table cell: pipes escaped, no line breaks. */
    static String cell(String s) {
        return s.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ");
    }
}
