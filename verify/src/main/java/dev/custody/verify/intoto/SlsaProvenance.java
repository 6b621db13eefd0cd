package dev.custody.verify.intoto;

import static dev.custody.verify.intoto.InvalidStatementException.Kind.BUILDER_ID_REQUIRED;
import static dev.custody.verify.intoto.InvalidStatementException.Kind.BUILDER_REQUIRED;
import static dev.custody.verify.intoto.InvalidStatementException.Kind.BUILD_DEFINITION_REQUIRED;
import static dev.custody.verify.intoto.InvalidStatementException.Kind.BUILD_TYPE_REQUIRED;
import static dev.custody.verify.intoto.InvalidStatementException.Kind.EXTERNAL_PARAMETERS_REQUIRED;
import static dev.custody.verify.intoto.InvalidStatementException.Kind.INVALID_TIMESTAMP;
import static dev.custody.verify.intoto.InvalidStatementException.Kind.MALFORMED;
import static dev.custody.verify.intoto.InvalidStatementException.Kind.RUN_DETAILS_REQUIRED;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * SLSA provenance predicates: validation of v1 as the in-toto Go library does it (which cosign and the
 * policy-controller use), the SLSA v0.2 spec's required fields, and the reading of {@link ProvenanceFacts}.
 * Fields are named from the statement's root ({@code predicate.…}).
 */
public final class SlsaProvenance {

    public static final String V1 = "https://slsa.dev/provenance/v1";
    public static final String V0_2 = "https://slsa.dev/provenance/v0.2";

    /**
     * v1 build types of GitHub Actions workflows (GitHub's artifact attestations, slsa-github-generator): their
     * {@code externalParameters.workflow} names repository, ref and path, {@code internalParameters.github} the
     * event. Other build types are read only for their git dependencies, as their parameters mean other things.
     */
    static final Set<String> GITHUB_ACTIONS_V1 = Set.of("https://actions.github.io/buildtypes/workflow/v1",
            "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1");

    /** v0.2 build types run as GitHub Actions workflows: configSource.entryPoint is the workflow file. */
    private static final List<String> GITHUB_ACTIONS_V02 = List.of("https://github.com/npm/cli/gha",
            "https://github.com/slsa-framework/slsa-github-generator/", "https://github.com/Attestations/GitHubActionsWorkflow@");

    private static final String P = "predicate";

    private SlsaProvenance() {}

    /**
     * Validates a SLSA v1 predicate: buildDefinition with buildType and non-empty externalParameters, runDetails
     * with builder and builder.id, valid resource descriptors, RFC 3339 timestamps. An empty object counts as
     * missing, as in the Go library.
     */
    public static void validateV1(JsonNode predicate) throws InvalidStatementException {
        v1Dependencies(predicate);
    }

    /** Validates and returns the resolved dependencies, so that reading the facts walks them once. */
    private static List<ResourceDescriptor> v1Dependencies(JsonNode predicate) throws InvalidStatementException {
        if (predicate == null || !predicate.isObject()) {
            throw new InvalidStatementException(MALFORMED, P, "must be an object");
        }
        JsonNode definition = Json.object(predicate, "buildDefinition", P);
        String def = Json.at(P, "buildDefinition");
        if (Json.absent(definition)) {
            throw new InvalidStatementException(BUILD_DEFINITION_REQUIRED, def, "is required");
        }
        if (Json.nonEmptyText(definition, "buildType", def) == null) {
            throw new InvalidStatementException(BUILD_TYPE_REQUIRED, Json.at(def, "buildType"), "is required");
        }
        JsonNode external = Json.object(definition, "externalParameters", def);
        if (external == null || external.isEmpty()) {
            throw new InvalidStatementException(EXTERNAL_PARAMETERS_REQUIRED, Json.at(def, "externalParameters"), "is required");
        }
        Json.object(definition, "internalParameters", def);
        List<ResourceDescriptor> dependencies = descriptors(definition, "resolvedDependencies", def);

        JsonNode run = Json.object(predicate, "runDetails", P);
        String runAt = Json.at(P, "runDetails");
        if (Json.absent(run)) {
            throw new InvalidStatementException(RUN_DETAILS_REQUIRED, runAt, "is required");
        }
        JsonNode builder = Json.object(run, "builder", runAt);
        String builderAt = Json.at(runAt, "builder");
        if (Json.absent(builder)) {
            throw new InvalidStatementException(BUILDER_REQUIRED, builderAt, "is required");
        }
        if (Json.nonEmptyText(builder, "id", builderAt) == null) {
            throw new InvalidStatementException(BUILDER_ID_REQUIRED, Json.at(builderAt, "id"), "is required");
        }
        Json.object(builder, "version", builderAt);
        descriptors(builder, "builderDependencies", builderAt);
        JsonNode metadata = Json.object(run, "metadata", runAt);
        if (metadata != null) {
            String at = Json.at(runAt, "metadata");
            Json.text(metadata, "invocationId", at);
            timestamp(metadata, "startedOn", at);
            timestamp(metadata, "finishedOn", at);
        }
        descriptors(run, "byproducts", runAt);
        return dependencies;
    }

