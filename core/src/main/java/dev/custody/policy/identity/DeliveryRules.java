package dev.custody.policy.identity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.decision.Action;
import dev.custody.decision.ReasonCode;
import dev.custody.manifest.FieldPath;
import dev.custody.policy.Fields;
import dev.custody.policy.Glob;
import dev.custody.policy.ResultSink;
import dev.custody.policy.Rule;
import dev.custody.policy.RuleContext;
import dev.custody.policy.RuleFamily;
import dev.custody.policy.RuleSettings;
import dev.custody.policy.Tier;
import dev.custody.workload.Workload;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code spec.delivery} section: how workloads may reach the cluster. Who may write them (the request's
 * userInfo: the GitOps controller's identity; controllers writing the objects they own, such as ReplicaSets of a
 * Deployment, are judged through their owner), from which GitOps resource, repository and path (Argo CD's tracking
 * annotation, Flux's labels, and the resource itself as the API server knows it), a break-glass grant as the one way
 * for a human to write, and Helm charts at pinned versions.
 *
 * <pre>
 * delivery:
 *   writers: [system:serviceaccount:argocd:argocd-application-controller]
 *   sources:
 *     - application: argocd/prod-*          # or kustomization: NS/NAME, helmRelease: NS/NAME
 *       repo: https://git.example.com/acme/deploy.git
 *       path: apps/production/*
 *   charts: {pinned: true, allowed: {podinfo: "6.*"}}
 * </pre>
 */
public final class DeliveryRules implements RuleFamily {

    static final Set<String> FIELDS = Set.of("writers", "controllers", "argocdNamespace", "sources", "charts", "breakGlass", "action");
    static final Set<String> BREAK_GLASS_FIELDS = Set.of("maxLength");
    static final Set<String> SOURCE_FIELDS = Set.of("application", "kustomization", "helmRelease", "repo", "path", "revision");
    static final Set<String> CHART_FIELDS = Set.of("pinned", "allowed");
    /** Who writes the objects other objects own: the controllers of kube-controller-manager. */
    static final List<String> DEFAULT_CONTROLLERS = List.of("system:serviceaccount:kube-system:*", "system:kube-controller-manager");
    /** Semantic version 2.0.0, as Helm requires of chart versions; anything else (a range, "*", nothing) is not pinned. */
    static final Pattern EXACT_VERSION = Pattern.compile("v?(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z.-]+)?([+_][0-9A-Za-z.-]+)?");
    static final String CHART_LABEL = "helm.sh/chart";

    /** How a write was classified, once per evaluation, for the writer and source rules alike. */
    enum Writer { NOT_ADMISSION, WRITER, CONTROLLER, BREAK_GLASS, OTHER }

    record SourceRule(Tracking.Kind kind, Glob name, Glob repo, Glob path, Glob revision, FieldPath at) {}

    record Settings(List<Glob> writers, List<Glob> controllers, String argoNamespace, List<SourceRule> sources, boolean pinned,
                    Map<String, Glob> allowedCharts, java.time.Duration breakGlassMax) {}

    @Override
    public String field() {
        return "delivery";
    }

    @Override
    public int order() {
        return 450;
    }

    @Override
    public List<Rule> read(Fields spec, Tier tier, Action defaultAction) {
        Fields f = spec.object("delivery", FIELDS);
        if (f == null) {
            return List.of();
        }
        Action action = Action.parse(f.choice("action", RuleSettings.ACTIONS, defaultAction.label()));
        List<Glob> writers = f.strings("writers").stream().map(Glob::of).toList();
        List<Glob> controllers = (f.has("controllers") ? f.strings("controllers") : DEFAULT_CONTROLLERS).stream().map(Glob::of).toList();
        String argoNs = f.string("argocdNamespace", false);
        List<SourceRule> sources = sources(f);
        Fields charts = f.object("charts", CHART_FIELDS);
        boolean pinned = true;
        Map<String, Glob> allowed = new LinkedHashMap<>();
        if (charts != null) {
            Boolean p = charts.bool("pinned");
            pinned = p == null || p;
            charts.stringMap("allowed").forEach((k, v) -> allowed.put(k, Glob.of(v)));
        }
        java.time.Duration glassMax = java.time.Duration.ofHours(24);
        Fields bg = f.object("breakGlass", BREAK_GLASS_FIELDS);
        String ml = bg == null ? null : bg.string("maxLength", false);
        if (ml != null) {
            try {
                glassMax = dev.custody.policy.Ages.parse(ml);
            } catch (IllegalArgumentException e) {
                bg.error(bg.path().child("maxLength"), e.getMessage());
            }
        }
        Settings s = new Settings(writers, controllers, argoNs == null ? "argocd" : argoNs, sources, pinned, allowed, glassMax);
        List<Rule> rules = new ArrayList<>();
        if (!writers.isEmpty()) {
            rules.add(new SimpleRule("delivery.writer", action, (w, ctx, out) -> writer(s, w, ctx, out)));
        } else if (!sources.isEmpty()) {
            f.error(f.path().child("sources"), "needs writers: the GitOps controller identities whose writes the sources are judged for");
        }
        if (!sources.isEmpty()) {
            rules.add(new SimpleRule("delivery.source", action, (w, ctx, out) -> source(s, w, ctx, out)));
        }
        if (charts != null) {
            rules.add(new SimpleRule("delivery.chart", action, (w, ctx, out) -> chart(s, w, ctx, out)));
        }
        return rules;
    }

    private static List<SourceRule> sources(Fields f) {
        List<SourceRule> out = new ArrayList<>();
        JsonNode list = f.raw("sources");
        if (list == null || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            f.error(f.path().child("sources"), "must be a list, found " + Fields.kind(list));
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            FieldPath at = f.path().child("sources").index(i);
            Fields e = Fields.of(f.document(), f.errors(), list.get(i), at, SOURCE_FIELDS);
            if (e == null) {
                continue;
            }
            Tracking.Kind kind = null;
            String name = null;
            for (var k : Map.of("application", Tracking.Kind.APPLICATION, "kustomization", Tracking.Kind.KUSTOMIZATION, "helmRelease",
                    Tracking.Kind.HELM_RELEASE).entrySet()) {
                String v = e.string(k.getKey(), false);
                if (v != null) {
                    if (kind != null) {
                        e.error(at, "names both " + kind.label() + " and " + k.getValue().label() + "; one entry names one GitOps resource");
                    }
                    kind = k.getValue();
                    name = v;
                }
            }
            if (kind == null) {
                e.error(at, "must name an application, kustomization or helmRelease (NAMESPACE/NAME, globs allowed)");
                continue;
            }
            if (!name.contains("/")) {
                e.error(at.child(kind == Tracking.Kind.HELM_RELEASE ? "helmRelease" : kind.label().toLowerCase()),
                        "must be NAMESPACE/NAME, found \"" + name + "\"");
                continue;
            }
            out.add(new SourceRule(kind, Glob.of(name), glob(e.string("repo", false)), glob(e.string("path", false)),
                    glob(e.string("revision", false)), at));
        }
        return out;
    }

    private static Glob glob(String s) {
        return s == null ? null : Glob.of(normalRepo(s));
    }

    /** Repository URLs compare without a trailing slash or ".git". */
    static String normalRepo(String s) {
        String r = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        return r.endsWith(".git") ? r.substring(0, r.length() - 4) : r;
    }

    private static Writer classify(Settings s, Workload w, RuleContext ctx) {
        return ctx.memo(Writer.class, k -> {
            JsonNode req = ctx.request();
            if (req == null) {
                return Writer.NOT_ADMISSION;
            }
            String user = req.path("userInfo").path("username").asText("");
            if (any(s.writers(), user)) {
                return Writer.WRITER;
            }
            if (controllerOwned(w.object()) && any(s.controllers(), user)) {
                return Writer.CONTROLLER;
            }
            BreakGlassGrant g = grant(ctx, user, true);
            return g != null && g.length().compareTo(s.breakGlassMax()) <= 0 ? Writer.BREAK_GLASS : Writer.OTHER;
        });
    }

    private static boolean any(List<Glob> globs, String s) {
        for (Glob g : globs) {
            if (g.matches(s)) {
                return true;
            }
        }
        return false;
    }

    private static boolean controllerOwned(JsonNode object) {
        for (JsonNode o : object.path("metadata").path("ownerReferences")) {
            if (o.path("controller").asBoolean(false)) {
                return true;
            }
        }
        return false;
    }

    /** The grant that covers {@code user} in the namespace: an active one, or (when {@code active} is false) the latest that ran out. */
    private static BreakGlassGrant grant(RuleContext ctx, String user, boolean active) {
        if (ctx.vulns() == null) {
            return null;
        }
        long now = ctx.vulns().now();
        BreakGlassGrant best = null;
        for (BreakGlassGrant g : ctx.vulns().breakGlass()) {
            if (g.covers(user, ctx.namespace()) && g.activeAt(now) == active && (best == null || g.expiresAt() > best.expiresAt())) {
                best = g;
            }
        }
        return best;
    }

    private static void writer(Settings s, Workload w, RuleContext ctx, ResultSink out) {
        FieldPath at = w.objectPath();
        String user = ctx.request() == null ? "" : ctx.request().path("userInfo").path("username").asText("");
        switch (classify(s, w, ctx)) {
            case NOT_ADMISSION -> out.skip(ReasonCode.DELIVERY_NOT_IN_ADMISSION, at, "who writes " + w.displayName() + " is known in admission only");
            case WRITER -> out.pass(ReasonCode.DELIVERY_WRITER_OK, at, w.displayName() + " is written by " + user + ", an approved writer");
            case CONTROLLER -> out.pass(ReasonCode.DELIVERY_CONTROLLER_OWNED, at, w.displayName() + " is written by " + user
                    + " for the object that owns it; the owner's write was judged");
            case BREAK_GLASS -> {
                BreakGlassGrant g = grant(ctx, user, true);
                out.warn(ReasonCode.DELIVERY_BREAK_GLASS, at, w.displayName() + " is written by " + user + " under break-glass grant " + g.id()
                        + " (approved by " + g.approver() + ", until " + Instant.ofEpochMilli(g.expiresAt()) + "): " + g.reason());
            }
            case OTHER -> {
                BreakGlassGrant active = grant(ctx, user, true);
                BreakGlassGrant ran = active != null ? active : grant(ctx, user, false);
                String names = String.join(", ", s.writers().stream().map(Glob::pattern).toList());
                out.fail(ReasonCode.DELIVERY_WRITER_UNAPPROVED, at, w.displayName() + " is written by " + (user.isEmpty() ? "an unnamed user" : user)
                        + "; workloads here are written by " + names + " (spec.delivery.writers)"
                        + (ran == null ? "; a break-glass grant admits a person for a time"
                        : "; break-glass grant " + ran.id() + " is not honoured: it " + (ran == active ? "runs " + ran.length()
                        + ", longer than spec.delivery.breakGlass.maxLength " + s.breakGlassMax() : ran.expiresAt() <= ctx.vulns().now()
                        ? "expired at " + Instant.ofEpochMilli(ran.expiresAt()) : "is not active yet")));
            }
        }
    }

    private static void source(Settings s, Workload w, RuleContext ctx, ResultSink out) {
        FieldPath at = w.prefix(FieldPath.root().child("metadata"));
        switch (classify(s, w, ctx)) {
            case NOT_ADMISSION -> {
                out.skip(ReasonCode.DELIVERY_NOT_IN_ADMISSION, at, "GitOps tracking is written by the controller when it applies "
                        + w.displayName() + "; it is judged in admission");
                return;
            }
            case CONTROLLER, BREAK_GLASS, OTHER -> {
                return; // the owner's write, a grant, or the writer rule's denial: no GitOps source to judge
            }
            case WRITER -> { }
        }
        Tracking.Found found = Tracking.of(w.object(), s.argoNamespace());
        if (found.problem() != null) {
            out.fail(ReasonCode.DELIVERY_TRACKING_INVALID, at, w.displayName() + " " + found.problem());
            return;
        }
        if (found.ref() == null) {
            out.fail(ReasonCode.DELIVERY_UNTRACKED, at, w.displayName() + " carries no GitOps tracking (" + Tracking.ARGO_ANNOTATION + " or "
                    + Tracking.FLUX_KUSTOMIZE + "name); it cannot be traced to an approved repository");
            return;
        }
        Tracking.Ref ref = found.ref();
        List<String> misses = new ArrayList<>();
        boolean named = false;
        for (SourceRule r : s.sources()) {
            if (r.kind() != ref.kind() || !r.name().matches(ref.key())) {
                continue;
            }
            named = true;
            if (r.repo() == null && r.path() == null && r.revision() == null) {
                out.pass(ReasonCode.DELIVERY_SOURCE_OK, at, w.displayName() + " comes from " + ref + ", an approved source (" + r.at() + ")");
                return;
            }
            DeliverySources.Source src = ctx.sources() == null ? null : ctx.sources().find(ref);
            if (src == null) {
                out.fail(ReasonCode.DELIVERY_SOURCE_UNKNOWN, at, w.displayName() + " comes from " + ref + ", which "
                        + (ctx.sources() == null ? "cannot be read here" : "the API server does not know (or Custody has not read yet)")
                        + "; its repository and path cannot be checked");
                return;
            }
            String miss = mismatch(r, src);
            if (miss == null) {
                out.pass(ReasonCode.DELIVERY_SOURCE_OK, at, w.displayName() + " comes from " + ref + " (" + src.repo()
                        + (src.path() == null ? "" : " path " + src.path()) + "), an approved source (" + r.at() + ")");
                return;
            }
            misses.add(miss + " (" + r.at() + ")");
        }
        out.fail(ReasonCode.DELIVERY_SOURCE_UNAPPROVED, at, w.displayName() + " comes from " + ref + ", "
                + (named ? "whose " + String.join("; ", misses) : "which no entry of spec.delivery.sources names"));
    }

    private static String mismatch(SourceRule r, DeliverySources.Source src) {
        if (r.repo() != null && (src.repo() == null || !r.repo().matches(normalRepo(src.repo())))) {
            return "repository " + src.repo() + " is not " + r.repo().pattern();
        }
        if (r.path() != null && (src.path() == null || !r.path().matches(trimSlashes(src.path())))) {
            return "path " + (src.path() == null ? "(none)" : src.path()) + " is not " + r.path().pattern();
        }
        if (r.revision() != null && (src.revision() == null || !r.revision().matches(src.revision()))) {
            return "revision " + (src.revision() == null ? "(none)" : src.revision()) + " is not " + r.revision().pattern();
        }
        return null;
    }

    private static String trimSlashes(String p) {
        String s = p.startsWith("./") ? p.substring(2) : p;
        while (s.startsWith("/")) {
            s = s.substring(1);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    private static void chart(Settings s, Workload w, RuleContext ctx, ResultSink out) {
        boolean judged = false;
        String label = w.object().path("metadata").path("labels").path(CHART_LABEL).asText("");
        if (!label.isEmpty()) {
            judged = true;
            FieldPath at = w.prefix(FieldPath.root().child("metadata").child("labels").child(CHART_LABEL));
            String[] nv = splitChart(label);
            if (nv == null) {
                out.fail(ReasonCode.DELIVERY_CHART_UNPINNED, at, w.displayName() + " has " + CHART_LABEL + "=" + label
                        + ", which names no exact chart version");
            } else {
                judgeChart(s, w, nv[0], nv[1], "label " + CHART_LABEL, at, out);
            }
        }
        if (ctx.request() != null && ctx.sources() != null) {
            Tracking.Found found = Tracking.of(w.object(), s.argoNamespace());
            DeliverySources.Source src = found.ref() == null ? null : ctx.sources().find(found.ref());
            if (src != null && src.chart() != null) {
                judged = true;
                FieldPath at = w.prefix(FieldPath.root().child("metadata"));
                String v = src.chartVersion();
                if (v == null || v.isBlank() || !EXACT_VERSION.matcher(v).matches()) {
                    out.fail(ReasonCode.DELIVERY_CHART_UNPINNED, at, w.displayName() + " comes from chart " + src.chart() + " of " + found.ref()
                            + " at " + (v == null || v.isBlank() ? "no version (the newest)" : "version \"" + v + "\"")
                            + ", not a pinned version; a range moves when the chart repository does");
                } else {
                    judgeChart(s, w, src.chart(), v, found.ref().toString(), at, out);
                }
            }
        }
        if (!judged) {
            out.skip(ReasonCode.DELIVERY_CHART_NONE, w.objectPath(), w.displayName() + " does not come from a Helm chart");
        }
    }

    private static void judgeChart(Settings s, Workload w, String chart, String version, String from, FieldPath at, ResultSink out) {
        if (!s.allowedCharts().isEmpty()) {
            Glob g = s.allowedCharts().get(chart);
            if (g == null || !g.matches(version)) {
                out.fail(ReasonCode.DELIVERY_CHART_UNAPPROVED, at, w.displayName() + " comes from chart " + chart + " " + version + " (" + from + ")"
                        + (g == null ? ", which spec.delivery.charts.allowed does not name" : ", outside the allowed versions " + g.pattern()));
                return;
            }
        }
        out.pass(ReasonCode.DELIVERY_CHART_OK, at, w.displayName() + " comes from chart " + chart + " at pinned version " + version + " (" + from + ")");
    }

    /** {@code NAME-VERSION} as Helm writes it (a "+" in the version as "_"), or null when no exact version follows a dash. */
    static String[] splitChart(String label) {
        for (int i = label.indexOf('-'); i > 0; i = label.indexOf('-', i + 1)) {
            String v = label.substring(i + 1);
            if (EXACT_VERSION.matcher(v).matches()) {
                return new String[] {label.substring(0, i), v};
            }
        }
        return null;
    }
}
