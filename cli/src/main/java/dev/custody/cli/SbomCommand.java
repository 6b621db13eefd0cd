package dev.custody.cli;

import dev.custody.sbom.Quality;
import dev.custody.sbom.Sbom;
import dev.custody.sbom.SbomException;
import dev.custody.sbom.SbomLimits;
import dev.custody.sbom.SbomReader;
import dev.custody.store.SbomStore;
import dev.custody.store.Store;
import dev.custody.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code custody sbom}: SBOMs into the evidence store. */
@Command(name = "sbom", mixinStandardHelpOptions = true, description = "Work with SBOMs in the evidence store.",
        subcommands = SbomCommand.Ingest.class)
final class SbomCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Reads at most {@code max} bytes of a file or stdin ("-"). */
    static byte[] readBounded(String path, long max) throws IOException {
        if (path.equals("-")) {
            return readBounded(System.in, "stdin", max);
        }
        Path p = Path.of(path);
        long size = Files.size(p);
        if (size > max) {
            throw new IOException(path + " is " + size + " bytes, larger than the limit of " + max + " bytes");
        }
        try (InputStream in = Files.newInputStream(p)) {
            return readBounded(in, path, max);
        }
    }

    private static byte[] readBounded(InputStream in, String name, long max) throws IOException {
        byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        if (b.length > max) {
            throw new IOException(name + " is larger than the limit of " + max + " bytes");
        }
        return b;
    }

    /** {@code custody sbom ingest FILE --digest sha256:HEX}. */
    @Command(name = "ingest", mixinStandardHelpOptions = true,
            description = {"Store an SBOM (CycloneDX JSON/XML 1.2-1.6, SPDX 2.2/2.3 JSON or tag-value) and link it to image digests.",
                    "The document is stored once per content hash; its components once per purl.",
                    "A CycloneDX JSON whose URLs are not IRI references is stored with those places listed as deviations"
                            + " and a lower quality score; --strict refuses it."},
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:stored", "2:invalid SBOM (or, with --strict, one that deviates from its schema) or usage error",
                    "3:store error"})
    static final class Ingest implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "FILE", description = "The SBOM file; - reads stdin.")
        String file;

        @Option(names = "--digest", paramLabel = "sha256:HEX",
                description = "Image digest the SBOM describes (repeatable); needed when the SBOM does not name its subject's digest.")
        List<String> digests = new ArrayList<>();

        @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).")
        String output;

        @Option(names = "--max-bytes", defaultValue = "268435456", paramLabel = "N", description = "Refuse larger documents (default: ${DEFAULT-VALUE}).")
        long maxBytes;

        @Option(names = "--strict", description = "Refuse an SBOM that deviates from its schema at all, even where Custody tolerates it.")
        boolean strict;

        @Mixin
        StoreOption store;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            for (String d : digests) {
                if (!SbomStore.DIGEST.matcher(d).matches()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--digest must be sha256:<64 lower-case hex>, found \"" + d + "\"");
                }
            }
            if (!output.equals("text") && !output.equals("json")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--output must be text or json, found \"" + output + "\"");
            }
            byte[] bytes;
            Sbom sbom;
            String source = file.equals("-") ? "stdin" : file;
            try {
                bytes = readBounded(file, maxBytes);
                SbomLimits d = SbomLimits.DEFAULT;
                sbom = SbomReader.read(bytes, source, new SbomLimits(maxBytes, d.maxComponentDepth(), d.maxComponents(), d.maxNestingDepth()));
            } catch (IOException e) {
                err.println("custody: " + FileMessages.describe(source, e));
                return ExitCodes.INPUT_ERROR;
            } catch (SbomException e) {
                err.println("custody: invalid SBOM: " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            }
            if (strict && sbom.quality().deviationCount() > 0) {
                err.println("custody: invalid SBOM (--strict): " + source + ": " + deviates(sbom) + ":");
                printDeviations(err, sbom.quality());
                return ExitCodes.INPUT_ERROR;
            }
            SbomStore.IngestResult r;
            try (Store s = store.open()) {
                r = new SbomStore(s).ingest(sbom, bytes, digests, "cli");
            } catch (StoreException e) {
                err.println("custody: store error: " + e.getMessage());
                return ExitCodes.INTERNAL_ERROR;
            }
            if (output.equals("json")) {
                Json.print(out, r);
            } else {
                out.printf("%s %s: %s %s %s, %d components, %d dependencies, quality %.1f/100%n", r.newDocument() ? "stored" : "already stored",
                        r.contentHash(), sbom.format().family(), sbom.format().encoding(), sbom.specVersion(), r.components(), r.dependencies(),
                        r.quality().score());
                if (sbom.quality().deviationCount() > 0) {
                    out.println(deviates(sbom) + " (stored; --strict refuses such a document):");
                    printDeviations(out, sbom.quality());
                }
                for (String d : r.digests()) {
                    out.println("linked to " + d);
                }
            }
            if (r.digests().isEmpty()) {
                err.println("custody: warning: the SBOM names no image digest and none was given with --digest; it is stored but not linked");
            }
            return ExitCodes.OK;
        }

        private static String deviates(Sbom sbom) {
            int n = sbom.quality().deviationCount();
            return "deviates from the " + sbom.format().family() + " " + sbom.specVersion() + " schema in " + n + (n == 1 ? " place" : " places");
        }
    }

    /** How many deviations the text output lists; JSON output has every one the quality record keeps. */
    static final int LISTED_DEVIATIONS = 10;

    /** The first deviations, one a line: path, reason code, what was found. */
    static void printDeviations(PrintWriter out, Quality quality) {
        quality.deviations().stream().limit(LISTED_DEVIATIONS)
                .forEach(d -> out.println("  " + d.path() + " " + d.reason() + ": " + d.message()));
        if (quality.deviationCount() > LISTED_DEVIATIONS) {
            out.println("  and " + (quality.deviationCount() - LISTED_DEVIATIONS) + " more (-o json lists "
                    + (quality.deviations().size() == quality.deviationCount() ? "them all" : "the first " + quality.deviations().size()) + ")");
        }
    }
}
