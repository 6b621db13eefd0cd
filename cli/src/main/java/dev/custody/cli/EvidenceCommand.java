package dev.custody.cli;

import dev.custody.bundle.EvidenceBundle;
import dev.custody.bundle.SigningKeys;
import dev.custody.evidence.Times;
import dev.custody.store.SbomStore;
import dev.custody.store.Store;
import dev.custody.store.StoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code custody evidence}: audit evidence as one signed archive, checked offline. */
@Command(name = "evidence", mixinStandardHelpOptions = true,
        description = "Export the evidence of a digest, an incident or a window of decisions as one signed archive, and verify one offline.",
        subcommands = {EvidenceCommand.Export.class, EvidenceCommand.Verify.class})
final class EvidenceCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Write FILE (a zip): the stored evidence (artifacts, signers, provenance, SBOM documents), the runtime history,",
                    "every decision involved with its hash-chain proof, the chain's state, denylist entries and history, incidents, and",
                    "manifest.json with every file's SHA-256. With --key, FILE.sig (as cosign sign-blob writes it) and FILE.sigstore.json."},
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:written", "2:usage error, unreadable key, unknown incident", "3:store error"})
    static final class Export implements Callable<Integer> {
        @Option(names = "--digest", paramLabel = "sha256:HEX", description = "A digest (repeatable).")
        List<String> digests = new ArrayList<>();

        @Option(names = "--incident", paramLabel = "ID", description = "An incident: its digests, its record and everything about them.")
        String incident;

        @Option(names = "--since", paramLabel = "TIME", description = "A window of decisions from TIME (an instant, a date, or an age such as 7d).")
        String since;

        @Option(names = "--until", paramLabel = "TIME", description = "With --since: until TIME (default: now).")
        String until;

        @Option(names = {"-n", "--namespace"}, description = "With --since: decisions of this namespace only.")
        String namespace;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "The archive to write.")
        Path out;

        @Option(names = "--key", paramLabel = "KEY",
                description = "Sign with this key: cosign's encrypted key (password from $COSIGN_PASSWORD) or a PKCS#8 EC PEM.")
        Path key;

        @Mixin
        StoreOption store;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (digests.isEmpty() && incident == null && since == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give what to export: --digest, --incident or --since (with --namespace)");
            }
            if ((until != null || namespace != null) && since == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--until and --namespace go with --since");
            }
            for (String d : digests) {
                if (!SbomStore.DIGEST.matcher(d).matches()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--digest must be sha256:<64 lower-case hex>, found \"" + d + "\"");
                }
            }
            Instant now = Instant.now();
            Long from = null;
            Long to = null;
            try {
                if (since != null) {
                    from = Times.parse(since, now);
                    to = until == null ? now.toEpochMilli() : Times.parse(until, now);
                }
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            PrivateKey signing = null;
            if (key != null) {
                String pw = System.getenv("COSIGN_PASSWORD");
                try {
                    signing = SigningKeys.privateKey(key, pw == null ? null : pw.toCharArray());
                    SigningKeys.publicOf(signing);
                } catch (SigningKeys.KeyException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--key " + e.getMessage());
                }
            }
            PrintWriter err = spec.commandLine().getErr();
            try (Store s = store.open()) {
                EvidenceBundle.Written w = EvidenceBundle.export(s, new EvidenceBundle.Request(digests, incident, from, to, namespace), out, signing,
                        System.getProperty("user.name", ""), now.toEpochMilli());
                PrintWriter o = spec.commandLine().getOut();
                o.printf("wrote %s: %d files, %,d bytes; %d digests, %d decisions%n", w.archive(), w.files(), w.bytes(), w.digests().size(), w.decisions());
                if (w.signature() != null) {
                    o.println("signed: " + w.signature() + " and " + w.sigstoreBundle());
                } else {
                    o.println("not signed (give --key to sign)");
                }
                return ExitCodes.OK;
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            } catch (StoreException e) {
                err.println("custody: store error: " + e.getMessage());
                return ExitCodes.INTERNAL_ERROR;
            } catch (IOException e) {
                err.println("custody: cannot write " + out + ": " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            }
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check an exported archive offline: every file the manifest names, with its SHA-256; no file added; each decision",
                    "record's hash; and with --key, the signature beside it (FILE.sig or FILE.sigstore.json) over the archive."},
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:intact (and signed by the key, with --key)", "1:changed: each file named", "2:unreadable archive or key"})
    static final class Verify implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE")
        Path archive;

        @Option(names = "--key", paramLabel = "PUB", description = "The signer's PEM public key (cosign.pub).")
        Path key;

        @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).")
        String output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PublicKey pub = null;
            if (key != null) {
                try {
                    pub = SigningKeys.publicKey(key);
                } catch (SigningKeys.KeyException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--key " + e.getMessage());
                }
            }
            if (!Files.isRegularFile(archive)) {
                throw new CommandLine.ParameterException(spec.commandLine(), archive + ": no such file");
            }
            EvidenceBundle.Report r;
            try {
                r = EvidenceBundle.verify(archive, pub);
            } catch (IOException e) {
                spec.commandLine().getErr().println("custody: " + archive + ": " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            }
            PrintWriter out = spec.commandLine().getOut();
            if (output.equals("json")) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("archive", archive.toString());
                o.put("intact", r.intact());
                o.put("signature", r.signature());
                o.put("files", r.files());
                o.put("subject", r.subject());
                o.put("problems", r.problems());
                Json.print(out, o);
            } else {
                for (EvidenceBundle.Problem p : r.problems()) {
                    out.println(p.file() + ": " + p.problem());
                }
                out.printf("%s: %s; %d files; signature %s%n", archive, r.intact() ? "intact" : r.problems().size() + " problems", r.files(),
                        r.signature());
            }
            return r.intact() ? ExitCodes.OK : ExitCodes.DENIED;
        }
    }
}
