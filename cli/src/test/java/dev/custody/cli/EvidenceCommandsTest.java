package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.store.BothStores;
import dev.custody.store.Dialect;
import dev.custody.store.StoreLocation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The evidence commands as a user runs them: sbom ingest, query, check --store, audit verify. */
class EvidenceCommandsTest {

    static final Path ROOT = Path.of(System.getProperty("custody.repoRoot", "..")).toAbsolutePath().normalize();
    static final Path GUAC = ROOT.resolve("../shared/corpora/sbom/guac-exampledata/internal/testing/testdata/exampledata").normalize();
    static final String DIGEST = "sha256:" + "ab".repeat(32);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static String store(StoreLocation loc) {
        if (loc.dialect() == Dialect.SQLITE) {
            return loc.file().toString();
        }
        return loc.jdbcUrl() + (loc.properties().containsKey("user") ? "&user=" + loc.properties().getProperty("user") : "");
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void ingestedComponentsAreQueriedByDigestAndByPurl(Dialect dialect) throws Exception {
        StoreLocation loc = BothStores.freshLocation(dialect);
        try {
            String store = store(loc);
            CliResult in = CliResult.run("sbom", "ingest", GUAC.resolve("alpine-cyclonedx.json").toString(), "--digest", DIGEST, "--store", store);
            assertThat(in.code()).as(in.err()).isZero();
            assertThat(in.out()).contains("stored sha256:").contains("cyclonedx json").contains("linked to " + DIGEST);

            CliResult q = CliResult.run("query", "components", "--digest", DIGEST, "--store", store, "--output", "json");
            assertThat(q.code()).as(q.err()).isZero();
            JsonNode doc = JSON.readTree(q.out());
            assertThat(doc.path("components").isArray()).isTrue();
            assertThat(doc.path("components").size()).isGreaterThan(10);
            for (JsonNode c : doc.path("components")) {
                assertThat(c.has("purl") && c.has("name") && c.has("version")).as(c.toString()).isTrue();
            }
            String purl = null;
            for (JsonNode c : doc.path("components")) {
                if (c.path("purl").asText("").startsWith("pkg:alpine/")) {
                    purl = c.path("purl").asText();
                    break;
                }
            }
            assertThat(purl).as("an apk package in the alpine SBOM").isNotNull();
            CliResult where = CliResult.run("query", "components", "--purl", purl, "--store", store, "--output", "json");
            assertThat(JSON.readTree(where.out()).path("components").get(0).path("digests").get(0).asText()).isEqualTo(DIGEST);

            CliResult again = CliResult.run("sbom", "ingest", GUAC.resolve("alpine-cyclonedx.json").toString(), "--digest", DIGEST, "--store", store);
            assertThat(again.out()).startsWith("already stored");

            CliResult artifact = CliResult.run("query", "artifact", DIGEST, "--store", store, "--output", "json");
            assertThat(JSON.readTree(artifact.out()).path("sboms").size()).isEqualTo(1);
        } finally {
            BothStores.dropLocation(loc);
        }
    }

    /**
     * A purl pasted as a scanner prints it finds the image: syft 0.58's SBOM of mongo (real output, in the corpus)
     * is stored, and the purl is asked for exactly as syft wrote it, as an advisory prints it (fewer qualifiers), in
     * the specification's canonical form with qualifiers in another order, and without a version.
     */
    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aPurlFindsItsImageHoweverItIsSpelled(Dialect dialect) throws Exception {
        StoreLocation loc = BothStores.freshLocation(dialect);
        try {
            String store = store(loc);
            CliResult in = CliResult.run("sbom", "ingest", GUAC.resolve("big-mongo-cyclonedx.json").toString(), "--digest", DIGEST, "--store", store);
            assertThat(in.code()).as(in.err()).isZero();
            for (String purl : List.of("pkg:deb/ubuntu/tar@1.30+dfsg-7ubuntu0.20.04.2?arch=amd64&distro=ubuntu-20.04",
                    "pkg:deb/ubuntu/tar@1.30+dfsg-7ubuntu0.20.04.2?distro=ubuntu-20.04",
                    "pkg:deb/ubuntu/tar@1.30%2Bdfsg-7ubuntu0.20.04.2?distro=ubuntu-20.04&arch=amd64",
                    "pkg:deb/ubuntu/tar")) {
                CliResult q = CliResult.run("query", "components", "--purl", purl, "--store", store, "--output", "json");
                assertThat(q.code()).as(purl + ": " + q.err()).isZero();
                JsonNode hits = JSON.readTree(q.out()).path("components");
                assertThat(hits.size()).as(purl).isEqualTo(1);
                assertThat(hits.get(0).path("purl").asText()).isEqualTo("pkg:deb/ubuntu/tar@1.30%2Bdfsg-7ubuntu0.20.04.2?arch=amd64&distro=ubuntu-20.04");
                assertThat(hits.get(0).path("digests").toString()).as(purl).contains(DIGEST);
            }
            CliResult epoch = CliResult.run("query", "components", "--purl", "pkg:deb/ubuntu/bsdutils@1:2.34-0.1ubuntu9.3", "--store", store);
            assertThat(epoch.out()).contains("pkg:deb/ubuntu/bsdutils@1:2.34-0.1ubuntu9.3?").contains("1 matching components");
            CliResult none = CliResult.run("query", "components", "--purl", "pkg:deb/ubuntu/tar@1.30+dfsg-7ubuntu0.20.04.2?arch=arm64", "--store", store);
            assertThat(none.out()).contains("0 matching components");
            CliResult bad = CliResult.run("query", "components", "--purl", "deb/ubuntu/tar", "--store", store);
            assertThat(bad.code()).isEqualTo(ExitCodes.INPUT_ERROR);
            assertThat(bad.err()).contains("--purl").contains("deb/ubuntu/tar");
        } finally {
            BothStores.dropLocation(loc);
        }
    }

    @Test
    void aPurlIsDenylistedOnceHoweverItIsSpelled() {
        String store = tmp.resolve("deny-purl.db").toString();
        CliResult a = CliResult.run("denylist", "add", "--purl", "pkg:deb/ubuntu/tar@1.30+dfsg-7?distro=ubuntu-20.04&arch=amd64", "--reason", "r", "--store", store);
        CliResult b = CliResult.run("denylist", "add", "--purl", "pkg:deb/ubuntu/tar@1.30%2Bdfsg-7?arch=amd64&distro=ubuntu-20.04", "--reason", "r", "--store", store);
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(b.code()).as(b.err()).isZero();
        CliResult list = CliResult.run("denylist", "list", "--store", store);
        assertThat(list.out()).contains("pkg:deb/ubuntu/tar@1.30%2Bdfsg-7?arch=amd64&distro=ubuntu-20.04").contains("1 entries");
        CliResult bad = CliResult.run("denylist", "add", "--purl", "pkg:npm/%zz", "--reason", "r", "--store", store);
        assertThat(bad.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(bad.err()).contains("not a purl").contains("pkg:npm/%zz");
    }

    @Test
    void anInvalidSbomExitsTwoWithTheReason() {
        String store = tmp.resolve("s.db").toString();
        CliResult bad = CliResult.run("sbom", "ingest", GUAC.resolve("invalid-cyclonedx.json").toString(), "--digest", DIGEST, "--store", store);
        assertThat(bad.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(bad.err()).startsWith("custody: invalid SBOM: ").contains("invalid-cyclonedx.json");
        CliResult missing = CliResult.run("sbom", "ingest", tmp.resolve("nope.json").toString(), "--store", store);
        assertThat(missing.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(missing.err()).contains("no such file");
        CliResult digest = CliResult.run("sbom", "ingest", GUAC.resolve("alpine-cyclonedx.json").toString(), "--digest", "sha256:abc", "--store", store);
        assertThat(digest.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(digest.err()).contains("--digest must be sha256:<64 lower-case hex>");
    }

    @Test
    void withoutStoreBothCommandsUseTheEmbeddedDefaultUnderTheDataDirectory() throws Exception {
        Path home = tmp.resolve("home");
        Run in = subprocess(home, "sbom", "ingest", GUAC.resolve("alpine-cyclonedx.json").toString(), "--digest", DIGEST);
        assertThat(in.code()).as(in.output()).isZero();
        assertThat(home.resolve("custody.db")).exists();
        Run q = subprocess(home, "query", "components", "--digest", DIGEST, "--output", "json");
        assertThat(q.code()).as(q.output()).isZero();
        assertThat(JSON.readTree(q.output()).path("components").size()).isGreaterThan(10);
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void checkRecordsItsDecisionsAndTheLogVerifies(Dialect dialect) throws Exception {
        StoreLocation loc = BothStores.freshLocation(dialect);
        try {
            String store = store(loc);
            CliResult check = CliResult.run("check", "--policy", ROOT.resolve("examples/policies").toString(), "--store", store,
                    ROOT.resolve("examples/manifests").toString());
            assertThat(check.code()).as(check.err()).isEqualTo(ExitCodes.DENIED);
            CliResult denied = CliResult.run("query", "decisions", "--verdict", "denied", "--store", store, "--output", "json");
            JsonNode ds = JSON.readTree(denied.out()).path("decisions");
            assertThat(ds.size()).isGreaterThanOrEqualTo(5);
            assertThat(ds.get(0).path("record").path("source").asText()).isEqualTo("cli");
            assertThat(ds.get(0).path("record").path("rules").size()).isPositive();
            CliResult verify = CliResult.run("audit", "verify", "--store", store);
            assertThat(verify.code()).as(verify.out()).isZero();
            String head = verify.out().replaceAll("(?s).*head ([0-9a-f]{64}).*", "$1");
            assertThat(CliResult.run("audit", "verify", "--store", store, "--expect-head", head).code()).isZero();
            assertThat(CliResult.run("audit", "verify", "--store", store, "--expect-head", "f".repeat(64)).code()).isEqualTo(ExitCodes.DENIED);
        } finally {
            BothStores.dropLocation(loc);
        }
    }

    /** A typo is a usage error found before the store is opened: no database is created or migrated for it. */
    @Test
    void badArgumentsAreRefusedBeforeTheStoreIsOpened() {
        Path db = tmp.resolve("never.db");
        for (String[] args : List.of(
                new String[] {"query", "artifact", "sha256:nothex", "--store", db.toString()},
                new String[] {"query", "components", "--digest", "latest", "--store", db.toString()},
                new String[] {"query", "components", "--store", db.toString()},
                new String[] {"query", "components", "--purl", "npm/lodash", "--store", db.toString()},
                new String[] {"denylist", "add", "--purl", "pkg:", "--reason", "bad", "--store", db.toString()},
                new String[] {"query", "decisions", "--since", "yesterday-ish", "--store", db.toString()},
                new String[] {"query", "admitted-without", "provenance", "--store", db.toString()},
                new String[] {"denylist", "add", "--digest", "sha256:short", "--reason", "bad", "--store", db.toString()})) {
            CliResult r = CliResult.run(args);
            assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(ExitCodes.INPUT_ERROR);
            assertThat(db).as(String.join(" ", args)).doesNotExist();
        }
    }

    @Test
    void aDigestIsDenylistedListedAndLifted() {
        String store = tmp.resolve("deny.db").toString();
        CliResult add = CliResult.run("denylist", "add", "--digest", DIGEST, "--reason", "CVE-2024-3094", "--expires-in", "7d", "--store", store);
        assertThat(add.code()).as(add.err()).isZero();
        assertThat(add.out()).startsWith("denylisted " + DIGEST).contains(" until ");
        String id = add.out().replaceAll("(?s).*\\(id ([0-9a-f]+)\\).*", "$1");
        CliResult list = CliResult.run("denylist", "list", "--store", store);
        assertThat(list.out()).contains(id).contains("CVE-2024-3094").contains("1 entries");
        assertThat(CliResult.run("denylist", "add", "--reason", "x", "--store", store).code()).as("nothing to block").isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(CliResult.run("denylist", "add", DIGEST, "--digest", DIGEST, "--reason", "x", "--store", store).code()).as("two things")
                .isEqualTo(ExitCodes.INPUT_ERROR);
        CliResult repo = CliResult.run("denylist", "add", "--repository", "nginx", "--reason", "not ours", "--store", store);
        assertThat(repo.code()).as(repo.err()).isZero();
        assertThat(repo.out()).as("normalized as image references are").startsWith("denylisted docker.io/library/nginx ");
        CliResult tagged = CliResult.run("denylist", "add", "--repository", "nginx:1.27", "--reason", "x", "--store", store);
        assertThat(tagged.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(tagged.err()).contains("without tag or digest");
        assertThat(CliResult.run("denylist", "remove", id, "--store", store).code()).as("a removal needs --reason").isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(CliResult.run("denylist", "remove", id, "--reason", "fixed upstream", "--store", store).code()).isZero();
        assertThat(CliResult.run("denylist", "remove", id, "--reason", "again", "--store", store).code()).isEqualTo(ExitCodes.DENIED);
        CliResult history = CliResult.run("denylist", "history", "--store", store, "-o", "json");
        assertThat(history.code()).as(history.err()).isZero();
        assertThat(history.out()).contains("\"action\" : \"remove\"").contains("fixed upstream");
        assertThat(CliResult.run("denylist", "history", "--since", "1h", "--store", store).out()).contains("3 events");
        assertThat(CliResult.run("denylist", "history", "--since", "2999-01-01", "--store", store).out()).contains("0 events");
        assertThat(CliResult.run("denylist", "history", "--since", "yesterday-ish", "--store", store).code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(CliResult.run("denylist", "add", "--digest", DIGEST, "--purl", "pkg:npm/x", "--reason", "r", "--store", store).code())
                .isEqualTo(ExitCodes.INPUT_ERROR);
        CliResult bad = CliResult.run("denylist", "add", "--digest", "sha256:nope", "--reason", "r", "--store", store);
        assertThat(bad.code()).isEqualTo(ExitCodes.INPUT_ERROR);
        assertThat(bad.err()).contains("digest must be sha256:");
    }

    record Run(int code, String output) {}

    static Run subprocess(Path home, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.custody.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.put("CUSTODY_HOME", home.toString());
        env.remove("CUSTODY_STORE");
        Path out = Files.createTempFile("custody-cli-", ".out");
        pb.redirectOutput(out.toFile());
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }
}
