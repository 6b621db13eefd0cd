package dev.custody.policy.trust;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.decision.Action;
import dev.custody.decision.FailureMode;
import dev.custody.manifest.FieldPath;
import dev.custody.policy.Fields;
import dev.custody.policy.Glob;
import dev.custody.policy.Rule;
import dev.custody.policy.PolicyParser;
import dev.custody.policy.RuleFamily;
import dev.custody.policy.RuleSettings;
import dev.custody.policy.Tier;
import dev.custody.policy.images.ImageRules;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.cert.CertificateFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads {@code spec.trust}: a list of trust rules, each naming the images it covers and the authorities that must
 * have signed them. Keys and CA certificates are parsed here, when the policy loads, so a typo is an error with
 * its line, not a failed admission.
 * <pre>
 * trust:
 *   - name: release
 *     images: [registry.example.com/shop/*]
 *     authorities:
 *       - name: ci
 *         key: |
 *           -----BEGIN PUBLIC KEY----- ...
 *       - name: release-key
 *         key: k8s://custody-system/cosign-release   # a Secret's cosign.pub (custody serve in a cluster)
 *       - name: github
 *         keyless: {identityRegexp: ^https://github.com/acme/, issuer: https://token.actions.githubusercontent.com}
 *     threshold: 1            # distinct authorities needed (default 1)
 *     required: [ci]          # authorities that must be among them
 *     multiArch: index        # index (default): the referenced digest is signed; eachPlatform: every platform manifest
 *     provenance:             # also require SLSA provenance attested by the same authorities (rule trust.release.provenance)
 *       builders: [https://github.com/slsa-framework/slsa-github-generator/*]
 *       repositories: [https://github.com/acme/*]
 *       refs: [refs/heads/main, refs/tags/v*]
 *       requireCommit: true
 *       condition: "predicate.buildDefinition.externalParameters.workflow.path == '.github/workflows/release.yml'"  # CEL, optional
 *     sbom: true              # also require an attested SBOM, CycloneDX or SPDX (rule trust.release.sbom)
 *     scan: {maxAge: 7d}      # also require an attested vulnerability scan at most 7 days old (rule trust.release.scan)
 *     promotion: {from: staging}  # also require a recorded promotion to staging (custody promote; rule trust.release.promotion)
 *     action: enforce
 *     failureMode: closed     # what an outage means; invalid signatures always fail
 * </pre>
 */
public final class TrustRules implements RuleFamily {

    static final Set<String> ENTRY = Set.of("name", "images", "authorities", "threshold", "required", "multiArch", "provenance", "sbom", "promotion",
            "scan", "action", "failureMode");
    static final Set<String> SCAN = Set.of("maxAge");
    static final Set<String> PROVENANCE = Set.of("builders", "repositories", "refs", "requireCommit", "condition");
    static final Set<String> AUTHORITY = Set.of("name", "key", "keyless");
    static final Set<String> KEYLESS = Set.of("identity", "identityRegexp", "issuer", "issuerRegexp", "roots");
    static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    /**
     * Reads a public key kept in a Kubernetes Secret ({@code key: k8s://NAMESPACE/NAME}, the reference cosign
     * accepts, the PEM under the Secret's {@code cosign.pub}).
     */
    @FunctionalInterface
    public interface SecretKeys {
        /** The PEM text; throws with a sentence for people when the Secret cannot be read or has no such entry. */
        String read(String namespace, String name, String field) throws Exception;
    }

    static final String K8S = "k8s://";
    static final Pattern K8S_REF = Pattern.compile("k8s://([a-z0-9]([-a-z0-9]*[a-z0-9])?)/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)");

    private final SecretKeys secretKeys;

    /** Trust rules whose keys are inline PEM only: a {@code k8s://} reference is an error. */
    public TrustRules() {
        this(null);
    }

    /** Trust rules whose keys may also be references to Kubernetes Secrets, read now with {@code secretKeys}. */
    public TrustRules(SecretKeys secretKeys) {
        this.secretKeys = secretKeys;
    }

    /** A parser with every registered rule family, whose trust rules may take keys from Kubernetes Secrets. */
    public static PolicyParser parser(SecretKeys keys) {
        List<RuleFamily> families = new ArrayList<>();
        for (RuleFamily f : PolicyParser.registered()) {
            families.add(f instanceof TrustRules ? new TrustRules(keys) : f);
        }
        return new PolicyParser(families);
    }

    /** The policy name is not known to sections; trust specs carry the one {@link #read} is told. */
    @Override
    public String field() {
        return "trust";
    }

    @Override
    public int order() {
        return 600;
    }

    @Override
    public List<Rule> read(Fields spec, Tier tier, Action defaultAction) {
        JsonNode list = spec.raw("trust");
        if (list == null || list.isNull()) {
            return List.of();
        }
        FieldPath at = spec.path().child("trust");
        if (!list.isArray()) {
            spec.error(at, "must be a list of trust rules, found " + Fields.kind(list));
            return List.of();
        }
        List<Rule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            Fields e = Fields.of(spec.document(), spec.errors(), list.get(i), at.index(i), ENTRY);
            if (e == null) {
                continue;
            }
            TrustRule r = entry(e, defaultAction, names, secretKeys);
            String from = null;
            Fields pr = e.object("promotion", Set.of("from"));
            if (pr != null) {
                from = pr.choice("from", List.of("dev", "staging", "production", "regulated"), null);
                if (from == null && !pr.has("from")) {
                    pr.error(pr.path().child("from"), "required: the tier the images must have been promoted to first");
                }
            }
            if (r != null) {
                rules.add(r);
                for (AttestationKind kind : r.spec().attestations()) {
                    rules.add(new AttestationRule(r.spec(), kind, r.action(), r.failureMode()));
                }
                if (from != null) {
                    rules.add(new PromotionRule(r.spec(), from, r.action(), r.failureMode()));
                }
            }
        }
        return rules;
    }

    private static TrustRule entry(Fields e, Action defaultAction, Set<String> names, SecretKeys secretKeys) {
        int errors = e.errors().size();
        String name = e.string("name", true);
        if (name != null && !NAME.matcher(name).matches()) {
            e.error(e.path().child("name"), "\"" + name + "\" is not a valid name (lowercase letters, digits and '-', at most 63)");
        } else if (name != null && !names.add(name)) {
            e.error(e.path().child("name"), "trust rule \"" + name + "\" is defined twice in this policy");
        }
        List<String> patterns = e.has("images") ? e.strings("images") : List.of();
        if (patterns.isEmpty()) {
            e.error(e.path().child("images"), "lists no images; give registry/repository patterns such as registry.example.com/shop/*");
        }
        List<Glob> images = patterns.stream().map(p -> Glob.of(ImageRules.normalizePattern(p))).toList();
        List<Authority> authorities = new ArrayList<>();
        JsonNode as = e.raw("authorities");
        FieldPath aPath = e.path().child("authorities");
        if (as == null || !as.isArray() || as.isEmpty()) {
            e.error(aPath, "must list at least one authority (a key, or a keyless identity and issuer)");
        } else {
            Set<String> seen = new HashSet<>();
            for (int j = 0; j < as.size(); j++) {
                Fields a = Fields.of(e.document(), e.errors(), as.get(j), aPath.index(j), AUTHORITY);
                if (a != null) {
                    Authority auth = authority(a, seen, secretKeys);
                    if (auth != null) {
                        authorities.add(auth);
                    }
                }
            }
        }
        Long threshold = e.integer("threshold");
        int t = threshold == null ? 1 : threshold.intValue();
        if (threshold != null && (threshold < 1 || threshold > Math.max(1, authorities.size()))) {
            e.error(e.path().child("threshold"), "must be between 1 and the number of authorities (" + authorities.size() + "), found " + threshold);
        }
        List<String> required = e.has("required") ? e.strings("required") : List.of();
        for (int j = 0; j < required.size(); j++) {
            String r = required.get(j);
            if (authorities.stream().noneMatch(a -> a.name().equals(r))) {
                e.error(e.path().child("required").index(j), "names no authority of this rule: \"" + r + "\"");
            }
        }
        boolean eachPlatform = e.choice("multiArch", List.of("index", "eachPlatform"), "index").equals("eachPlatform");
        ProvenanceRequirement provenance = null;
        if (e.has("provenance")) {
            Fields p = e.object("provenance", PROVENANCE);
            if (p != null) {
                Boolean commit = p.bool("requireCommit");
                String conditionText = p.string("condition", false);
                dev.custody.policy.cel.CelRules.PredicateCondition condition = conditionText == null ? null
                        : dev.custody.policy.cel.CelRules.predicateCondition(conditionText, p, p.path().child("condition"));
                provenance = new ProvenanceRequirement(globs(p, "builders"), globs(p, "repositories"), globs(p, "refs"), commit != null && commit,
                        condition);
            }
        }
        Boolean sbom = e.bool("sbom");
        ScanRequirement scan = null;
        if (e.has("scan")) {
            Fields sc = e.object("scan", SCAN);
            if (sc != null) {
                String maxAge = sc.string("maxAge", false);
                java.time.Duration age = null;
                if (maxAge != null) {
                    try {
                        age = dev.custody.policy.Ages.parse(maxAge);
                    } catch (IllegalArgumentException ex) {
                        age = null;
                    }
                    if (age == null || age.isZero()) {
                        sc.error(sc.path().child("maxAge"), "\"" + maxAge + "\" is not a duration such as 7d, 36h or 90m");
                        age = null;
                    }
                }
                scan = new ScanRequirement(age);
            }
        }
        Action action = Action.parse(e.choice("action", RuleSettings.ACTIONS, defaultAction.label()));
        FailureMode mode = e.choice("failureMode", RuleSettings.FAILURE_MODES, "closed").equals("open") ? FailureMode.OPEN : FailureMode.CLOSED;
        if (e.errors().size() > errors || name == null) {
            return null;
        }
        TrustSpec spec = TrustSpec.of(e.document().source(), name, images, authorities, t, required, eachPlatform, provenance,
                sbom != null && sbom, scan);
        return new TrustRule(spec, action, mode);
    }

    private static List<Glob> globs(Fields f, String key) {
        return f.has(key) ? f.strings(key).stream().map(Glob::of).toList() : List.of();
    }

    private static Authority authority(Fields a, Set<String> seen, SecretKeys secretKeys) {
        String name = a.string("name", true);
        if (name != null && !seen.add(name)) {
            a.error(a.path().child("name"), "authority \"" + name + "\" is listed twice");
        }
        boolean hasKey = a.has("key");
        boolean hasKeyless = a.has("keyless");
        if (hasKey == hasKeyless) {
            a.error(a.path(), "give exactly one of key (a PEM public key) or keyless (identity and issuer)");
            return null;
        }
        if (hasKey) {
            String pem = a.string("key", true);
            if (pem == null) {
                return null;
            }
            if (pem.strip().startsWith(K8S)) {
                pem = secretKey(a, pem.strip(), secretKeys);
                if (pem == null) {
                    return null;
                }
            }
            String problem = keyProblem(pem);
            if (problem != null) {
                a.error(a.path().child("key"), problem);
                return null;
            }
            return name == null ? null : new Authority(name, pem, null, false, null, false, null);
        }
        Fields k = a.object("keyless", KEYLESS);
        if (k == null) {
            return null;
        }
        String[] identity = exactOrRegexp(k, "identity");
        String[] issuer = exactOrRegexp(k, "issuer");
        String roots = k.string("roots", false);
        if (roots != null) {
            String problem = certificatesProblem(roots);
            if (problem != null) {
                k.error(k.path().child("roots"), problem);
                return null;
            }
        }
        if (identity == null || issuer == null || name == null) {
            return null;
        }
        return new Authority(name, null, identity[0], identity[1] != null, issuer[0], issuer[1] != null, roots);
    }

    /** The PEM a {@code k8s://NAMESPACE/NAME} reference names, or null with the error at the key's field. */
    private static String secretKey(Fields a, String ref, SecretKeys secretKeys) {
        var m = K8S_REF.matcher(ref);
        if (!m.matches()) {
            a.error(a.path().child("key"), "\"" + ref + "\" is not a Secret reference of the form k8s://NAMESPACE/NAME");
            return null;
        }
        if (secretKeys == null) {
            a.error(a.path().child("key"), ref + " names a Kubernetes Secret, which only custody serve connected to a cluster "
                    + "(--kubeconfig or --in-cluster) can read; give the PEM key inline here");
            return null;
        }
        try {
            return secretKeys.read(m.group(1), m.group(3), "cosign.pub");
        } catch (Exception ex) {
            a.error(a.path().child("key"), "cannot read the key from " + ref + ": " + ex.getMessage());
            return null;
        }
    }

    /** {value, "regexp" or null}; one of field or fieldRegexp is required. */
    private static String[] exactOrRegexp(Fields k, String field) {
        String exact = k.string(field, false);
        String regexp = k.string(field + "Regexp", false);
        if ((exact == null) == (regexp == null)) {
            k.error(k.path().child(field), "give exactly one of " + field + " or " + field + "Regexp");
            return null;
        }
        if (regexp != null) {
            try {
                Pattern.compile(regexp);
            } catch (PatternSyntaxException ex) {
                k.error(k.path().child(field + "Regexp"), "is not a valid regular expression: " + ex.getDescription());
                return null;
            }
            return new String[] {regexp, "regexp"};
        }
        return new String[] {exact, null};
    }

    static String keyProblem(String pem) {
        String t = pem.strip();
        String begin = "-----BEGIN PUBLIC KEY-----";
        String end = "-----END PUBLIC KEY-----";
        int from = t.indexOf(begin);
        int to = t.indexOf(end);
        if (from < 0 || to < from) {
            return "is not a PEM public key (expected a -----BEGIN PUBLIC KEY----- block)";
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(t.substring(from + begin.length(), to));
        } catch (IllegalArgumentException ex) {
            return "the PEM public key is not valid base64";
        }
        for (String alg : List.of("EC", "RSA", "Ed25519")) {
            try {
                KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der));
                return null;
            } catch (java.security.GeneralSecurityException ignored) {
                // next algorithm
            }
        }
        return "the PEM public key is not an ECDSA, RSA or Ed25519 key";
    }

    static String certificatesProblem(String pem) {
        try {
            var certs = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            return certs.isEmpty() ? "holds no PEM certificate" : null;
        } catch (java.security.cert.CertificateException ex) {
            return "is not PEM X.509 certificates: " + ex.getMessage();
        }
    }
}
