package dev.custody.policy.identity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.decision.Action;
import dev.custody.decision.ReasonCode;
import dev.custody.manifest.FieldPath;
import dev.custody.policy.Fields;
import dev.custody.policy.Rule;
import dev.custody.policy.RuleFamily;
import dev.custody.policy.RuleSettings;
import dev.custody.policy.Tier;
import dev.custody.workload.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code spec.serviceAccount} section: ServiceAccount boundaries. In production and regulated tiers the
 * namespace's {@code default} ServiceAccount is denied and API tokens must not be mounted unless the workload's
 * ServiceAccount is allowed to talk to the API; projected tokens may be limited to known audiences.
 *
 * <pre>
 * serviceAccount:
 *   denyDefault: true
 *   automountToken: {allowServiceAccounts: [deployer]}    # these may mount an API token
 *   tokenAudiences: {allowed: [vault, sts.amazonaws.com]}  # projected token audiences
 * </pre>
 */
public final class ServiceAccountRules implements RuleFamily {

    static final Set<String> FIELDS = Set.of("denyDefault", "automountToken", "tokenAudiences");

    @Override
    public String field() {
        return "serviceAccount";
    }

    @Override
    public int order() {
        return 300;
    }

    @Override
    public List<Rule> read(Fields spec, Tier tier, Action defaultAction) {
        Fields section = spec.objectOrEmpty("serviceAccount", FIELDS);
        boolean strictTier = tier == Tier.PRODUCTION || tier == Tier.REGULATED;
        List<Rule> rules = new ArrayList<>();

        RuleSettings deny = RuleSettings.read(section, "denyDefault", strictTier, defaultAction, Set.of(), false);
        if (deny.enabled()) {
            rules.add(new SimpleRule("serviceAccount.denyDefault", deny.action(), ServiceAccountRules::denyDefault));
        }
        RuleSettings automount = RuleSettings.read(section, "automountToken", strictTier, defaultAction, Set.of("allowServiceAccounts"), false);
        if (automount.enabled()) {
            List<String> allowed = automount.fields() != null ? automount.fields().strings("allowServiceAccounts") : List.of();
            rules.add(new SimpleRule("serviceAccount.automountToken", automount.action(), (w, ctx, out) -> automount(w, allowed, out)));
        }
        RuleSettings audiences = RuleSettings.read(section, "tokenAudiences", false, defaultAction, Set.of("allowed"), false);
        if (audiences.enabled()) {
            List<String> allowed = audiences.fields() != null ? audiences.fields().strings("allowed") : List.of();
            if (allowed.isEmpty()) {
                section.error(section.path().child("tokenAudiences").child("allowed"), "lists no audiences; name the expected ones");
            }
            rules.add(new SimpleRule("serviceAccount.tokenAudiences", audiences.action(), (w, ctx, out) -> audiences(w, allowed, out)));
        }
        return rules;
    }

    static String serviceAccount(Workload w) {
        String sa = w.podSpec().path("serviceAccountName").asText("");
        if (sa.isEmpty()) {
            sa = w.podSpec().path("serviceAccount").asText(""); // deprecated alias the API server still honours
        }
        return sa.isEmpty() ? "default" : sa;
    }

    private static void denyDefault(Workload w, dev.custody.policy.RuleContext ctx, dev.custody.policy.ResultSink out) {
        FieldPath path = w.podSpecPath().child("serviceAccountName");
        if (serviceAccount(w).equals("default")) {
            out.fail(ReasonCode.SERVICE_ACCOUNT_DEFAULT, path, w.displayName() + " runs as the namespace's default ServiceAccount;"
                    + " give it a ServiceAccount of its own with only the permissions it needs");
        } else {
            out.pass(ReasonCode.SERVICE_ACCOUNT_OK, path, "runs as ServiceAccount " + serviceAccount(w));
        }
    }

    private static void automount(Workload w, List<String> allowed, dev.custody.policy.ResultSink out) {
        FieldPath path = w.podSpecPath().child("automountServiceAccountToken");
        String sa = serviceAccount(w);
        JsonNode am = w.podSpec().path("automountServiceAccountToken");
        if (am.isBoolean() && !am.asBoolean()) {
            out.pass(ReasonCode.SERVICE_ACCOUNT_OK, path, "API token not mounted");
        } else if (allowed.contains(sa)) {
            out.pass(ReasonCode.SERVICE_ACCOUNT_OK, path, "ServiceAccount " + sa + " is allowed to talk to the API");
        } else {
            out.fail(ReasonCode.SERVICE_ACCOUNT_TOKEN_MOUNTED, path, w.displayName() + " mounts an API token for ServiceAccount " + sa
                    + "; set automountServiceAccountToken: false, or allow " + sa + " under serviceAccount.automountToken.allowServiceAccounts");
        }
    }

    private static void audiences(Workload w, List<String> allowed, dev.custody.policy.ResultSink out) {
        JsonNode volumes = w.podSpec().path("volumes");
        boolean any = false;
        for (int i = 0; i < volumes.size(); i++) {
            JsonNode sources = volumes.get(i).path("projected").path("sources");
            for (int j = 0; j < sources.size(); j++) {
                JsonNode token = sources.get(j).path("serviceAccountToken");
                if (token.isMissingNode() || token.isNull()) {
                    continue;
                }
                any = true;
                FieldPath path = w.podSpecPath().child("volumes").index(i).child("projected").child("sources").index(j)
                        .child("serviceAccountToken").child("audience");
                String aud = token.path("audience").asText("");
                if (aud.isEmpty()) {
                    out.fail(ReasonCode.SERVICE_ACCOUNT_TOKEN_AUDIENCE, path, "projected token in volume \"" + volumes.get(i).path("name").asText()
                            + "\" has no audience, so it is valid for the API server; name an audience from: " + String.join(", ", allowed));
                } else if (!allowed.contains(aud)) {
                    out.fail(ReasonCode.SERVICE_ACCOUNT_TOKEN_AUDIENCE, path, "projected token audience \"" + aud + "\" is not expected; allowed: "
                            + String.join(", ", allowed));
                } else {
                    out.pass(ReasonCode.SERVICE_ACCOUNT_OK, path, "audience " + aud + " is expected");
                }
            }
        }
        if (!any) {
            out.skip(ReasonCode.SERVICE_ACCOUNT_NO_PROJECTED_TOKEN, w.podSpecPath().child("volumes"), "no projected service account tokens");
        }
    }
}
