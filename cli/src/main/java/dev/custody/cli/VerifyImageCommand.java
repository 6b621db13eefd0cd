package dev.custody.cli;

import dev.custody.imageref.ImageReference;
import dev.custody.imageref.InvalidImageReferenceException;
import dev.custody.oci.DockerConfig;
import dev.custody.oci.Keychain;
import dev.custody.oci.RegistryClient;
import dev.custody.policy.InvalidPolicyException;
import dev.custody.policy.Policy;
import dev.custody.policy.PolicySet;
import dev.custody.policy.Rule;
import dev.custody.policy.trust.SignatureGatherer;
import dev.custody.policy.trust.SignatureVerdict;
import dev.custody.policy.trust.TrustRule;
import dev.custody.policy.trust.TrustSpec;
import dev.custody.signatures.OciSignatureSource;
import dev.custody.signatures.SignatureService;
import dev.custody.signatures.SignatureSource;
import dev.custody.verify.CosignVerifier;
import dev.custody.verify.TrustRoot;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code custody verify image}: finds an image's cosign signatures in its registry and verifies them, either against
 * the trust rules of policies ({@code --policy}) or against one authority given on the command line, printing
 * where each signature was found and why it passed or failed.
 */
@Command(name = "image", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Verify an image's cosign signatures in its registry: against the trust rules of --policy, or against "
                + "--key, or a certificate identity and issuer (with --certificate-chain for your own CA).",
                "Prints the digest, where signatures were found, and why each passed or failed. The transparency log is not "
                        + "consulted for keys or your own CA; Fulcio certificates need their Rekor bundle."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:verified", "1:not verified (missing, invalid, or the registry could not be reached: the output says which)",
                "2:usage error, or an input that cannot be read", "3:internal error"})
