package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The whole command tree as a user meets it: every command and subcommand answers {@code --help} with exit 0, every
 * repository path that help text or a message in the code names exists, and every error about a file names the file.
 */
class CommandTreeTest {

    static final Path ROOT = Path.of(System.getProperty("custody.repoRoot", "..")).toAbsolutePath().normalize();

    /** A path inside the repository as help and messages name them: docs/..., examples/..., scripts/..., and so on. */
    static final Pattern REPO_PATH = Pattern.compile("(?<![\\w./-])((?:docs|examples|scripts|deploy|bench|bin)/[A-Za-z0-9_./-]*[A-Za-z0-9_/])");

    /** A real public key (sigstore-conformance), read in place. */
    static final Path KEY = ROOT.resolve("../shared/corpora/sigstore/sigstore-conformance/test/assets/bundle-verify/"
            + "managed-key-and-trusted-root/key.pub").normalize();

    @TempDir
    Path tmp;

    /** Every command's qualified name (without "custody"), walked from the real command line. */
    static List<List<String>> commands() {
        List<List<String>> out = new ArrayList<>();
        walk(Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())), new ArrayList<>(), out);
        return out;
    }

    private static void walk(CommandLine cl, List<String> path, List<List<String>> out) {
        out.add(List.copyOf(path));
        for (Map.Entry<String, CommandLine> sub : new TreeMap<>(cl.getSubcommands()).entrySet()) {
            if (sub.getValue().getCommandSpec().name().equals(sub.getKey())) { // aliases once
                List<String> next = new ArrayList<>(path);
                next.add(sub.getKey());
                walk(sub.getValue(), next, out);
            }
        }
    }

    @Test
    void everyCommandAnswersHelpAndEveryPathItNamesExists() {
        List<List<String>> commands = commands();
        assertThat(commands).hasSizeGreaterThan(20); // the tree as it is: custody, check, serve, query components, ...
        List<String> problems = new ArrayList<>();
        for (List<String> command : commands) {
            if (command.equals(List.of("help"))) {
                continue; // picocli's help command takes a command name, not --help
            }
            List<String> args = new ArrayList<>(command);
            args.add("--help");
            CliResult r = CliResult.run(args.toArray(String[]::new));
            String name = String.join(" ", command);
            if (r.code() != 0) {
                problems.add("custody " + name + " --help: exit " + r.code() + ": " + r.err().strip());
                continue;
            }
            if (!r.out().contains("Usage: custody" + (command.isEmpty() ? "" : " " + name))) {
                problems.add("custody " + name + " --help: no usage line: " + r.out());
            }
            for (String p : paths(r.out())) {
                if (!Files.exists(ROOT.resolve(p))) {
                    problems.add("custody " + name + " --help names " + p + ", which does not exist");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    /** Paths the code names as where it writes, created when it first runs. */
    static final java.util.Set<String> OUTPUTS = java.util.Set.of("bench/results/tmp/workloads");

    /** Messages in the code (help, errors, hints) that name a repository path name one that exists. */
    @Test
    void everyRepositoryPathInTheCodeExists() throws IOException {
        List<String> problems = new ArrayList<>();
        Pattern literal = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/")).toList()) {
                Matcher m = literal.matcher(Files.readString(f, StandardCharsets.UTF_8));
                while (m.find()) {
                    for (String p : paths(m.group(1))) {
                        if (!Files.exists(ROOT.resolve(p)) && !OUTPUTS.contains(p)) {
                            problems.add(ROOT.relativize(f) + " names " + p + ", which does not exist");
                        }
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    private static List<String> paths(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = REPO_PATH.matcher(text.replaceAll("\\s*\\n\\s*", " "));
        while (m.find()) {
            String p = m.group(1).replaceAll("[.]$", "");
            if (!p.contains("${") && !p.endsWith("/")) {
                out.add(p);
            } else if (p.endsWith("/")) {
                out.add(p.substring(0, p.length() - 1));
            }
        }
        return out;
    }

    /** Every option that reads a file, given a directory and a missing path: exit 2, and the message names the path. */
    @Test
    void everyErrorAboutAFileNamesTheFile() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("a-directory"));
        Path missing = tmp.resolve("no-such-file.yaml");
        Path store = tmp.resolve("s.db");
        Path policy = ROOT.resolve("examples/policies");
        String digest = "sha256:" + "ab".repeat(32);
        List<String> problems = new ArrayList<>();
        CliResult notAKey = CliResult.run("verify", "bundle", "--bundle", KEY.toString(), "--key", ROOT.resolve("README.md").toString(), digest);
        assertThat(notAKey.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(notAKey.err()).contains(ROOT.resolve("README.md").toString()).contains("not a PEM public key");
        for (Path bad : List.of(dir, missing)) {
            String b = bad.toString();
            List<String[]> cases = List.of(
                    new String[] {"sbom", "ingest", b, "--digest", digest, "--store", store.toString()},
                    new String[] {"check", "--policy", b, ROOT.resolve("examples/manifests").toString()},
                    new String[] {"policy", "validate", b},
                    new String[] {"verify", "bundle", "--bundle", b, "--key", KEY.toString(), digest},
                    new String[] {"verify", "bundle", "--bundle", KEY.toString(), "--key", b, digest},
                    new String[] {"verify", "image", "registry.example/app@" + digest, "--key", b},
                    new String[] {"serve", "--policy", policy.toString(), "--tls-cert", b, "--tls-key", b, "--port", "0"},
                    new String[] {"serve", "--policy", policy.toString(), "--self-signed", "--tls-dir", tmp.resolve("tls").toString(),
                            "--api-port", "0", "--api-tokens", b, "--port", "0"});
            for (String[] args : cases) {
                if (bad == dir && args[0].equals("policy")) {
                    continue; // a directory of policies is what validate takes
                }
                if (bad == dir && args[0].equals("check")) {
                    continue; // likewise --policy DIR
                }
                CliResult r = CliResult.run(args);
                String what = String.join(" ", args);
                if (r.code() != ExitCodes.INPUT_ERROR) {
                    problems.add(what + ": exit " + r.code() + " (want 2): " + r.err().strip());
                } else if (!r.err().contains(b)) {
                    problems.add(what + ": the message does not name " + b + ": " + r.err().strip());
                }
            }
        }
        assertThat(problems).isEmpty();
    }
}
