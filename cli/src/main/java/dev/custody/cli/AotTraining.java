package dev.custody.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training run of the JDK's ahead-of-time cache (JDK 25, {@code -XX:AOTCacheOutput}): bin/custody runs this once
 * per jar build, in the background, so that later short commands start with their classes already loaded and linked
 * and their hot methods profiled. It runs the commands CI users run as processes on small inputs it writes to a
 * temporary directory: check, policy validate, sbom ingest and query, vuln match, verify image (refused: nothing
 * listens), assess. Their output is discarded; only the classes and profiles they exercise matter.
 *
 * <pre>java -XX:AOTCacheOutput=FILE -cp custody.jar dev.custody.cli.AotTraining REPO_ROOT</pre>
 */
public final class AotTraining {

    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        Path tmp = Files.createTempDirectory("custody-aot");
        try {
            train(root, tmp);
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static void train(Path root, Path tmp) throws Exception {
        Path policies = root.resolve("examples/policies");
        Path manifests = root.resolve("examples/manifests");
        Path pod = tmp.resolve("pod.yaml");
        Files.writeString(pod, """
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: shop}
                spec:
                  containers:
                  - name: app
                    image: registry.example/shop/web@sha256:%s
                """.formatted("ab".repeat(32)));
        Path sbom = tmp.resolve("sbom.json");
        Files.writeString(sbom, """
                {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
                  {"type": "library", "name": "left-pad", "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0"},
                  {"type": "library", "name": "commons-io", "version": "2.11.0", "purl": "pkg:maven/commons-io/commons-io@2.11.0"}]}
                """);
        Path key = tmp.resolve("key.pub");
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        Files.writeString(key, "-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(g.generateKeyPair().getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        String store = tmp.resolve("train.db").toString();
        String digest = "sha256:" + "ab".repeat(32);
        List<String[]> runs = List.of(
                new String[] {"--version"},
                new String[] {"--help"},
                new String[] {"check", "--policy", policies.toString(), pod.toString()},
                new String[] {"check", "--policy", policies.toString(), manifests.toString()},
                new String[] {"check", "--policy", policies.toString(), "-o", "json", manifests.toString()},
                new String[] {"policy", "validate", policies.toString()},
                new String[] {"sbom", "ingest", sbom.toString(), "--digest", digest, "--store", store},
                new String[] {"query", "artifact", digest, "--store", store},
                new String[] {"vuln", "match", "--sbom", sbom.toString(), "--store", store},
                // nothing listens on port 9 of loopback: the verification is refused quickly, after the key is read
                new String[] {"verify", "image", "127.0.0.1:9/shop/web@" + digest, "--key", key.toString()},
                new String[] {"assess", "--policy", policies.toString(), "--no-store"});
        for (int round = 0; round < 3; round++) {
            for (String[] run : runs) {
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                Main.run(new PrintWriter(out), new PrintWriter(err), run);
            }
        }
    }
}