final class VerifyImageCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image: registry/repository[:tag][@sha256:...].")
    String image;

    @Option(names = {"-p", "--policy"}, paramLabel = "FILE|DIR", description = "Verify against the trust rules of these policies (repeatable).")
    List<String> policies = new ArrayList<>();

    @Option(names = "--key", paramLabel = "PEM", description = "A public key that must have signed.")
    Path key;

    @Option(names = "--certificate-identity", paramLabel = "ID")
    String identity;

    @Option(names = "--certificate-identity-regexp", paramLabel = "REGEXP")
    String identityRegexp;

    @Option(names = "--certificate-oidc-issuer", paramLabel = "URL")
    String issuer;

    @Option(names = "--certificate-oidc-issuer-regexp", paramLabel = "REGEXP")
    String issuerRegexp;

    @Option(names = "--certificate-chain", paramLabel = "PEM", description = "Your own CA (intermediates and root) instead of Fulcio.")
    Path chain;

    @Option(names = "--attestations", description = "Also list the attestations that verify with the authorities, and the facts read "
            + "from them (always listed when a trust rule requires attestations, or with --store).")
    boolean showAttestations;

    @Option(names = "--trusted-root", paramLabel = "FILE", description = "Sigstore trusted_root.json for Fulcio and Rekor (default: the public-good root shipped with Custody).")
    Path trustedRoot;

    @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]", description = "Talk plain HTTP to this registry (loopback ones always are).")
    List<String> insecure = new ArrayList<>();

    @Option(names = "--timeout", defaultValue = "30s", paramLabel = "DURATION", description = "Give up after this long (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).")
    String output;

    @CommandLine.Mixin
    StoreOption store;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** A source that remembers what it found, for the report. */
    private static final class Recording implements SignatureSource {
        final SignatureSource inner;
        final Map<String, List<CosignVerifier.Signature>> found = new LinkedHashMap<>();
        /** Attestations by digest: fetched once, for the verdicts and for the listing alike. */
        final Map<String, List<dev.custody.verify.Attestations.Attestation>> attested = new java.util.concurrent.ConcurrentHashMap<>();

        Recording(SignatureSource inner) {
            this.inner = inner;
        }

        @Override
        public String resolve(ImageReference image, Instant deadline) throws Unavailable, Unreadable {
            return inner.resolve(image, deadline);
        }

        @Override
        public List<Platform> platforms(ImageReference image, String digest, Instant deadline) throws Unavailable, Unreadable {
            return inner.platforms(image, digest, deadline);
        }

        @Override
        public List<dev.custody.verify.Attestations.Attestation> attestations(ImageReference image, String digest, Instant deadline)
                throws Unavailable {
            List<dev.custody.verify.Attestations.Attestation> a = attested.get(digest);
            if (a == null) {
                a = inner.attestations(image, digest, deadline);
                attested.put(digest, a);
            }
            return a;
        }

        @Override
        public List<CosignVerifier.Signature> signatures(ImageReference image, String digest, Instant deadline) throws Unavailable {
            List<CosignVerifier.Signature> s = inner.signatures(image, digest, deadline);
            synchronized (found) {
                found.computeIfAbsent(digest, d -> new ArrayList<>()).addAll(s);
            }
            return s;
        }

        /** Bundles by digest: fetched once, for signatures, attestations and the listing alike. */
        final Map<String, List<Bundle>> bundled = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public List<Bundle> bundles(ImageReference image, String digest, Instant deadline) throws Unavailable {
            List<Bundle> b = bundled.get(digest);
            if (b == null) {
                b = inner.bundles(image, digest, deadline);
                bundled.put(digest, b);
                synchronized (found) {
                    for (Bundle x : b) {
                        if (x.predicateType() == null || x.predicateType().equals(dev.custody.verify.Attestations.COSIGN_SIGN_V1)) {
                            found.computeIfAbsent(digest, d -> new ArrayList<>()).add(CosignVerifier.Signature.bundle(x.json(), x.origin()));
                        }
                    }
                }
            }
            return b;
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ImageReference ref;
        try {
            ref = ImageReference.parse(image);
        } catch (InvalidImageReferenceException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "IMAGE: " + e.getMessage());
        }
        Duration budget;
        try {
            budget = dev.custody.server.WebhookServer.parseDuration(timeout);
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be a duration such as 30s");
        }
        List<TrustSpec> specs = new ArrayList<>();
        if (!policies.isEmpty()) {
            if (key != null || identity != null || identityRegexp != null || chain != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give --policy, or an authority (--key or a certificate identity), not both");
            }
            PolicySet set = Policies.loadOrReport(policies, err);
            if (set == null) {
                return ExitCodes.INPUT_ERROR;
            }
            for (Policy p : set.policies()) {
                for (Rule r : p.rules()) {
                    if (r instanceof TrustRule t && t.spec().covers(ref.name())) {
                        specs.add(t.spec());
                    }
                }
            }
            if (specs.isEmpty()) {
                err.println("custody: no trust rule of these policies covers " + ref.name());
                return ExitCodes.INPUT_ERROR;
            }
        } else {
            try {
                specs.add(adHoc());
            } catch (IOException e) {
                err.println("custody: " + FileMessages.describe(adHocFile(), e));
                return ExitCodes.INPUT_ERROR;
            }
        }
        Keychain keychain = DockerConfig.loadDefault().map(k -> (Keychain) k).orElse(Keychain.anonymous());
        try (RegistryClient client = RegistryClient.builder().keychain(keychain).insecureRegistries(Set.copyOf(insecure)).build()) {
            Recording source = new Recording(new OciSignatureSource(client));
            try (SignatureService service = new SignatureService(source, trustRoot(), SignatureService.Timings.DEFAULT, Clock.systemUTC())) {
                List<SignatureGatherer.Need> needs = specs.stream().map(s -> new SignatureGatherer.Need(ref, s)).toList();
                var lookup = service.gather(needs, Instant.now().plus(budget));
                boolean all = true;
                List<Map<String, Object>> report = new ArrayList<>();
                for (TrustSpec s : specs) {
                    SignatureVerdict v = lookup.find(ref, s);
                    all &= v != null && v.kind() == SignatureVerdict.Kind.VERIFIED;
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("trustRule", s.name());
                    r.put("digest", v == null ? null : v.digest());
                    r.put("verdict", v == null ? "UNAVAILABLE" : v.kind().name());
                    r.put("authorities", v == null ? List.of() : v.authorities());
                    r.put("detail", v == null ? "no answer" : v.detail());
                    for (dev.custody.policy.trust.AttestationKind kind : s.attestations()) {
                        SignatureVerdict av = lookup.attestation(ref, s, kind);
                        all &= av != null && av.kind() == SignatureVerdict.Kind.VERIFIED;
                        r.put(kind.suffix(), Map.of("verdict", av == null ? "UNAVAILABLE" : av.kind().name(), "detail", av == null ? "no answer" : av.detail()));
                    }
                    List<CosignVerifier.Signature> sigs = new ArrayList<>();
                    if (v != null && v.digest() != null) {
                        synchronized (source.found) { // every platform's signatures when the rule checks each platform of an index
                            source.found.forEach((d, found) -> {
                                if (s.eachPlatform() || d.equals(v.digest())) {
                                    sigs.addAll(found);
                                }
                            });
                        }
                    }
                    r.put("signatures", sigs.stream().map(CosignVerifier.Signature::origin).toList());
                    report.add(r);
                }
                for (int i = 0; i < specs.size(); i++) {
                    TrustSpec s = specs.get(i);
                    SignatureVerdict v = lookup.find(ref, s);
                    String digest = v == null ? null : v.digest();
                    if (digest == null || !(showAttestations || store.given() || !s.attestations().isEmpty())) {
                        continue;
                    }
                    List<dev.custody.verify.Attestations.Attestation> found;
                    try {
                        found = source.allAttestations(ref, digest, Instant.now().plus(budget));
                    } catch (SignatureSource.Unavailable e) {
                        err.println("custody: attestations not fetched: " + e.getMessage());
                        continue;
                    }
                    var outcome = service.verifyAttestations(digest, found, s);
                    List<Map<String, Object>> listed = new ArrayList<>();
                    for (var rec : dev.custody.signatures.AttestationEvidence.records(digest, outcome.verified())) {
                        Map<String, Object> a = new LinkedHashMap<>();
                        a.put("predicateType", rec.predicateType());
                        a.put("signers", rec.signers());
                        a.put("found", rec.origin());
                        a.put("facts", rec.facts());
                        if (rec.problem() != null) {
                            a.put("problem", rec.problem());
                        }
                        listed.add(a);
                    }
                    report.get(i).put("attestations", listed);
                    report.get(i).put("attestationFailures", outcome.failures());
                    if (store.given()) {
                        report.get(i).put("sbomsStored", storeAttestations(digest, s, outcome.verified(), err));
                    }
                }
                if (output.equals("json")) {
                    Json.print(out, Map.of("image", ref.canonical(), "verified", all, "results", report, "registryRequests", client.requestCount()));
                } else {
                    out.println(ref.canonical());
                    for (Map<String, Object> r : report) {
                        out.printf("  trust rule %s: %s%n", r.get("trustRule"), r.get("verdict"));
                        if (r.get("digest") != null) {
                            out.println("    digest     " + r.get("digest"));
                        }
                        @SuppressWarnings("unchecked")
                        List<String> origins = (List<String>) r.get("signatures");
                        String found = !origins.isEmpty() ? String.join("; ", origins)
                                : "UNAVAILABLE".equals(r.get("verdict")) ? "nothing: the registry could not be asked"
                                : "no signatures (looked for the cosign .sig tag and Sigstore bundles among the referrers)";
                        out.println("    found      " + found);
                        out.println("    why        " + r.get("detail"));
                        for (String kind : List.of("provenance", "sbom", "scan")) {
                            if (r.get(kind) instanceof Map<?, ?> p) {
                                out.printf("    %-10s %s: %s%n", kind, p.get("verdict"), p.get("detail"));
                            }
                        }
                        if (r.get("attestations") instanceof List<?> listed) {
                            out.println("    attestations " + (listed.isEmpty() ? "none verified" : listed.size() + " verified:"));
                            for (Object o : listed) {
                                Map<?, ?> a = (Map<?, ?>) o;
                                out.println("      " + a.get("predicateType") + " signed by " + a.get("signers") + " (" + a.get("found") + ")");
                                ((Map<?, ?>) a.get("facts")).forEach((k, val) -> out.println("        " + k + ": " + val));
                                if (a.get("problem") != null) {
                                    out.println("        cannot be read: " + a.get("problem"));
                                }
                            }
                            for (Object f : (List<?>) r.get("attestationFailures")) {
                                out.println("      not verified: " + f);
                            }
                        }
                        if (r.get("sbomsStored") instanceof List<?> stored) {
                            out.println("    sboms      " + (stored.isEmpty() ? "no attested SBOM" : "stored " + stored + " in the evidence store"));
                        }
                    }
                    out.println((all ? "verified" : "not verified") + " (" + client.requestCount() + " registry requests)");
                }
                return all ? ExitCodes.OK : ExitCodes.DENIED;
            }
        }
    }

    /** Verified attestations of a digest into the evidence store (records, provenance facts, SBOMs); returns the SBOM hashes stored. */
    private List<String> storeAttestations(String digest, TrustSpec spec, List<dev.custody.verify.Attestations.Verified> verified, PrintWriter err) {
        try (dev.custody.store.Store s = store.open()) {
            var r = dev.custody.signatures.AttestationEvidence.store(new dev.custody.store.Verifications(s), new dev.custody.store.SbomStore(s),
                    digest, "trust rule " + spec.name() + " (" + spec.id() + ")", verified, System.currentTimeMillis());
            r.problems().forEach(p -> err.println("custody: " + p));
            return r.sboms();
        } catch (dev.custody.store.StoreException e) {
            err.println("custody: store error: " + e.getMessage());
        }
        return List.of();
    }

    /** The trusted root to use, loaded only when a Fulcio authority needs it; a broken file is a usage error up front. */
    private java.util.function.Supplier<TrustRoot> trustRoot() {
        try {
            return dev.custody.signatures.Verification.roots(trustedRoot);
        } catch (dev.custody.verify.TrustRootException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--trusted-root: " + e.getMessage());
        }
    }

    /** The authority given on the command line, as a one-rule trust spec. */
    /** The file the command-line trust rule reads: the key, or the certificate chain. */
    private String adHocFile() {
        return String.valueOf(key != null ? key : chain);
    }

    private TrustSpec adHoc() throws IOException {
        boolean hasKey = key != null;
        boolean hasIdentity = identity != null || identityRegexp != null;
        if (hasKey == hasIdentity) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give --policy, or --key, or a certificate identity and issuer (--certificate-identity[-regexp] and --certificate-oidc-issuer[-regexp])");
        }
        String yaml;
        if (hasKey) {
            if (Files.size(key) > 64 * 1024) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--key " + key + " is too large to be a public key");
            }
            yaml = "key: |\n" + Files.readString(key, StandardCharsets.US_ASCII).indent(2);
        } else {
            if ((issuer == null) == (issuerRegexp == null) || (identity != null && identityRegexp != null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give one identity option and one issuer option");
            }
            StringBuilder k = new StringBuilder("keyless:\n");
            k.append(identity != null ? "  identity: " + quote(identity) : "  identityRegexp: " + quote(identityRegexp)).append('\n');
            k.append(issuer != null ? "  issuer: " + quote(issuer) : "  issuerRegexp: " + quote(issuerRegexp)).append('\n');
            if (chain != null) {
                String pem = Files.readString(chain, StandardCharsets.US_ASCII); // checked as PEM certificates when the rule is parsed
                k.append("  roots: |\n").append(pem.indent(4));
            }
            yaml = k.toString();
        }
        String policy = "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: command-line}\nspec:\n  tier: dev\n  trust:\n"
                + "    - name: command-line\n      images: ['*']\n      authorities:\n        - name: given\n" + yaml.indent(10);
        try {
            PolicySet set = Policies.parser().load(Map.of("command line", policy));
            return set.policies().get(0).rules().stream().filter(r -> r instanceof TrustRule).map(r -> ((TrustRule) r).spec()).findFirst()
                    .orElseThrow();
        } catch (InvalidPolicyException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.errors().get(0).describe());
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

}
