package dev.custody.policy.images;

import dev.custody.decision.Action;
import dev.custody.policy.Fields;
import dev.custody.policy.Rule;
import dev.custody.policy.RuleSettings;
import dev.custody.policy.Tier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reads the {@code spec.images} section of a policy into compiled image rules, starting from the tier's defaults. */
public final class ImageRules {

    public static final Set<String> FIELDS = Set.of("validReference", "allowedRegistries", "requireDigest", "denyTags",
            "requireSignature", "requireProvenance");

    private ImageRules() {}

    /** Reads {@code spec.images}; when the policy has none, the tier's defaults still apply. */
    public static List<Rule> read(Fields spec, Tier tier, Action defaultAction) {
        Fields section = spec.objectOrEmpty("images", FIELDS);
        List<Rule> rules = new ArrayList<>();

        RuleSettings valid = RuleSettings.read(section, "validReference", true, defaultAction, Set.of(), false);
        if (valid.enabled()) {
            rules.add(new ValidReferenceRule(valid.action()));
        }

        RuleSettings registries = RuleSettings.read(section, "allowedRegistries", false, defaultAction, Set.of("registries"), true);
        if (registries.enabled()) {
            List<String> patterns = registries.list() != null
                    ? section.stringsAt(registries.list(), section.path().child("allowedRegistries"))
                    : registries.fields() != null ? registries.fields().strings("registries") : List.of();
            if (patterns.isEmpty()) {
                section.error(section.path().child("allowedRegistries"),
                        "lists no registries; give registries (for example registry.example.com or ghcr.io/acme/*) or set it to false");
            } else {
                for (int i = 0; i < patterns.size(); i++) {
                    String problem = registryPatternProblem(patterns.get(i));
                    if (problem != null) {
                        var at = registries.list() != null ? section.path().child("allowedRegistries").index(i)
                                : section.path().child("allowedRegistries").child("registries").index(i);
                        section.error(at, problem);
                    }
                }
                rules.add(new AllowedRegistriesRule(registries.action(), patterns.stream().map(ImageRules::normalizePattern).toList()));
            }
        }

        RuleSettings digest = RuleSettings.read(section, "requireDigest", tier.requiresDigest(), defaultAction, Set.of(), false);
        if (digest.enabled()) {
            rules.add(new RequireDigestRule(digest.action()));
        }

        RuleSettings tags = RuleSettings.read(section, "denyTags", tier.deniesLatest(), defaultAction, Set.of("tags"), true);
        if (tags.enabled()) {
            List<String> denied = tags.list() != null ? section.stringsAt(tags.list(), section.path().child("denyTags"))
                    : tags.fields() != null && tags.fields().has("tags") ? tags.fields().strings("tags") : List.of("latest");
            if (denied.isEmpty()) {
                section.error(section.path().child("denyTags"), "lists no tags; give tags or set it to false");
            } else {
                rules.add(new DenyTagsRule(tags.action(), denied));
            }
        }

        RuleSettings sig = RuleSettings.read(section, "requireSignature", tier.requiresSignature(), defaultAction, Set.of(), false);
        if (sig.enabled()) {
            rules.add(NotYetVerifiableRule.signature(sig.action(), sig.failureMode()));
        }
        RuleSettings prov = RuleSettings.read(section, "requireProvenance", tier.requiresProvenance(), defaultAction, Set.of(), false);
        if (prov.enabled()) {
            rules.add(NotYetVerifiableRule.provenance(prov.action(), prov.failureMode()));
        }
        return rules;
    }

    /** Users write Docker Hub the way they pull from it; patterns compare against normalized names. */
    public static String normalizePattern(String p) {
        if (p.startsWith("index.docker.io/") || p.equals("index.docker.io")) {
            return "docker.io" + p.substring("index.docker.io".length());
        }
        return p;
    }

    private static String registryPatternProblem(String p) {
        if (p.contains("@") || (p.lastIndexOf(':') > p.lastIndexOf('/') && p.indexOf('/') > 0 && !p.substring(0, p.indexOf('/')).contains(":"))) {
            return "\"" + p + "\" names a tag or digest; registry patterns match registry/repository only";
        }
        if (p.chars().anyMatch(c -> c <= ' ')) {
            return "\"" + p + "\" contains whitespace";
        }
        return null;
    }
}
