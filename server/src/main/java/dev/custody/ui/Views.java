package dev.custody.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.assess.Assessment;
import java.util.List;

/** The web UI's page models: what each template renders, built by {@link WebUi} from the same views the API answers with. */
public final class Views {

    private Views() {}

    /** What every page's frame shows: the title, the active section, who is logged in and the session's CSRF token. */
    public record Frame(String title, String active, String user, String role, boolean operator, String csrf, String query) {}

    public record Login(String error, String next, String loginCsrf) {}

    /** A page of the runtime inventory and the filter that chose it. */
    public record Inventory(Frame frame, String cluster, String namespace, String team, String registry, String signed, String sbom, boolean drift,
                            List<InventoryRow> rows, int total, List<String> clusters, List<String> teams, String prev, String next) {}

    public record InventoryRow(String cluster, String namespace, String team, String workload, String pod, String container, String image,
                               String digest, boolean signed, boolean sbom, boolean drift, boolean running) {}

    /** One digest: the artifact view the API serves, its findings judged per environment, its components. */
    public record Artifact(Frame frame, JsonNode view, List<Vuln> vulnerabilities, String vulnNote, List<JsonNode> exceptions, int components,
                           List<Component> shown, String componentQuery) {}

    public record Vuln(String id, String aliases, String severity, String purl, String fixed, String status, String exception, String dev,
                       String staging, String production) {}

    public record Component(String name, String version, String type, String purl, String licenses) {}

    public record Decisions(Frame frame, String since, String namespace, String verdict, String rule, int limit, List<Decision> rows,
                            int intact, int broken) {}

    public record Decision(long seq, String at, String verdict, String source, String operation, String namespace, String kind, String name,
                           String user, String policyVersion, List<String[]> images, List<RuleLine> rules, boolean intact, String chain) {}

    public record RuleLine(String policy, String rule, String outcome, String action, String code, String path, String message) {}

    public record Incidents(Frame frame, String state, List<IncidentRow> rows, String error) {}

    public record IncidentRow(String id, String title, String severity, String state, String target, int running, String openedAt, String owner) {}

    public record Incident(Frame frame, JsonNode view, String error, boolean open) {}

    public record Exceptions(Frame frame, String state, List<ExceptionRow> rows, int total, String prev, String next, String error) {}

    public record ExceptionRow(JsonNode view, String countdown, boolean mine, boolean approvable, boolean revocable) {}

    public record AssessmentPage(Frame frame, Assessment.Report report, String note) {}

    public record Search(Frame frame, String query, String kind, List<Hit> hits, String note) {}

    public record Hit(String title, String href, String detail) {}

    public record Error(Frame frame, int status, String message) {}
}
