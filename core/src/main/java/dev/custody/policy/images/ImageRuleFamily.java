package dev.custody.policy.images;

import dev.custody.decision.Action;
import dev.custody.policy.Fields;
import dev.custody.policy.Rule;
import dev.custody.policy.RuleFamily;
import dev.custody.policy.Tier;
import java.util.List;

/** {@code spec.images}: registries, digests, tags. Its rules come first in every policy. */
public final class ImageRuleFamily implements RuleFamily {

    @Override
    public String field() {
        return "images";
    }

    @Override
    public List<Rule> read(Fields spec, Tier tier, Action defaultAction) {
        return ImageRules.read(spec, tier, defaultAction);
    }

    @Override
    public int order() {
        return 100;
    }
}