    static ProvenanceFacts factsV1(JsonNode predicate) throws InvalidStatementException {
        List<ResourceDescriptor> dependencies = v1Dependencies(predicate);
        JsonNode definition = predicate.get("buildDefinition");
        String buildType = definition.get("buildType").textValue();
        String builderId = predicate.get("runDetails").get("builder").get("id").textValue();
        String def = Json.at(P, "buildDefinition");
        JsonNode external = definition.get("externalParameters");

        String repository = null;
        String ref = null;
        String path = null;
        String trigger = null;
        if (GITHUB_ACTIONS_V1.contains(buildType)) {
            String ext = Json.at(def, "externalParameters");
            JsonNode workflow = Json.object(external, "workflow", ext);
            if (workflow != null) {
                String at = Json.at(ext, "workflow");
                repository = Json.nonEmptyText(workflow, "repository", at);
                ref = Json.nonEmptyText(workflow, "ref", at);
                path = Json.nonEmptyText(workflow, "path", at);
            }
            JsonNode internal = Json.member(definition, "internalParameters");
            JsonNode github = internal == null ? null : Json.object(internal, "github", Json.at(def, "internalParameters"));
            if (github != null) {
                trigger = Json.nonEmptyText(github, "event_name", Json.at(def, "internalParameters.github"));
            }
        }
        ResourceDescriptor source = sourceDependency(dependencies, repository);
        if (repository == null && source != null) {
            repository = GitUri.repository(source.uri());
        }
        if (ref == null && source != null) {
            ref = GitUri.ref(source.uri());
        }
        return new ProvenanceFacts(V1, builderId, buildType, repository, ref, source == null ? null : commit(source), path, trigger,
                dependencies);
    }

    static ProvenanceFacts factsV02(JsonNode predicate) throws InvalidStatementException {
        if (predicate == null || !predicate.isObject()) {
            throw new InvalidStatementException(MALFORMED, P, "must be an object");
        }
        JsonNode builder = Json.object(predicate, "builder", P);
        String builderAt = Json.at(P, "builder");
        if (Json.absent(builder)) {
            throw new InvalidStatementException(BUILDER_REQUIRED, builderAt, "is required");
        }
        String builderId = Json.nonEmptyText(builder, "id", builderAt);
        if (builderId == null) {
            throw new InvalidStatementException(BUILDER_ID_REQUIRED, Json.at(builderAt, "id"), "is required");
        }
        String buildType = Json.nonEmptyText(predicate, "buildType", P);
        if (buildType == null) {
            throw new InvalidStatementException(BUILD_TYPE_REQUIRED, Json.at(P, "buildType"), "is required");
        }
        List<ResourceDescriptor> materials = descriptors(predicate, "materials", P);
        JsonNode metadata = Json.object(predicate, "metadata", P);
        if (metadata != null) {
            String at = Json.at(P, "metadata");
            timestamp(metadata, "buildStartedOn", at);
            timestamp(metadata, "buildFinishedOn", at);
        }
        String invAt = Json.at(P, "invocation");
        JsonNode invocation = Json.object(predicate, "invocation", P);
        JsonNode configSource = invocation == null ? null : Json.object(invocation, "configSource", invAt);
        String configAt = Json.at(invAt, "configSource");
        ResourceDescriptor config = Json.absent(configSource) ? null : ResourceDescriptor.fromJson(configSource, configAt);
        JsonNode environment = invocation == null ? null : Json.member(invocation, "environment");
        boolean github = GITHUB_ACTIONS_V02.stream().anyMatch(buildType::startsWith);

        ResourceDescriptor source = config != null && config.uri() != null ? config : sourceDependency(materials, null);
        String repository = source == null ? null : GitUri.repository(source.uri());
        String ref = source == null ? null : GitUri.ref(source.uri());
        String commit = source == null ? null : commit(source);
        String path = null;
        String trigger = null;
        if (github) {
            path = config == null ? null : Json.nonEmptyText(configSource, "entryPoint", configAt);
            if (environment != null && environment.isObject()) {
                trigger = env(environment, "GITHUB_EVENT_NAME", "github_event_name");
                ref = ref != null ? ref : env(environment, "GITHUB_REF", "github_ref");
                commit = commit != null ? commit : env(environment, "GITHUB_SHA", "github_sha1");
            }
        }
        return new ProvenanceFacts(V0_2, builderId, buildType, repository, ref, commit, path, trigger, materials);
    }

