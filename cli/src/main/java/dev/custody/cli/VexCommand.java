package dev.custody.cli;

import dev.custody.store.Evidence;
import dev.custody.store.SbomStore;
import dev.custody.store.Store;
import dev.custody.store.StoreException;
import dev.custody.vuln.vex.VexDocuments;
import dev.custody.vulns.Vex;
import dev.custody.vulns.VulnMatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code custody vex}: VEX statements in (OpenVEX, CycloneDX VEX) and out (OpenVEX). */
@Command(name = "vex", mixinStandardHelpOptions = true, description = "VEX: import statements about image digests, export a digest's as OpenVEX.",
        subcommands = {VexCommand.Import.class, VexCommand.Export.class})
final class VexCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Store a VEX document's statements. Products are image digests: an OCI purl (pkg:oci/NAME@sha256%3A...), a bare",
                    "digest, or a sha-256 hash; --digest names the image for statements (or a CycloneDX document) that name none."},
            exitCodeListHeading = "Exit codes:%n", exitCodeList = {"0:stored (or stored already)", "2:not a VEX document Custody can use (the field is named)", "3:store error"})
    static final class Import implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Option(names = "--digest", paramLabel = "sha256:HEX", description = "The image the statements are about, where they name none.")
        String digest;

        @Mixin
        StoreOption store;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (digest != null && !SbomStore.DIGEST.matcher(digest).matches()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--digest must be sha256:<64 lower-case hex>, found \"" + digest + "\"");
            }
            if (!Files.isRegularFile(file)) {
                throw new CommandLine.ParameterException(spec.commandLine(), file + ": no such file");
            }
            try (Store s = store.open()) {
                Vex.Imported r = Vex.importFile(s, file, digest);
                spec.commandLine().getOut().println(r.newDocument() ? r.statements() + " statements from " + file
                        : file + " is stored already (" + r.statements() + " statements)");
                return ExitCodes.OK;
            } catch (VexDocuments.InvalidVexException e) {
                spec.commandLine().getErr().println("custody: " + file + ": " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            } catch (IOException e) {
                spec.commandLine().getErr().println("custody: " + file + ": " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            } catch (StoreException e) {
                spec.commandLine().getErr().println("custody: store error: " + e.getMessage());
                return ExitCodes.INTERNAL_ERROR;
            }
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Write an OpenVEX document for a digest: a statement for every finding of its stored SBOM against the advisory",
                    "database, in the status its VEX statements give it (affected when none does)."})
    static final class Export implements Callable<Integer> {
        @Option(names = "--digest", required = true, paramLabel = "sha256:HEX")
        String digest;

        @Option(names = "--out", paramLabel = "FILE", description = "Write here (default: stdout).")
        Path out;

        @Option(names = "--author", description = "The document's author (default: the OS user).")
        String author;

        @Mixin
        StoreOption store;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (!SbomStore.DIGEST.matcher(digest).matches()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--digest must be sha256:<64 lower-case hex>, found \"" + digest + "\"");
            }
            try (Store s = store.open()) {
                if (!new SbomStore(s).linked(digest)) {
                    spec.commandLine().getErr().println("custody: the store holds no SBOM of " + digest + " (custody sbom ingest)");
                    return ExitCodes.INPUT_ERROR;
                }
                List<VulnMatcher.Finding> findings = dev.custody.vulns.StoredVulnEvidence.withExceptions(s, digest, new VulnMatcher(s).matchDigest(s, digest)).findings();
                Evidence.Artifact a = new Evidence(s).artifact(digest, 0);
                String doc = Vex.export(digest, a == null ? null : a.repository(), findings,
                        author != null ? author : System.getProperty("user.name", "custody"), Instant.now());
                if (out == null) {
                    spec.commandLine().getOut().print(doc);
                } else {
                    Files.writeString(out, doc);
                    spec.commandLine().getErr().println("wrote " + out + ": " + findings.size() + " statements");
                }
                return ExitCodes.OK;
            } catch (IOException e) {
                spec.commandLine().getErr().println("custody: cannot write " + out + ": " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            } catch (StoreException e) {
                spec.commandLine().getErr().println("custody: store error: " + e.getMessage());
                return ExitCodes.INTERNAL_ERROR;
            }
        }
    }
}
