package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.store.DecisionLog;
import dev.custody.store.DecisionRecord;
import dev.custody.store.RuntimeInventory;
import dev.custody.store.Store;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code custody evidence export} and {@code verify} as a user runs them: an archive signed with a key the real cosign
 * generated (encrypted, COSIGN_PASSWORD) verifies with Custody and with cosign's verify-blob (signature file and
 * Sigstore bundle); changing, removing or adding one file, or one byte of the archive, fails and names it.
 */
class EvidenceBundleTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String DIGEST = "sha256:" + "5e".repeat(32);

    @TempDir
    Path tmp;

    String store;

    @BeforeEach
    void evidence() throws Exception {
        store = tmp.resolve("c.db").toString();
        Path sbom = tmp.resolve("bom.json");
        Files.writeString(sbom, """
                {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
                  {"type": "library", "name": "lodash", "version": "4.17.20", "purl": "pkg:npm/lodash@4.17.20"}]}
                """);
        assertThat(CliResult.run("sbom", "ingest", sbom.toString(), "--digest", DIGEST, "--store", store).code()).isZero();
        try (Store s = Store.open(store); DecisionLog log = new DecisionLog(s)) {
            for (int i = 0; i < 3; i++) {
                log.append(new DecisionRecord(System.currentTimeMillis(), "admission", "u" + i, "alice", "CREATE", "shop", "Pod", "api-" + i,
                        "allowed", false, "pv1", List.of(new DecisionRecord.Image("app", "r.example/shop/api@" + DIGEST, DIGEST)), List.of(),
                        List.of())).get(10, TimeUnit.SECONDS);
            }
            new RuntimeInventory(s).observe(List.of(new RuntimeInventory.PodObservation("east", "u1", "shop", "api-0",
                    new RuntimeInventory.WorkloadRef("Deployment", "api"), "Deployment/api", "n1", "default", "Running", 1L, "{}",
                    List.of(new RuntimeInventory.ContainerObservation("app", "containers", "r.example/shop/api@" + DIGEST, DIGEST,
                            "r.example/shop/api@" + DIGEST, DIGEST, true, 0, 1L, null)))), 2L);
        }
        CliResult opened = CliResult.run("incident", "open", "--package", "pkg:npm/lodash@4.17.20", "--title", "lodash", "--block", "--store", store);
        assertThat(opened.code()).as(opened.err()).isZero();
    }

    @Test
    void anArchiveSignedWithACosignKeyVerifiesWithCustodyAndCosignAndNamesWhatChanged() throws Exception {
        String cosign = System.getenv("CUSTODY_COSIGN");
        Assumptions.assumeTrue(cosign != null && Files.isExecutable(Path.of(cosign)), "CUSTODY_COSIGN is not set: scripts/test.sh builds cosign and sets it");
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        assertThat(run(keys, cosign, "generate-key-pair").exit()).isZero();
        Path archive = tmp.resolve("evidence.zip");
        // export as a process: the key's password comes from the environment, as cosign takes it
        KubeApiServerE2ETest.Run export = run(tmp, Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "evidence", "export", "--digest", DIGEST, "--out", archive.toString(),
                "--key", keys.resolve("cosign.key").toString(), "--store", store);
        assertThat(export.exit()).as(export.err()).isZero();
        assertThat(export.out()).contains("1 digests, 3 decisions").contains("signed: " + archive + ".sig");

        Map<String, byte[]> files = unzip(archive);
        assertThat(files).containsKeys("manifest.json", "decisions/records.jsonl", "decisions/chain.json", "denylist.json",
                "artifacts/" + DIGEST.replace(':', '-') + "/artifact.json", "artifacts/" + DIGEST.replace(':', '-') + "/runtime.json");
        assertThat(files.keySet()).anySatisfy(k -> assertThat(k).startsWith("incidents/INC-"));
        assertThat(files.keySet()).anySatisfy(k -> assertThat(k).contains("/sboms/sha256-"));
        assertThat(new String(files.get("decisions/records.jsonl"), StandardCharsets.UTF_8).lines().count()).isEqualTo(3);
        JsonNode manifest = JSON.readTree(files.get("manifest.json"));
        assertThat(manifest.path("files").size()).isEqualTo(files.size() - 1);

        String pub = keys.resolve("cosign.pub").toString();
        CliResult ok = CliResult.run("evidence", "verify", archive.toString(), "--key", pub);
        assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out()).contains("intact").contains("signature verified");
        KubeApiServerE2ETest.Run cosignSig = run(tmp, cosign, "verify-blob", "--key", pub, "--signature", archive + ".sig", "--insecure-ignore-tlog",
                archive.toString());
        assertThat(cosignSig.exit()).as("cosign verify-blob --signature: " + cosignSig.err()).isZero();
        Path emptyRoot = tmp.resolve("trusted_root.json"); // a key-signed bundle needs no CA or log; cosign still asks for a root
        Files.writeString(emptyRoot, "{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\"}");
        KubeApiServerE2ETest.Run cosignBundle = run(tmp, cosign, "verify-blob", "--key", pub, "--bundle", archive + ".sigstore.json",
                "--new-bundle-format", "--trusted-root", emptyRoot.toString(), "--insecure-ignore-tlog", archive.toString());
        assertThat(cosignBundle.exit()).as("cosign verify-blob --bundle: " + cosignBundle.err()).isZero();

        // one file changed, removed, added: each named, and the signature no longer covers the archive
        String sbomFile = files.keySet().stream().filter(k -> k.contains("/sboms/")).findFirst().orElseThrow();
        assertNamed(archive, pub, m -> {
            m.put(sbomFile, "{\"tampered\":true}".getBytes(StandardCharsets.UTF_8));
            return m;
        }, sbomFile + ": changed");
        assertNamed(archive, pub, m -> {
            m.remove("denylist.json");
            return m;
        }, "denylist.json: missing");
        assertNamed(archive, pub, m -> {
            m.put("decisions/extra.json", "{}".getBytes(StandardCharsets.UTF_8));
            return m;
        }, "decisions/extra.json: added");
        // a decision's body rewritten with the manifest's hash updated to match: the record's own hash gives it away
        assertNamed(archive, pub, m -> {
            String records = new String(m.get("decisions/records.jsonl"), StandardCharsets.UTF_8).replaceFirst("allowed", "denied");
            m.put("decisions/records.jsonl", records.getBytes(StandardCharsets.UTF_8));
            ObjectMapperHolder.rehash(m, "decisions/records.jsonl");
            return m;
        }, "decisions/records.jsonl: line 1 (decision 1): its hash is not SHA-256 over its prevHash and body");
        // one byte of the archive
        byte[] bytes = Files.readAllBytes(archive);
        bytes[bytes.length / 2] ^= 0x01;
        Path flipped = tmp.resolve("flipped.zip");
        Files.write(flipped, bytes);
        Files.copy(Path.of(archive + ".sig"), Path.of(flipped + ".sig"));
        CliResult bad = CliResult.run("evidence", "verify", flipped.toString(), "--key", pub);
        assertThat(bad.code()).isEqualTo(ExitCodes.DENIED);
        assertThat(bad.out()).contains("flipped.zip: the signature does not verify");
        assertThat(run(tmp, cosign, "verify-blob", "--key", pub, "--signature", flipped + ".sig", "--insecure-ignore-tlog", flipped.toString()).exit())
                .as("cosign agrees").isNotZero();
    }

    @Test
    void aPlainPkcs8KeySignsAndVerifyWithoutAKeyStillChecksTheManifest() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        var pair = g.generateKeyPair();
        Path key = tmp.resolve("key.pem");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        Path pub = tmp.resolve("key.pub");
        Files.writeString(pub, dev.custody.bundle.SigningKeys.pem(pair.getPublic()));
        Path archive = tmp.resolve("incident.zip");
        String id = JSON.readTree(CliResult.run("incident", "list", "-o", "json", "--store", store).out()).path("incidents").get(0).path("id").asText();
        CliResult export = CliResult.run("evidence", "export", "--incident", id, "--out", archive.toString(), "--key", key.toString(), "--store", store);
        assertThat(export.code()).as(export.err()).isZero();
        assertThat(export.out()).contains("1 digests, 3 decisions");
        assertThat(CliResult.run("evidence", "verify", archive.toString(), "--key", pub.toString()).code()).isZero();
        CliResult unsignedCheck = CliResult.run("evidence", "verify", archive.toString(), "-o", "json");
        assertThat(unsignedCheck.code()).isZero();
        assertThat(JSON.readTree(unsignedCheck.out()).path("signature").asText()).isEqualTo("not checked");

        // a window of decisions of one namespace
        Path window = tmp.resolve("window.zip");
        CliResult w = CliResult.run("evidence", "export", "--since", "1h", "--namespace", "shop", "--out", window.toString(), "--store", store);
        assertThat(w.code()).as(w.err()).isZero();
        assertThat(w.out()).contains("1 digests, 3 decisions").contains("not signed");
        CliResult missingSig = CliResult.run("evidence", "verify", window.toString(), "--key", pub.toString());
        assertThat(missingSig.code()).isEqualTo(ExitCodes.DENIED);
        assertThat(missingSig.out()).contains("window.zip.sig: missing");

        // usage errors name what is wrong
        assertThat(CliResult.run("evidence", "export", "--out", window.toString(), "--store", store).err()).contains("give what to export");
        assertThat(CliResult.run("evidence", "export", "--digest", "sha256:zz", "--out", window.toString(), "--store", store).err())
                .contains("--digest must be sha256:");
        assertThat(CliResult.run("evidence", "export", "--digest", DIGEST, "--key", pub.toString(), "--out", window.toString(), "--store", store).err())
                .contains("not a private key");
        Path notZip = tmp.resolve("not.zip");
        Files.writeString(notZip, "hello");
        CliResult garbage = CliResult.run("evidence", "verify", notZip.toString());
        assertThat(garbage.code()).isEqualTo(ExitCodes.DENIED);
        assertThat(garbage.out()).contains("manifest.json: missing");
    }

    /** Re-packs the archive with a change, keeps the old signature beside it, and checks verify names the change. */
    void assertNamed(Path archive, String pub, UnaryOperator<Map<String, byte[]>> change, String expected) throws Exception {
        Map<String, byte[]> files = change.apply(unzip(archive));
        Path repacked = tmp.resolve("repacked-" + System.nanoTime() + ".zip");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (var e : files.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        Files.write(repacked, out.toByteArray());
        Files.copy(Path.of(archive + ".sig"), Path.of(repacked + ".sig"));
        CliResult r = CliResult.run("evidence", "verify", repacked.toString(), "--key", pub);
        assertThat(r.code()).as(r.out()).isEqualTo(ExitCodes.DENIED);
        assertThat(r.out()).contains(expected).contains("the signature does not verify");
    }

    static Map<String, byte[]> unzip(Path archive) throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipInputStream z = new ZipInputStream(Files.newInputStream(archive))) {
            ZipEntry e;
            while ((e = z.getNextEntry()) != null) {
                out.put(e.getName(), z.readAllBytes());
            }
        }
        return out;
    }

    static KubeApiServerE2ETest.Run run(Path dir, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("COSIGN_PASSWORD", "correct horse");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new KubeApiServerE2ETest.Run(p.exitValue(), out, err);
    }

    /** Rewrites one file's entry in the manifest, as a forger without the key would. */
    static final class ObjectMapperHolder {
        static void rehash(Map<String, byte[]> files, String path) {
            try {
                var manifest = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(files.get("manifest.json"));
                for (JsonNode f : manifest.path("files")) {
                    if (f.path("path").asText().equals(path)) {
                        byte[] data = files.get(path);
                        ((com.fasterxml.jackson.databind.node.ObjectNode) f).put("sha256",
                                java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data))).put("size", data.length);
                    }
                }
                files.put("manifest.json", JSON.writeValueAsBytes(manifest));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
