package dev.custody.policy.cel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.imageref.ImageReference;
import dev.custody.policy.RuleContext;
import dev.custody.workload.Container;
import dev.custody.workload.Workload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the variables a CEL rule sees: those of Kubernetes ValidatingAdmissionPolicy ({@code object},
 * {@code oldObject}, {@code request}, {@code namespaceObject}, {@code params}) and Custody's own
 * ({@code podSpec}, {@code podMetadata}, {@code containers} across all three lists, {@code images} with their
 * parsed parts). Built once per workload evaluation and shared by every CEL rule of it.
 */
final class CelInput {

    private static final Object MEMO_KEY = new Object();

    private CelInput() {}

    static Map<String, Object> activation(Workload w, RuleContext ctx) {
        return ctx.memo(MEMO_KEY, k -> build(w, ctx));
    }

    private static Map<String, Object> build(Workload w, RuleContext ctx) {
        Map<String, Object> vars = new HashMap<>();
        vars.put("object", JsonViews.of(w.object()));
        vars.put("oldObject", JsonViews.of(ctx.oldObject()));
        vars.put("request", ctx.request() != null ? JsonViews.of(ctx.request()) : syntheticRequest(w, ctx));
        Map<String, Object> nsMeta = new LinkedHashMap<>();
        nsMeta.put("name", ctx.namespace());
        nsMeta.put("labels", JsonViews.map(new LinkedHashMap<>(ctx.namespaceLabels())));
        vars.put("namespaceObject", JsonViews.map(Map.of("apiVersion", "v1", "kind", "Namespace", "metadata", JsonViews.map(nsMeta))));
        vars.put("podSpec", JsonViews.of(w.podSpec()));
        JsonNode meta = w.kind().podMetadataPath().in(w.object());
        vars.put("podMetadata", meta == null ? JsonViews.map(Map.of()) : JsonViews.of(meta));
        List<Object> containers = new ArrayList<>();
        List<Object> images = new ArrayList<>();
        for (Container c : w.containers()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            JsonViews.ReadOnlyMap node = (JsonViews.ReadOnlyMap) JsonViews.of(c.node());
            for (Object k : node.keySet()) {
                cm.put((String) k, node.get(k));
            }
            cm.put("containerList", c.list().field());
            cm.put("path", c.path().toString());
            containers.add(JsonViews.map(cm));
            Map<String, Object> img = new LinkedHashMap<>();
            img.put("container", c.name());
            img.put("containerList", c.list().field());
            img.put("path", c.imagePath().toString());
            img.put("image", c.image() == null ? "" : c.image());
            if (c.imageRef() instanceof ImageReference.ParseResult.Parsed p) {
                ImageReference r = p.reference();
                img.put("valid", true);
                img.put("registry", r.registry());
                img.put("repository", r.repository());
                img.put("name", r.name());
                img.put("tag", r.tag() == null ? "" : r.tag());
                img.put("digest", r.digest() == null ? "" : r.digest().toString());
                img.put("pinned", r.isImmutable());
            } else {
                img.put("valid", false);
                img.put("registry", "");
                img.put("repository", "");
                img.put("name", "");
                img.put("tag", "");
                img.put("digest", "");
                img.put("pinned", false);
            }
            images.add(JsonViews.map(img));
        }
        vars.put("containers", containers);
        vars.put("images", images);
        return vars;
    }

    private static Object syntheticRequest(Workload w, RuleContext ctx) {
        Map<String, Object> req = new LinkedHashMap<>();
        String api = w.apiVersion() == null ? "" : w.apiVersion();
        int slash = api.indexOf('/');
        req.put("kind", JsonViews.map(Map.of("group", slash < 0 ? "" : api.substring(0, slash), "version", slash < 0 ? api : api.substring(slash + 1),
                "kind", w.kind().kind())));
        req.put("operation", "CREATE");
        req.put("namespace", ctx.namespace());
        req.put("name", w.name());
        req.put("dryRun", true);
        req.put("userInfo", JsonViews.map(Map.of("username", "")));
        return JsonViews.map(req);
    }
}
