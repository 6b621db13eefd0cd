package dev.custody.cli;

import dev.custody.verify.Artifact;
import dev.custody.verify.BundleVerifier;
import dev.custody.verify.Result;
import dev.custody.verify.SignerPolicy;
import dev.custody.verify.SignerPolicy.Match;
import dev.custody.verify.TrustRoot;
import dev.custody.verify.TrustRootException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code custody verify}: signatures checked offline against a trusted root. */
@Command(name = "verify", mixinStandardHelpOptions = true, description = "Verify signatures: Sigstore bundles offline, images in their registry.",
        subcommands = {VerifyCommand.Bundle.class, VerifyImageCommand.class})
final class VerifyCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code custody verify bundle --bundle FILE (identity and issuer | --key PEM) [--trusted-root FILE] ARTIFACT}. */
    @Command(name = "bundle", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Verify a Sigstore bundle for an artifact: its signature, the signer's certificate (or key), the transparency log "
                    + "entry and its proofs, and the signing time, offline against a trusted root.",
                    "Keyless bundles need the expected identity and OIDC issuer, each exact or as a regular expression "
                            + "(searched for, unanchored, as cosign does; write ^...$ to match the whole value). Key-signed bundles need --key.",
                    "For a DSSE bundle the artifact is a subject of its in-toto statement.",
                    "With --policy, the bundle's SLSA provenance must also satisfy the provenance requirement of a trust rule "
                            + "(builders, repositories, refs, requireCommit); --rule picks the rule when the policies have several."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:verified", "1:not verified; the reason names the check that failed", "2:usage error, or an input that cannot be read",
                    "3:internal error"})
    static final class Bundle implements Callable<Integer> {

        /** A PEM public key is a few hundred bytes; anything near this is not one. */
        static final long MAX_KEY_BYTES = 64 * 1024;

        @Parameters(index = "0", paramLabel = "ARTIFACT",
                description = "The artifact file, or its digest as sha256:<64 hex> (sha512:<128 hex> for DSSE subjects named by SHA-512 only).")
        String artifact;

        @Option(names = "--bundle", required = true, paramLabel = "FILE", description = "The Sigstore bundle (at most 10 MiB).")
        Path bundle;

        @Option(names = "--certificate-identity", paramLabel = "ID", description = "The expected signer: the certificate's subject alternative name.")
        String identity;

        @Option(names = "--certificate-identity-regexp", paramLabel = "REGEXP", description = "The expected signer, as a regular expression.")
        String identityRegexp;

        @Option(names = "--certificate-oidc-issuer", paramLabel = "URL", description = "The expected OIDC issuer of the certificate.")
        String issuer;

        @Option(names = "--certificate-oidc-issuer-regexp", paramLabel = "REGEXP", description = "The expected OIDC issuer, as a regular expression.")
        String issuerRegexp;

        @Option(names = "--key", paramLabel = "PEM", description = "A PEM public key file; for bundles signed with a key instead of a certificate.")
        Path key;

        @Option(names = "--trusted-root", paramLabel = "FILE",
                description = "A Sigstore trusted_root.json (default: the Sigstore public-good root shipped with Custody).")
        Path trustedRoot;

        @Option(names = {"-p", "--policy"}, paramLabel = "FILE|DIR",
                description = "Policies whose trust rule's provenance requirement the bundle's SLSA provenance must meet (repeatable).")
        java.util.List<String> policies = new java.util.ArrayList<>();

        @Option(names = "--rule", paramLabel = "NAME", description = "The trust rule of --policy to apply, when there are several with provenance.")
        String rule;

        @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).")
        String output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        /** The outcome of checking the bundle's provenance against a trust rule: the facts read, and why they fail (null when they pass). */
        record ProvenanceCheck(String rule, dev.custody.verify.intoto.ProvenanceFacts facts, String problem) {}

        /** The trust rule whose provenance requirement applies, or null without --policy; a usage error when none or several fit. */
        private dev.custody.policy.trust.TrustSpec provenanceRule(PrintWriter err) {
            if (policies.isEmpty()) {
                if (rule != null) {
                    throw usage("--rule needs --policy");
                }
                return null;
            }
            dev.custody.policy.PolicySet set;
            try {
                set = dev.custody.files.PolicyFiles.load(policies, Policies.parser());
            } catch (dev.custody.policy.InvalidPolicyException e) {
                e.errors().forEach(pe -> err.println("custody: policy error: " + pe.describe()));
                return null;
            }
            java.util.List<dev.custody.policy.trust.TrustSpec> found = new java.util.ArrayList<>();
            for (var p : set.policies()) {
                for (var r : p.rules()) {
                    if (r instanceof dev.custody.policy.trust.TrustRule t && t.spec().provenance() != null && (rule == null || t.spec().name().equals(rule))) {
                        found.add(t.spec());
                    }
                }
            }
            if (found.isEmpty()) {
                throw usage(rule == null ? "no trust rule of --policy has a provenance requirement"
                        : "no trust rule named \"" + rule + "\" with a provenance requirement in --policy");
            }
            if (found.size() > 1) {
                throw usage("several trust rules of --policy have a provenance requirement; pick one with --rule: "
                        + String.join(", ", found.stream().map(dev.custody.policy.trust.TrustSpec::name).toList()));
            }
            return found.get(0);
        }

        /** Reads the provenance of a verified DSSE bundle and checks it against the rule. */
        private static ProvenanceCheck checkProvenance(byte[] bundleJson, dev.custody.policy.trust.TrustSpec rule) {
            byte[] payload = BundleVerifier.dssePayload(bundleJson).orElse(null);
            if (payload == null) {
                return new ProvenanceCheck(rule.name(), null, "the bundle signs a message, not an in-toto statement, so it carries no provenance");
            }
            try {
                var statement = dev.custody.verify.intoto.Statement.parse(payload, "the bundle's statement");
                var facts = dev.custody.verify.intoto.ProvenanceFacts.from(statement);
                String problem = rule.provenance().problem(facts.builderId(), facts.sourceRepository(), facts.sourceRef(), facts.sourceCommit());
                return new ProvenanceCheck(rule.name(), facts, problem != null ? problem
                        : rule.provenance().conditionProblem(statement.predicate(), statement.predicateType()));
            } catch (dev.custody.verify.intoto.InvalidStatementException e) {
                return new ProvenanceCheck(rule.name(), null, e.getMessage());
            }
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!output.equals("text") && !output.equals("json")) {
                throw usage("--output must be text or json, found \"" + output + "\"");
            }
            SignerPolicy policy;
            try {
                policy = policy();
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            } catch (IOException e) {
                err.println("custody: cannot read --key " + FileMessages.describe(String.valueOf(key), e));
                return ExitCodes.INPUT_ERROR;
            }
            TrustRoot root;
            try {
                root = trustedRoot == null ? TrustRoot.publicGood() : TrustRoot.load(trustedRoot);
            } catch (TrustRootException e) {
                err.println("custody: invalid trusted root: " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            }
            byte[] json;
            try {
                json = BundleVerifier.readBundle(bundle);
            } catch (IOException e) {
                err.println("custody: cannot read --bundle " + FileMessages.describe(String.valueOf(bundle), e));
                return ExitCodes.INPUT_ERROR;
            }
            Artifact subject;
            try {
                subject = Artifact.fromArgument(artifact);
            } catch (IOException e) {
                err.println("custody: cannot read the artifact " + FileMessages.describe(String.valueOf(artifact), e));
                return ExitCodes.INPUT_ERROR;
            }
            dev.custody.policy.trust.TrustSpec provenanceRule = provenanceRule(err);
            if (!policies.isEmpty() && provenanceRule == null) {
                return ExitCodes.INPUT_ERROR;
            }
            Result result = new BundleVerifier().verify(json, subject, policy, root);
            // provenance is read only from a bundle that verified
            ProvenanceCheck provenance = result.verified() && provenanceRule != null ? checkProvenance(json, provenanceRule) : null;
            boolean ok = result.verified() && (provenance == null || provenance.problem() == null);
            if (output.equals("json")) {
                Map<String, Object> m = json(result, root);
                if (provenance != null) {
                    m.put("verified", ok);
                    m.put("provenance", provenanceJson(provenance));
                    if (!ok) {
                        m.put("failure", "provenance");
                        m.put("reason", provenance.problem());
                    }
                }
                Json.print(out, m);
            } else if (provenance != null && !ok) {
                out.println("not verified (provenance): the signature verified, but trust rule " + provenance.rule() + " refuses the provenance: "
                        + provenance.problem());
                printDetails(out, result, root);
                printProvenance(out, provenance);
            } else {
                print(out, result, root);
                if (provenance != null) {
                    printProvenance(out, provenance);
                }
            }
            return ok ? ExitCodes.OK : ExitCodes.DENIED;
        }

        private SignerPolicy policy() throws IOException {
            boolean keyless = identity != null || identityRegexp != null || issuer != null || issuerRegexp != null;
            if (key != null) {
                if (keyless) {
                    throw new IllegalArgumentException(
                            "--key cannot be combined with the --certificate-* options: a bundle is signed either with a key or with a certificate");
                }
                try {
                    return SignerPolicy.publicKey(new String(readKey(key), StandardCharsets.US_ASCII));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--key " + key + ": " + e.getMessage(), e);
                }
            }
            if (!keyless) {
                throw new IllegalArgumentException("say who must have signed: --certificate-identity (or --certificate-identity-regexp) "
                        + "and --certificate-oidc-issuer (or --certificate-oidc-issuer-regexp), or --key");
            }
            return SignerPolicy.keyless(match(identity, identityRegexp, "--certificate-identity"),
                    match(issuer, issuerRegexp, "--certificate-oidc-issuer"));
        }

        private static Match match(String exact, String regexp, String option) {
            if (exact != null && regexp != null) {
                throw new IllegalArgumentException(option + " and " + option + "-regexp cannot both be given");
            }
            if (exact == null && regexp == null) {
                throw new IllegalArgumentException(option + " (or " + option + "-regexp) is required for a keyless bundle");
            }
            if (exact != null && exact.isEmpty()) {
                throw new IllegalArgumentException(option + " is empty");
            }
            return exact != null ? Match.exactly(exact) : Match.regexp(regexp);
        }

        private static byte[] readKey(Path file) throws IOException {
            try (InputStream in = Files.newInputStream(file)) {
                byte[] b = in.readNBytes((int) MAX_KEY_BYTES + 1);
                if (b.length > MAX_KEY_BYTES) {
                    throw new IOException("larger than " + MAX_KEY_BYTES + " bytes, not a PEM public key");
                }
                return b;
            }
        }

        private static void print(PrintWriter out, Result result, TrustRoot root) {
            Result.Details d = result.details();
            switch (result) {
                case Result.Verified v -> out.println("verified " + d.artifact());
                case Result.NotVerified n -> out.println("not verified (" + n.failure().code() + "): " + n.reason());
            }
            printDetails(out, result, root);
        }

        private static void printProvenance(PrintWriter out, ProvenanceCheck p) {
            line(out, "rule", "trust rule " + p.rule() + (p.problem() == null ? ": provenance satisfies it" : ""));
            if (p.facts() != null) {
                line(out, "builder", p.facts().builderId());
                line(out, "source", p.facts().sourceRepository());
                line(out, "ref", p.facts().sourceRef());
                line(out, "commit", p.facts().sourceCommit());
            }
        }

        private static Map<String, Object> provenanceJson(ProvenanceCheck p) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rule", p.rule());
            m.put("satisfied", p.problem() == null);
            m.put("problem", p.problem());
            if (p.facts() != null) {
                m.put("predicateType", p.facts().predicateType());
                m.put("builderId", p.facts().builderId());
                m.put("sourceRepository", p.facts().sourceRepository());
                m.put("sourceRef", p.facts().sourceRef());
                m.put("sourceCommit", p.facts().sourceCommit());
            }
            return m;
        }

        private static void printDetails(PrintWriter out, Result result, TrustRoot root) {
            Result.Details d = result.details();
            line(out, "bundle", d.mediaType() == null ? null : d.mediaType() + " (" + d.content()
                    + (d.predicateType() != null ? ", predicate " + d.predicateType() : "") + ")");
            line(out, "signer", d.signer());
            line(out, "issuer", d.issuer());
            line(out, "signed at", d.signedAt() == null ? null : d.signedAt().toString());
            line(out, "tlog entry", d.tlogKind() == null ? null : d.tlogKind() + (d.tlogIndex() != null ? ", index " + d.tlogIndex() : ""));
            line(out, "trust root", root.source());
        }

        private static void line(PrintWriter out, String name, String value) {
            if (value != null) {
                out.printf("  %-11s%s%n", name, value);
            }
        }

        private static Map<String, Object> json(Result result, TrustRoot root) {
            Result.Details d = result.details();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("verified", result.verified());
            m.put("failure", result instanceof Result.NotVerified n ? n.failure().code() : null);
            m.put("reason", result instanceof Result.NotVerified n ? n.reason() : null);
            m.put("artifact", d.artifact());
            m.put("mediaType", d.mediaType());
            m.put("content", d.content());
            m.put("predicateType", d.predicateType());
            m.put("signer", d.signer());
            m.put("issuer", d.issuer());
            m.put("signedAt", d.signedAt() == null ? null : d.signedAt().toString());
            m.put("tlogKind", d.tlogKind());
            m.put("tlogIndex", d.tlogIndex());
            m.put("trustRoot", root.source());
            return m;
        }

        private CommandLine.ParameterException usage(String message) {
            return new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }
}
