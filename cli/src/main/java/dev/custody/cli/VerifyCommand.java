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
                    "For a DSSE bundle the artifact is a subject of its in-toto statement."},
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

        @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).")
        String output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

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
                err.println("custody: cannot read --key " + key + ": " + describe(e));
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
                err.println("custody: cannot read --bundle " + bundle + ": " + describe(e));
                return ExitCodes.INPUT_ERROR;
            }
            Artifact subject;
            try {
                subject = Artifact.fromArgument(artifact);
            } catch (IOException e) {
                err.println("custody: cannot read the artifact " + artifact + ": " + describe(e));
                return ExitCodes.INPUT_ERROR;
            }
            Result result = new BundleVerifier().verify(json, subject, policy, root);
            if (output.equals("json")) {
                Json.print(out, json(result, root));
            } else {
                print(out, result, root);
            }
            return result.verified() ? ExitCodes.OK : ExitCodes.DENIED;
        }

        private SignerPolicy policy() throws IOException {
            boolean keyless = identity != null || identityRegexp != null || issuer != null || issuerRegexp != null;
            if (key != null) {
                if (keyless) {
                    throw new IllegalArgumentException(
                            "--key cannot be combined with the --certificate-* options: a bundle is signed either with a key or with a certificate");
                }
                return SignerPolicy.publicKey(new String(readKey(key), StandardCharsets.US_ASCII));
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

        private static String describe(IOException e) {
            if (e instanceof NoSuchFileException) {
                return "no such file";
            }
            return e.getMessage() != null ? e.getMessage() : e.toString();
        }

        private CommandLine.ParameterException usage(String message) {
            return new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }
}
