package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Custody against the real cosign: scripts/interop/make-fixtures.sh pushes images to a registry on loopback and
 * signs them with cosign v2.6.5 (a key, a bring-your-own CA chain, and tampered variants), and records cosign's
 * own verdict on each. `custody verify image` must reach the same verdict on every signature case. Needs
 * CUSTODY_COSIGN (scripts/test.sh builds cosign and sets it); skipped without it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class CosignInteropTest {

    static final Path ROOT = Path.of(System.getProperty("custody.repoRoot", "..")).toAbsolutePath().normalize();
    static final ObjectMapper JSON = new ObjectMapper();

    Path work;
    Path fixtures;
    JsonNode doc;

    @BeforeAll
    void makeFixtures() throws Exception {
        String cosign = System.getenv("CUSTODY_COSIGN");
        Assumptions.assumeTrue(cosign != null && Files.isExecutable(Path.of(cosign)),
                "CUSTODY_COSIGN is not set: scripts/test.sh builds cosign and sets it");
        work = Files.createTempDirectory("custody-interop-");
        Process reg = new ProcessBuilder("bash", ROOT.resolve("scripts/image/registry.sh").toString(), "start", work.resolve("registry").toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String addr = new String(reg.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(reg.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(reg.exitValue()).as("registry.sh start").isZero();
        fixtures = work.resolve("fixtures");
        Process make = new ProcessBuilder("bash", ROOT.resolve("scripts/interop/make-fixtures.sh").toString(), addr, fixtures.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("make-fixtures.log").toFile()).start();
        assertThat(make.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(make.exitValue()).as(Files.readString(work.resolve("make-fixtures.log"))).isZero();
        doc = JSON.readTree(fixtures.resolve("fixtures.json").toFile());
    }

    @AfterAll
    void stopRegistry() throws Exception {
        if (work != null) {
            new ProcessBuilder("bash", ROOT.resolve("scripts/image/registry.sh").toString(), "stop", work.resolve("registry").toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
        }
    }

    Stream<JsonNode> signatureCases() {
        List<JsonNode> out = new ArrayList<>();
        doc.path("cases").forEach(c -> {
            if (c.path("kind").asText().equals("signature")) {
                out.add(c);
            }
        });
        return out.stream();
    }

    private String[] args(JsonNode c) {
        JsonNode v = c.path("verify");
        List<String> a = new ArrayList<>(List.of("verify", "image", c.path("ref").asText(), "-o", "json"));
        if (v.has("key")) {
            a.addAll(List.of("--key", fixtures.resolve(v.path("key").asText()).toString()));
        } else {
            a.addAll(List.of("--certificate-identity", v.path("certificate_identity").asText(), "--certificate-oidc-issuer",
                    v.path("certificate_oidc_issuer").asText(), "--certificate-chain", fixtures.resolve(v.path("certificate_chain").asText()).toString()));
        }
        return a.toArray(String[]::new);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("signatureCases")
    void custodyAgreesWithCosign(JsonNode c) throws Exception {
        assertThat(c.path("cosign").asText()).as("cosign's own verdict").isEqualTo(c.path("expected").asText());
        CliResult r = CliResult.run(args(c));
        JsonNode out = JSON.readTree(r.out());
        String verdict = out.path("results").get(0).path("verdict").asText();
        boolean pass = c.path("expected").asText().equals("pass");
        assertThat(r.code()).as(c.path("name").asText() + ": " + r.out() + r.err()).isEqualTo(pass ? ExitCodes.OK : ExitCodes.DENIED);
        assertThat(verdict).isEqualTo(pass ? "VERIFIED" : c.path("name").asText().equals("key-unsigned") ? "UNSIGNED" : "INVALID");
        if (c.path("verify").path("new_bundle_format").asBoolean()) { // found as an OCI referrer, not under a cosign tag
            assertThat(out.path("results").get(0).path("signatures").toString()).as(r.out()).contains("referrer sha256:");
        }
    }

    /**
     * Admission with a trust rule, through a real `custody serve` process: the key-signed image is admitted, the
     * one signed by another key is denied as invalid; then the registry goes away: the verified digest is still
     * admitted (cached), a digest never verified is denied as unavailable under the closed failure mode, and the
     * decision log records which admissions used a verified signature.
     */
    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE) // last: it stops the registry
    void admissionVerifiesWithTrustRulesAndTellsAnOutageFromABadSignature() throws Exception {
        String repo = doc.path("registry").asText() + "/" + doc.path("repository").asText();
        String policy = """
                apiVersion: custody.dev/v1alpha1
                kind: Policy
                metadata: {name: signed-shop}
                spec:
                  tier: dev
                  trust:
                    - name: ci
                      images: ['%s']
                      authorities:
                        - name: ci-key
                          key: |
                %s
                      provenance: {builders: ['https://ci.custody.example/builders/*']}
                      sbom: true
                      scan: {maxAge: 1d}
                      failureMode: closed
                """.formatted(repo, Files.readString(fixtures.resolve("keys/key1.pub")).indent(14).stripTrailing());
        Path dir = Files.createDirectories(work.resolve("policies"));
        Files.writeString(dir.resolve("signed.yaml"), policy);
        Path store = work.resolve("decisions.db");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                "dev.custody.cli.Main", "serve", "--policy", dir.toString(), "--port", "0", "--self-signed", "--tls-dir", work.resolve("tls").toString(),
                "--store", store.toString());
        Process serve = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
            int port = -1;
            for (String line; port < 0 && (line = lines.readLine()) != null; ) {
                var m = java.util.regex.Pattern.compile("https://127\\.0\\.0\\.1:(\\d+)/validate").matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertThat(port).as("custody serve started").isPositive();
            Thread drain = new Thread(() -> {
                try {
                    lines.transferTo(java.io.Writer.nullWriter());
                } catch (java.io.IOException ignored) {
                    // process ended
                }
            });
            drain.setDaemon(true);
            drain.start();
            var client = java.net.http.HttpClient.newBuilder().sslContext(dev.custody.server.TlsMaterial.trusting(work.resolve("tls/ca.crt"))).build();
            String signed = repo + "@" + doc.path("images").path("v1").path("digest").asText();
            String wrongKey = repo + "@" + doc.path("images").path("wrong-key").path("digest").asText();
            String neverSeen = repo + "@" + doc.path("images").path("unsigned").path("digest").asText();

            JsonNode ok = review(client, port, "u-signed", signed);
            assertThat(ok.path("allowed").asBoolean()).as(ok.toString()).isTrue();
            // serve stores the SBOM attested for the verified digest in the background: wait for it before the outage
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int sboms = 0;
            while (sboms == 0 && System.nanoTime() < until) {
                CliResult a = CliResult.run("query", "artifact", doc.path("images").path("v1").path("digest").asText(), "--store", store.toString(),
                        "-o", "json");
                sboms = a.code() == 0 ? JSON.readTree(a.out()).path("sboms").size() : 0;
                if (sboms == 0) {
                    Thread.sleep(100);
                }
            }
            assertThat(sboms).as("attested SBOM stored by serve").isEqualTo(1);
            // signed, but its only attestation is a scan older than a day: each missing or stale piece is named
            JsonNode stale = review(client, port, "u-stale-scan", repo + "@" + doc.path("images").path("stale-scan").path("digest").asText());
            assertThat(stale.path("allowed").asBoolean()).as(stale.toString()).isFalse();
            assertThat(stale.path("status").path("message").asText()).contains("SCAN_ATTESTATION_STALE").contains("SBOM_ATTESTATION_MISSING")
                    .contains("PROVENANCE_MISSING").doesNotContain("SIGNATURE_");
            JsonNode bad = review(client, port, "u-wrong-key", wrongKey);
            assertThat(bad.path("allowed").asBoolean()).isFalse();
            assertThat(bad.path("status").path("message").asText()).contains("SIGNATURE_INVALID").contains("does not verify with ci-key's key");

            new ProcessBuilder("bash", ROOT.resolve("scripts/image/registry.sh").toString(), "stop", work.resolve("registry").toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
            JsonNode cached = review(client, port, "u-signed-again", signed);
            assertThat(cached.path("allowed").asBoolean()).as(cached.toString()).isTrue();
            JsonNode down = review(client, port, "u-outage", neverSeen);
            assertThat(down.path("allowed").asBoolean()).isFalse();
            assertThat(down.path("status").path("message").asText()).contains("SIGNATURE_UNAVAILABLE").doesNotContain("SIGNATURE_INVALID");
        } finally {
            serve.destroy();
            serve.waitFor(30, TimeUnit.SECONDS);
        }
        CliResult unsigned = CliResult.run("query", "admitted-without", "signature", "--since", "1h", "--store", store.toString(), "-o", "json");
        assertThat(JSON.readTree(unsigned.out()).path("images").size()).as(unsigned.out()).isZero(); // both admissions used a verified signature
        CliResult artifact = CliResult.run("query", "artifact", doc.path("images").path("v1").path("digest").asText(), "--store", store.toString(),
                "-o", "json");
        assertThat(JSON.readTree(artifact.out()).path("verifications").get(0).path("signerIdentity").asText()).as(artifact.out()).isEqualTo("ci-key");
        assertThat(JSON.readTree(artifact.out()).path("sboms").get(0).path("source").asText()).isEqualTo("attestation");
        // serve kept every verified attestation of the admitted digest as evidence, with the provenance facts
        assertThat(JSON.readTree(artifact.out()).path("provenance").get(0).path("builderId").asText())
                .isEqualTo("https://ci.custody.example/builders/fixture@v1");
        assertThat(JSON.readTree(artifact.out()).path("verifications").toString()).contains("https://cosign.sigstore.dev/attestation/vuln/v1");
        // and the attested scan's findings are the digest's, with their source
        CliResult scanned = CliResult.run("vuln", "match", "--digest", doc.path("images").path("v1").path("digest").asText(), "--store", store.toString(),
                "-o", "json");
        assertThat(scanned.code()).as(scanned.err()).isZero();
        assertThat(JSON.readTree(scanned.out()).path("findings").toString()).contains("\"id\":\"CVE-2023-26119\"")
                .contains("trivy-attested:CVE-2023-26119");
        CliResult denied = CliResult.run("query", "decisions", "--verdict", "denied", "--store", store.toString(), "-o", "json");
        assertThat(JSON.readTree(denied.out()).path("decisions").size()).isEqualTo(3);
    }

    private static JsonNode review(java.net.http.HttpClient client, int port, String uid, String image) throws Exception {
        String body = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"%s","operation":"CREATE",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"shop","name":"api","userInfo":{"username":"alice"},
                 "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"api","namespace":"shop"},
                           "spec":{"containers":[{"name":"api","image":"%s"}]}}}}
                """.formatted(uid, image);
        var r = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + port + "/validate?timeout=10s"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body()).path("response");
    }

    /** An index of two platform manifests, one signed by key1 and one by key2; the index itself is unsigned. */
    @Test
    void multiArchRulesSayWhetherTheIndexOrEachPlatformMustBeSigned() throws Exception {
        String repo = doc.path("registry").asText() + "/" + doc.path("repository").asText();
        Process crane = new ProcessBuilder(Path.of(System.getenv("CUSTODY_COSIGN")).resolveSibling("crane").toString(), "index", "append", "--insecure",
                "-m", doc.path("images").path("v1").path("ref").asText(), "-m", doc.path("images").path("wrong-key").path("ref").asText(),
                "-t", repo + ":multi").redirectErrorStream(true).start();
        String craneOut = new String(crane.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(crane.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(crane.exitValue()).as(craneOut).isZero();
        String key1 = Files.readString(fixtures.resolve("keys/key1.pub")).indent(12).stripTrailing();
        String key2 = Files.readString(fixtures.resolve("keys/key2.pub")).indent(12).stripTrailing();
        for (String[] c : new String[][] {{"index", "key1", "1"}, {"eachPlatform", "key1", "1"}, {"eachPlatform", "both", "1"}}) {
            String authorities = "        - name: key1\n          key: |\n" + key1 + "\n"
                    + (c[1].equals("both") ? "        - name: key2\n          key: |\n" + key2 + "\n" : "");
            Path policy = work.resolve("multi-" + c[0] + "-" + c[1] + ".yaml");
            Files.writeString(policy, "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: multi}\nspec:\n  tier: dev\n  trust:\n"
                    + "    - name: multi\n      images: ['" + repo + "']\n      multiArch: " + c[0] + "\n      authorities:\n" + authorities);
            CliResult r = CliResult.run("verify", "image", repo + ":multi", "--policy", policy.toString(), "-o", "json");
            String verdict = JSON.readTree(r.out()).path("results").get(0).path("verdict").asText();
            switch (c[0] + "/" + c[1]) {
                case "index/key1" -> assertThat(verdict).as(r.out()).isEqualTo("UNSIGNED"); // the index digest has no signature
                case "eachPlatform/key1" -> {
                    assertThat(verdict).as(r.out()).isEqualTo("INVALID"); // the second platform is signed by key2
                    assertThat(r.out()).contains(doc.path("images").path("wrong-key").path("digest").asText());
                }
                default -> assertThat(verdict).as(r.out()).isEqualTo("VERIFIED");
            }
        }
    }

    /**
     * SLSA provenance attested with the real `cosign attest`: a rule requiring a builder, repository and ref admits
     * the matching image and refuses each of another builder, another repository, another ref, an attestation whose
     * subject names another digest, an image with no attestation, and an attestation by an untrusted key.
     */
    @Test
    void provenanceRulesCheckBuilderRepositoryRefSubjectAndSigner() throws Exception {
        String repo = doc.path("registry").asText() + "/" + doc.path("repository").asText();
        String key1 = Files.readString(fixtures.resolve("keys/key1.pub")).indent(12).stripTrailing();
        String key2 = Files.readString(fixtures.resolve("keys/key2.pub")).indent(12).stripTrailing();
        record Case(String name, String image, String key, String builders, String repositories, String refs, String verdict) {}
        String v1 = repo + ":v1";
        for (Case c : List.of(
                new Case("matching", v1, key1, "https://ci.custody.example/builders/*", "https://git.custody.example/custody/*", "refs/heads/main", "VERIFIED"),
                new Case("another builder", v1, key1, "https://github.com/slsa-framework/*", "*", "*", "INVALID"),
                new Case("another repository", v1, key1, "*", "https://github.com/acme/*", "*", "INVALID"),
                new Case("another ref", v1, key1, "*", "*", "refs/tags/*", "INVALID"),
                new Case("subject names another digest", repo + ":digest-mismatch", key1, "*", "*", "*", "INVALID"),
                new Case("no attestation", repo + ":unsigned", key1, "*", "*", "*", "UNSIGNED"),
                new Case("untrusted signer", v1, key2, "*", "*", "*", "INVALID"),
                new Case("in the Sigstore bundle format", repo + ":bundled", key1, "https://ci.custody.example/builders/*",
                        "https://git.custody.example/custody/*", "refs/heads/main", "VERIFIED"),
                new Case("bundle format, untrusted signer", repo + ":bundled", key2, "*", "*", "*", "INVALID"))) {
            Path policy = work.resolve("provenance-" + c.name().replace(' ', '-') + ".yaml");
            Files.writeString(policy, "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: prov}\nspec:\n  tier: dev\n  trust:\n"
                    + "    - name: built\n      images: ['" + repo + "']\n      authorities:\n        - name: ci\n          key: |\n" + c.key() + "\n"
                    + "      provenance:\n        builders: ['" + c.builders() + "']\n        repositories: ['" + c.repositories() + "']\n"
                    + "        refs: ['" + c.refs() + "']\n        requireCommit: true\n");
            CliResult r = CliResult.run("verify", "image", c.image(), "--policy", policy.toString(), "-o", "json");
            JsonNode prov = JSON.readTree(r.out()).path("results").get(0).path("provenance");
            assertThat(prov.path("verdict").asText()).as(c.name() + ": " + r.out()).isEqualTo(c.verdict());
            assertThat(r.code()).isEqualTo(c.verdict().equals("VERIFIED") ? ExitCodes.OK : ExitCodes.DENIED);
        }
    }

    /**
     * SBOM and vulnerability-scan attestations made with the real `cosign attest --type cyclonedx | vuln`: a rule
     * requiring both admits the image that has both (scan an hour old, maxAge 1d), and tells apart a stale scan, an
     * image with no SBOM, an image with no attestations, and attestations by a signer the rule does not trust.
     */
    @Test
    void sbomAndScanRulesRequireAttestedEvidenceOfTheRightAge() throws Exception {
        String repo = doc.path("registry").asText() + "/" + doc.path("repository").asText();
        String key1 = Files.readString(fixtures.resolve("keys/key1.pub")).indent(12).stripTrailing();
        String key2 = Files.readString(fixtures.resolve("keys/key2.pub")).indent(12).stripTrailing();
        record Case(String name, String image, String key, String sbom, String scan) {}
        for (Case c : List.of(
                new Case("SBOM and a fresh scan", "v1", key1, "VERIFIED", "VERIFIED"),
                new Case("a stale scan and no SBOM", "stale-scan", key1, "UNSIGNED", "STALE"),
                new Case("no attestation at all", "unsigned", key1, "UNSIGNED", "UNSIGNED"),
                new Case("attested by another signer", "v1", key2, "INVALID", "INVALID"))) {
            Path policy = work.resolve("attested-" + c.name().replace(' ', '-') + ".yaml");
            Files.writeString(policy, "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: attested}\nspec:\n  tier: dev\n  trust:\n"
                    + "    - name: scanned\n      images: ['" + repo + "']\n      authorities:\n        - name: ci\n          key: |\n" + c.key() + "\n"
                    + "      sbom: true\n      scan: {maxAge: 1d}\n");
            CliResult r = CliResult.run("verify", "image", repo + ":" + c.image(), "--policy", policy.toString(), "-o", "json");
            JsonNode result = JSON.readTree(r.out()).path("results").get(0);
            assertThat(result.path("sbom").path("verdict").asText()).as(c.name() + ": " + r.out()).isEqualTo(c.sbom());
            assertThat(result.path("scan").path("verdict").asText()).as(c.name() + ": " + r.out()).isEqualTo(c.scan());
            assertThat(r.code()).isEqualTo(c.sbom().equals("VERIFIED") && c.scan().equals("VERIFIED") ? ExitCodes.OK : ExitCodes.DENIED);
            if (c.scan().equals("STALE")) {
                assertThat(result.path("scan").path("detail").asText()).contains("2026-01-01T00:00:00Z").contains("allows 1d");
            }
            if (c.image().equals("v1") && c.sbom().equals("VERIFIED")) { // the facts read from the verified attestations are listed
                assertThat(result.path("attestations").toString()).contains("https://cosign.sigstore.dev/attestation/vuln/v1")
                        .contains("pkg:github/aquasecurity/trivy@0.58.0").contains("https://ci.custody.example/builders/fixture@v1");
            }
        }
        // the same age limit in admission terms: a tighter maxAge makes v1's hour-old scan stale too
        Path tight = work.resolve("attested-tight.yaml");
        Files.writeString(tight, "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: attested}\nspec:\n  tier: dev\n  trust:\n"
                + "    - name: scanned\n      images: ['" + repo + "']\n      authorities:\n        - name: ci\n          key: |\n" + key1 + "\n"
                + "      scan: {maxAge: 10m}\n");
        CliResult r = CliResult.run("verify", "image", repo + ":v1", "--policy", tight.toString(), "-o", "json");
        assertThat(JSON.readTree(r.out()).path("results").get(0).path("scan").path("verdict").asText()).as(r.out()).isEqualTo("STALE");
    }

    /**
     * Provenance attested with a certificate from the fixture CA (standing in for Fulcio): a keyless authority with
     * that CA as its roots verifies it, checking identity and issuer; another identity does not.
     */
    @Test
    void provenanceAttestedByACertificateIdentityVerifiesAgainstItsRoots() throws Exception {
        String repo = doc.path("registry").asText() + "/" + doc.path("repository").asText();
        String chain = Files.readString(fixtures.resolve("pki/chain.pem")).indent(14).stripTrailing();
        for (String identity : List.of("signer@custody.example", "someone-else@custody.example")) {
            Path policy = work.resolve("keyless-provenance-" + identity.charAt(0) + ".yaml");
            Files.writeString(policy, "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: keyless}\nspec:\n  tier: dev\n  trust:\n"
                    + "    - name: built\n      images: ['" + repo + "']\n      authorities:\n        - name: ci\n          keyless:\n"
                    + "            identity: " + identity + "\n            issuer: https://issuer.example\n            roots: |\n" + chain + "\n"
                    + "      provenance:\n        builders: ['https://ci.custody.example/builders/*']\n        refs: [refs/heads/main]\n");
            CliResult r = CliResult.run("verify", "image", repo + ":v2", "--policy", policy.toString(), "-o", "json");
            JsonNode result = JSON.readTree(r.out()).path("results").get(0);
            boolean trusted = identity.startsWith("signer");
            assertThat(result.path("provenance").path("verdict").asText()).as(identity + ": " + r.out()).isEqualTo(trusted ? "VERIFIED" : "INVALID");
            assertThat(r.code()).isEqualTo(trusted ? ExitCodes.OK : ExitCodes.DENIED);
        }
    }

    /** An SBOM attested with `cosign attest --type cyclonedx` goes into the evidence store, linked to the digest. */
    @Test
    void attestedSbomsOfAVerifiedImageGoIntoTheEvidenceStore() throws Exception {
        String repo = doc.path("registry").asText() + "/" + doc.path("repository").asText();
        String digest = doc.path("images").path("v1").path("digest").asText();
        Path store = work.resolve("sboms.db");
        CliResult r = CliResult.run("verify", "image", repo + ":v1", "--key", fixtures.resolve("keys/key1.pub").toString(), "--store", store.toString(),
                "-o", "json");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(JSON.readTree(r.out()).path("results").get(0).path("sbomsStored").size()).isEqualTo(1);
        CliResult q = CliResult.run("query", "components", "--digest", digest, "--store", store.toString(), "-o", "json");
        JsonNode components = JSON.readTree(q.out()).path("components");
        assertThat(components.size()).isGreaterThan(10);
        assertThat(components.toString()).contains("pkg:alpine/");
        CliResult artifact = CliResult.run("query", "artifact", digest, "--store", store.toString(), "-o", "json");
        JsonNode a = JSON.readTree(artifact.out());
        assertThat(a.path("sboms").get(0).path("source").asText()).isEqualTo("attestation");
        // every verified attestation is a normalized record; provenance facts have their own rows
        assertThat(a.path("provenance").get(0).path("builderId").asText()).as(artifact.out()).isEqualTo("https://ci.custody.example/builders/fixture@v1");
        assertThat(a.path("provenance").get(0).path("sourceCommit").asText()).isEqualTo("4f1c2b0e9d8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b");
        assertThat(a.path("verifications").toString()).contains("https://slsa.dev/provenance/v0.2").contains("https://cyclonedx.org/bom")
                .contains("https://cosign.sigstore.dev/attestation/vuln/v1");
    }

    /**
     * An SBOM the real syft generated from an image built here (this machine's Debian package database and a jar),
     * attested with the real cosign: Custody verifies the attestation, ingests the SBOM whole, and finds the
     * packages syft found, by their purls.
     */
    @Test
    void anSbomThatSyftGeneratedIsVerifiedAndIngested() throws Exception {
        Assumptions.assumeTrue(System.getenv("CUSTODY_SYFT") != null, "CUSTODY_SYFT is not set: scripts/test.sh builds syft and sets it");
        JsonNode syft = doc.path("syft");
        assertThat(syft.isObject()).as("make-fixtures.sh made the syft fixture").isTrue();
        String digest = syft.path("digest").asText();
        JsonNode sbom = JSON.readTree(fixtures.resolve(syft.path("sbom").asText()).toFile());
        java.util.Set<String> purls = new java.util.TreeSet<>();
        sbom.path("components").forEach(c -> {
            if (c.hasNonNull("purl")) {
                try { // the store keys components by the purl spec's canonical form (':' stays unescaped)
                    purls.add(dev.custody.sbom.PackageUrl.parse(c.path("purl").asText()).canonical());
                } catch (dev.custody.sbom.PackageUrl.MalformedException e) {
                    throw new AssertionError("syft wrote an invalid purl: " + c.path("purl").asText(), e);
                }
            }
        });
        assertThat(purls).as("syft found the image's packages").anyMatch(p -> p.startsWith("pkg:deb/"));
        Path store = work.resolve("syft.db");
        Path policy = work.resolve("syft-sbom.yaml");
        String repo = doc.path("registry").asText() + "/" + doc.path("repository").asText();
        Files.writeString(policy, "apiVersion: custody.dev/v1alpha1\nkind: Policy\nmetadata: {name: sbom}\nspec:\n  tier: dev\n  trust:\n"
                + "    - name: described\n      images: ['" + repo + "']\n      authorities:\n        - name: ci\n          key: |\n"
                + Files.readString(fixtures.resolve("keys/key1.pub")).indent(12).stripTrailing() + "\n      sbom: true\n");
        CliResult r = CliResult.run("verify", "image", syft.path("image").asText(), "--policy", policy.toString(), "--store", store.toString(),
                "-o", "json");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonNode result = JSON.readTree(r.out()).path("results").get(0);
        assertThat(result.path("sbom").path("verdict").asText()).isEqualTo("VERIFIED");
        assertThat(result.path("sbomsStored").size()).as(r.out() + r.err()).isEqualTo(1);
        CliResult q = CliResult.run("query", "components", "--digest", digest, "--store", store.toString(), "-o", "json");
        java.util.Set<String> stored = new java.util.TreeSet<>();
        JSON.readTree(q.out()).path("components").forEach(c -> stored.add(c.path("purl").asText()));
        assertThat(stored).as("every package syft found is in the store under the image digest").containsAll(purls);
        if (purls.stream().anyMatch(p -> p.startsWith("pkg:maven/"))) { // the jar, as syft names it from its manifest
            assertThat(stored).anyMatch(p -> p.startsWith("pkg:maven/") && p.contains("/picocli@"));
        }
    }

    @Test
    void aKeySignedImageCostsAtMostThreeRegistryRequestsFromItsTag() throws Exception {
        JsonNode image = doc.path("images").path("v1");
        String byTag = doc.path("registry").asText() + "/" + doc.path("repository").asText() + ":" + image.path("tag").asText();
        CliResult r = CliResult.run("verify", "image", byTag, "--key", fixtures.resolve("keys/key1.pub").toString(), "-o", "json");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonNode out = JSON.readTree(r.out());
        assertThat(out.path("results").get(0).path("digest").asText()).isEqualTo(image.path("digest").asText());
        assertThat(out.path("registryRequests").asInt()).isLessThanOrEqualTo(3); // resolve the tag, the .sig manifest, the payload
    }
}
