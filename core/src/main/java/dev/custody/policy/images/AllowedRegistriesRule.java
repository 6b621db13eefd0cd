package dev.custody.policy.images;

import dev.custody.decision.Action;
import dev.custody.decision.FailureMode;
import dev.custody.decision.ReasonCode;
import dev.custody.imageref.ImageReference;
import dev.custody.policy.Glob;
import dev.custody.policy.ResultSink;
import dev.custody.workload.Container;
import java.util.List;

/**
 * The image's normalized {@code registry/repository} must match one allowed pattern. A pattern with
 * {@code *} or {@code ?} is a glob over the whole name; a plain pattern is a prefix ending at a path
 * boundary, so {@code ghcr.io/acme} allows {@code ghcr.io/acme/api} but not {@code ghcr.io/acmecorp/api}.
 */
public final class AllowedRegistriesRule extends ImageRule {

    public static final String ID = "images.allowedRegistries";

    private final List<String> prefixes;
    private final List<Glob> globs;
    private final String display;

    public AllowedRegistriesRule(Action action, List<String> patterns) {
        super(ID, action, FailureMode.CLOSED);
        this.prefixes = patterns.stream().filter(p -> !Glob.hasWildcard(p)).map(AllowedRegistriesRule::trimSlash).toList();
        this.globs = patterns.stream().filter(Glob::hasWildcard).map(Glob::of).toList();
        this.display = String.join(", ", patterns);
    }

    private static String trimSlash(String p) {
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    @Override
    void check(Container c, ImageReference ref, ResultSink out) {
        String name = ref.name();
        for (String prefix : prefixes) {
            if (name.equals(prefix) || (name.startsWith(prefix) && name.charAt(prefix.length()) == '/')) {
                out.pass(ReasonCode.REGISTRY_ALLOWED, c.imagePath(), where(c) + ": " + name + " is under " + prefix);
                return;
            }
        }
        for (Glob g : globs) {
            if (g.matches(name)) {
                out.pass(ReasonCode.REGISTRY_ALLOWED, c.imagePath(), where(c) + ": " + name + " matches " + g);
                return;
            }
        }
        out.fail(ReasonCode.REGISTRY_NOT_ALLOWED, c.imagePath(), where(c) + ": image " + c.image() + " (" + name
                + ") is not from an allowed registry; allowed: " + display);
    }
}