    /**
     * The dependency that is the source: the git dependency of the named repository, else the first git
     * dependency. Builders list the source first, then tools and base images.
     */
    private static ResourceDescriptor sourceDependency(List<ResourceDescriptor> dependencies, String repository) {
        ResourceDescriptor first = null;
        for (ResourceDescriptor d : dependencies) {
            if (d.uri() == null || !d.uri().startsWith("git+")) {
                continue;
            }
            if (repository != null && repository.equals(GitUri.repository(d.uri()))) {
                return d;
            }
            first = first == null ? d : first;
        }
        return first;
    }

    private static String commit(ResourceDescriptor source) {
        String commit = source.digest("gitCommit");
        return commit != null ? commit : source.digest("sha1");
    }

    /** Either spelling: npm writes GitHub's variable names, slsa-github-generator lower-case ones. */
    private static String env(JsonNode environment, String upper, String lower) {
        for (String name : List.of(upper, lower)) {
            JsonNode v = environment.get(name);
            if (v != null && v.isTextual() && !v.textValue().isEmpty()) {
                return v.textValue();
            }
        }
        return null;
    }

    private static List<ResourceDescriptor> descriptors(JsonNode parent, String name, String path) throws InvalidStatementException {
        JsonNode array = Json.array(parent, name, path);
        List<ResourceDescriptor> out = new ArrayList<>();
        if (array != null) {
            for (int i = 0; i < array.size(); i++) {
                out.add(ResourceDescriptor.fromJson(array.get(i), Json.at(path, name) + "[" + i + "]"));
            }
        }
        return out;
    }

    private static void timestamp(JsonNode parent, String name, String path) throws InvalidStatementException {
        String value = Json.text(parent, name, path);
        if (value == null) {
            return;
        }
        try {
            OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw new InvalidStatementException(INVALID_TIMESTAMP, Json.at(path, name), "must be an RFC 3339 timestamp, found \""
                    + ResourceDescriptor.clip(value) + "\"");
        }
    }

    /** {@code git+https://github.com/o/r@refs/heads/main}: the SPDX-style VCS locator the SLSA builders write. */
    static final class GitUri {

        private GitUri() {}

        /** The repository without {@code git+} and ref; the URI itself when it is not such a locator. */
        static String repository(String uri) {
            if (uri == null) {
                return null;
            }
            String u = uri.startsWith("git+") ? uri.substring(4) : uri;
            int at = refSeparator(u);
            return at < 0 ? u : u.substring(0, at);
        }

        static String ref(String uri) {
            if (uri == null) {
                return null;
            }
            String u = uri.startsWith("git+") ? uri.substring(4) : uri;
            int at = refSeparator(u);
            return at < 0 || at == u.length() - 1 ? null : u.substring(at + 1);
        }

        /** The '@' before the ref: the first in the path, so that user info ({@code git@host}) is not taken for it. */
        private static int refSeparator(String u) {
            int scheme = u.indexOf("://");
            int pathStart = scheme < 0 ? 0 : u.indexOf('/', scheme + 3);
            return pathStart < 0 ? -1 : u.indexOf('@', pathStart);
        }
    }
}
