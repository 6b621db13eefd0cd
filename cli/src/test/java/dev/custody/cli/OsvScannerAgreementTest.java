package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.sbom.PackageUrl;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Custody's matching against a real scanner's: osv-scanner (built from its Go module by
 * scripts/tools/build-osv-scanner.sh, pinned) scans syft SBOMs of real images and projects from the corpus fully
 * offline, against a local database zipped from the same OSV records Custody imports; the (package, version,
 * record) pairs both report must be the same, and each kind of difference is named and explained here. Skipped when
 * CUSTODY_OSV_SCANNER is not set (scripts/test.sh builds the binary and sets it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OsvScannerAgreementTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path CORPUS = CheckCommandTest.ROOT.resolve("../shared/corpora");
    static final Path SBOMS = CORPUS.resolve("sbom/guac-exampledata/internal/testing/testdata/exampledata");
    static final List<Path> RECORDS = List.of(CORPUS.resolve("osv/osv-scanner-offline-dbs"), CORPUS.resolve("osv/ghsa-maven-zeppelin"),
            CORPUS.resolve("osv/pypi-pysec"), CORPUS.resolve("osv/go-vulndb"), CORPUS.resolve("osv/ghsa-npm-santatracker"));
    /** osv-scanner refuses to scan when an ecosystem the SBOM names has no zip; an empty zip stands for "no records". */
    static final List<String> ECOSYSTEMS = List.of("Alpine", "Debian", "Ubuntu", "Go", "Maven", "PyPI", "npm", "GIT", "Packagist", "NuGet",
            "RubyGems", "crates.io", "Red Hat", "Rocky Linux", "AlmaLinux", "openSUSE", "SUSE", "Wolfi", "Chainguard", "Hex", "Pub", "CRAN",
            "Hackage", "SwiftURL", "OSS-Fuzz", "Linux", "Android", "Bitnami", "Photon OS", "Mageia", "MinimOS", "Echo", "Azure Linux");

    Path tmp;
    Path scanner;
    Path db;
    String store;

    record Pair(String name, String version, String id) implements Comparable<Pair> {
        @Override
        public int compareTo(Pair o) {
            return toString().compareTo(o.toString());
        }

        @Override
        public String toString() {
            return name + "@" + version + " " + id;
        }
    }

    @BeforeAll
    void database() throws Exception {
        String bin = System.getenv("CUSTODY_OSV_SCANNER");
        assumeTrue(bin != null && Files.isExecutable(Path.of(bin)), "CUSTODY_OSV_SCANNER is not set; scripts/test.sh builds osv-scanner and sets it");
        scanner = Path.of(bin);
        tmp = Files.createTempDirectory("custody-osv-agreement");
        Path base = tmp.resolve("db");
        db = base;
        Map<String, List<Path>> byEcosystem = new TreeMap<>();
        for (Path dir : RECORDS) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                    JsonNode r = JSON.readTree(f.toFile());
                    Set<String> ecos = new TreeSet<>();
                    r.path("affected").forEach(a -> {
                        String e = a.path("package").path("ecosystem").asText("");
                        if (!e.isEmpty()) {
                            ecos.add(e.contains(":") ? e.substring(0, e.indexOf(':')) : e);
                        }
                    });
                    ecos.forEach(e -> byEcosystem.computeIfAbsent(e, k -> new ArrayList<>()).add(f));
                }
            }
        }
        Set<String> all = new TreeSet<>(ECOSYSTEMS);
        all.addAll(byEcosystem.keySet());
        for (String e : all) {
            Path zip = Files.createDirectories(base.resolve("osv-scalibr").resolve(e)).resolve("all.zip");
            try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
                Set<String> names = new TreeSet<>();
                for (Path f : byEcosystem.getOrDefault(e, List.of())) {
                    if (names.add(f.getFileName().toString())) {
                        z.putNextEntry(new ZipEntry(f.getFileName().toString()));
                        z.write(Files.readAllBytes(f));
                        z.closeEntry();
                    }
                }
            }
        }
        store = tmp.resolve("osv.db").toString();
        List<String> args = new ArrayList<>(List.of("vuln", "db", "import"));
        RECORDS.forEach(p -> args.add(p.toString()));
        args.addAll(List.of("--store", store));
        CliResult imported = CliResult.run(args.toArray(String[]::new));
        assertThat(imported.code()).as(imported.err()).isZero();
    }

    /**
     * A package's name as both sides can be compared: osv-scanner reports a Go module from an SPDX SBOM by its last
     * path segment (the SPDX package name syft wrote) and a Maven package by its artifact id, so the name is the
     * last segment, lower case.
     */
    static String key(String name) {
        return name.substring(name.lastIndexOf('/') + 1).toLowerCase(java.util.Locale.ROOT);
    }

    /** What osv-scanner reports: (package name, version, record id) pairs. */
    Set<Pair> osvScanner(Path sbom, String fileName) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(tmp.resolve("scan-" + fileName));
        Path named = dir.resolve(fileName);
        Files.copy(sbom, named);
        Path out = dir.resolve("out.json");
        ProcessBuilder pb = new ProcessBuilder(scanner.toString(), "scan", "source", "--offline", "--format", "json", "--output-file", out.toString(),
                "-L", named.toString());
        pb.environment().put("OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY", db.toString());
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile());
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String log = Files.readString(dir.resolve("log.txt"));
        assertThat(p.exitValue()).as("osv-scanner exit (0 none found, 1 found): " + log).isIn(0, 1);
        Set<Pair> pairs = new TreeSet<>();
        for (JsonNode result : JSON.readTree(out.toFile()).path("results")) {
            for (JsonNode pkg : result.path("packages")) {
                String name = pkg.path("package").path("name").asText();
                String version = pkg.path("package").path("version").asText();
                for (JsonNode v : pkg.path("vulnerabilities")) {
                    pairs.add(new Pair(key(name), version, v.path("id").asText()));
                }
            }
        }
        return pairs;
    }

    /** What Custody reports, with each record that a merged finding stands for; keyed by the purl each came from. */
    Map<Pair, String> custody(Path sbom) throws IOException {
        CliResult r = CliResult.run("vuln", "match", "--sbom", sbom.toString(), "-o", "json", "--store", store);
        assertThat(r.code()).as(r.err()).isZero();
        Map<Pair, String> pairs = new TreeMap<>();
        for (JsonNode f : JSON.readTree(r.out()).path("findings")) {
            String purl = f.path("purl").asText();
            PackageUrl p = PackageUrl.parseOrNull(purl);
            String name = p.name();
            for (JsonNode s : f.path("sources")) {
                String source = s.asText();
                if (source.startsWith("osv:")) {
                    pairs.put(new Pair(key(name), p.version(), source.substring(4)), purl);
                }
            }
        }
        return pairs;
    }

    record Compared(Set<Pair> both, Map<Pair, String> onlyCustody, Set<Pair> onlyScanner) {}

    Compared compare(String sbom, String fileName) throws Exception {
        Set<Pair> theirs = osvScanner(SBOMS.resolve(sbom), fileName);
        Map<Pair, String> ours = custody(SBOMS.resolve(sbom));
        Set<Pair> both = new TreeSet<>(theirs);
        both.retainAll(ours.keySet());
        Map<Pair, String> onlyUs = new LinkedHashMap<>(ours);
        theirs.forEach(onlyUs::remove);
        Set<Pair> onlyThem = new TreeSet<>(theirs);
        onlyThem.removeAll(ours.keySet());
        System.out.printf("%s: osv-scanner %d, custody %d, both %d, only custody %s, only osv-scanner %s%n", sbom, theirs.size(), ours.size(),
                both.size(), onlyUs.keySet(), onlyThem);
        return new Compared(both, onlyUs, onlyThem);
    }

    @Test
    void bigMongoUbuntuAndGoModulesGiveTheSameFindings() throws Exception {
        Compared c = compare("big-mongo-cyclonedx.json", "big-mongo.cdx.json");
        assertThat(c.both()).contains(new Pair("text", "v0.3.7", "GO-2026-5970"), new Pair("crypto", "v0.0.0-20220622213112-05595931fe9d", "GO-2024-3321"));
        assertThat(c.both()).hasSize(11);
        assertThat(c.onlyCustody()).isEmpty();
        assertThat(c.onlyScanner()).isEmpty();
    }

    /**
     * Explained difference: osv-scanner takes {@code pkg:golang/github.com/json-iterator/go@v1.1.12}, a module whose
     * last path segment is {@code go}, for the Go toolchain, and reports every standard library record that
     * version 1.1.12 of Go would have; the SBOM has no standard library component, and Custody reports none of them.
     * The module main package, {@code k8s.io/kubernetes@(devel)}, matches the same 15 records on both sides.
     */
    @Test
    void theKubectlBinarysGoModulesGiveTheSameFindingsButOsvScannerTakesJsonIteratorForTheGoToolchain() throws Exception {
        Compared c = compare("oci-kubectl-linux-amd64-spdx.json", "kubectl.spdx.json");
        assertThat(c.both()).hasSize(25).contains(new Pair("net", "v0.13.0", "GO-2024-2687"), new Pair("kubernetes", "(devel)", "GO-2023-2330"));
        assertThat(c.onlyCustody()).isEmpty();
        assertThat(c.onlyScanner()).isNotEmpty().allMatch(p -> p.name().equals("stdlib") && p.version().equals("v1.1.12") && p.id().startsWith("GO-"));
    }

    @Test
    void aJavaProjectsMavenDependenciesGiveTheSameFindings() throws Exception {
        Compared c = compare("quarkus-deps-cyclonedx.json", "quarkus.cdx.json");
        assertThat(c.both()).hasSize(4);
        assertThat(c.onlyCustody()).isEmpty();
        assertThat(c.onlyScanner()).isEmpty();
    }

    /**
     * Explained difference: this syft SBOM spells Alpine packages {@code pkg:alpine/...}, as syft did before 0.33;
     * osv-scanner refuses the purl type and matches nothing, Custody reads it as {@code pkg:apk}. And Custody matches
     * a binary package by its source package (the {@code upstream} qualifier), as the distribution's records name
     * it, so musl-utils (built from musl) is affected too; osv-scanner looks up binary names only.
     */
    @Test
    void anAlpineImageMatchesByItsSourcePackagesWhereOsvScannerRefusesTheOldPurlType() throws Exception {
        Compared c = compare("alpine-cyclonedx.json", "alpine.cdx.json");
        assertThat(c.onlyScanner()).isEmpty();
        assertThat(c.both()).isEmpty();
        assertThat(c.onlyCustody().keySet()).containsExactlyInAnyOrder(new Pair("musl", "1.2.3-r0", "ALPINE-CVE-2025-26519"),
                new Pair("musl-utils", "1.2.3-r0", "ALPINE-CVE-2025-26519"));
        assertThat(c.onlyCustody().values()).allMatch(purl -> purl.startsWith("pkg:alpine/") && purl.contains("upstream=musl"));
    }

    @Test
    void aDebianImageHasNoRecordsForItsReleaseHereAndBothSayNothing() throws Exception {
        Compared distroless = compare("distroless-cyclonedx.json", "distroless.cdx.json");
        assertThat(distroless.both()).isEmpty();
        assertThat(distroless.onlyCustody()).isEmpty();
        assertThat(distroless.onlyScanner()).isEmpty();
    }
}
