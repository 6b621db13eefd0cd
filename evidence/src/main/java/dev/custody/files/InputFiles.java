package dev.custody.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Turns command-line paths into named texts: files as given, directories walked recursively for
 * .yaml/.yml/.json (hidden entries and Kubernetes ConfigMap-mount internals such as {@code ..data} skipped),
 * and {@code -} for standard input. Every read is bounded.
 */
public final class InputFiles {

    /** A named input text. */
    public record Input(String name, String text) {}

    /** A path or input that could not be used, and why. */
    public record Problem(String source, String reason) {
        /** {@code source: reason}, the form people and CI logs read. */
        public String describe() {
            return source + ": " + reason;
        }
    }

    /** An input that could not be read; its message names it. */
    public static final class InputException extends Exception {
        private final Problem problem;

        InputException(String source, String reason) {
            super(source + ": " + reason);
            this.problem = new Problem(source, reason);
        }

        public Problem problem() {
            return problem;
        }
    }

    private InputFiles() {}

    public static List<Path> expand(List<String> args, List<Problem> errors) {
        List<Path> out = new ArrayList<>();
        for (String a : args) {
            if (a.equals("-")) {
                out.add(null);
                continue;
            }
            Path p = Path.of(a);
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    List<Path> found = walk.filter(f -> !hidden(p, f))
                            .filter(Files::isRegularFile)
                            .filter(InputFiles::isManifestName)
                            .sorted()
                            .toList();
                    if (found.isEmpty()) {
                        errors.add(new Problem(a, "directory has no .yaml, .yml or .json files"));
                    }
                    out.addAll(found);
                } catch (IOException | java.io.UncheckedIOException e) {
                    errors.add(new Problem(a, "cannot read directory: " + e.getMessage()));
                }
            } else if (Files.isRegularFile(p)) {
                out.add(p);
            } else if (Files.exists(p)) {
                errors.add(new Problem(a, "not a regular file or directory"));
            } else {
                errors.add(new Problem(a, "no such file or directory"));
            }
        }
        return out;
    }

    private static boolean hidden(Path root, Path f) {
        Path rel = root.relativize(f);
        for (Path part : rel) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isManifestName(Path f) {
        String n = f.getFileName().toString().toLowerCase();
        return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
    }

    public static String display(Path p) {
        return p == null ? "<stdin>" : p.toString();
    }

    /** Reads one input (null path means stdin), refusing more than {@code maxBytes}. */
    public static Input read(Path p, long maxBytes, InputStream stdin) throws InputException {
        String name = display(p);
        byte[] bytes;
        try {
            if (p == null) {
                bytes = stdin.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            } else {
                long size = Files.size(p);
                if (size > maxBytes) {
                    throw new InputException(name, "file is " + size + " bytes, larger than the limit of " + maxBytes
                            + " bytes (--max-input-bytes)");
                }
                bytes = Files.readAllBytes(p);
            }
        } catch (IOException e) {
            throw new InputException(name, "cannot read: " + e.getMessage());
        }
        if (bytes.length > maxBytes) {
            throw new InputException(name, "input is larger than the limit of " + maxBytes + " bytes (--max-input-bytes)");
        }
        try {
            return new Input(name, StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            throw new InputException(name, "not UTF-8 text");
        }
    }
}
