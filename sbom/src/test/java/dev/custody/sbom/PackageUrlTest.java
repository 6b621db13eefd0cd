package dev.custody.sbom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Purls compared by their parts, printed in the specification's canonical form; every purl real scanners wrote parses. */
class PackageUrlTest {

    @Test
    void oneSpellingPerPackageAsTheSpecificationPrintsIt() {
        PackageUrl syft = PackageUrl.parse("pkg:deb/ubuntu/tar@1.30+dfsg-7ubuntu0.20.04.2?distro=ubuntu-20.04&arch=amd64");
        PackageUrl encoded = PackageUrl.parse("pkg:deb/ubuntu/tar@1.30%2Bdfsg-7ubuntu0.20.04.2?arch=amd64&distro=ubuntu-20.04");
        assertThat(syft).isEqualTo(encoded);
        assertThat(syft.version()).isEqualTo("1.30+dfsg-7ubuntu0.20.04.2");
        assertThat(syft.canonical()).isEqualTo("pkg:deb/ubuntu/tar@1.30%2Bdfsg-7ubuntu0.20.04.2?arch=amd64&distro=ubuntu-20.04");
        // the colon is never percent-encoded, whichever way it came in
        assertThat(PackageUrl.parse("pkg:deb/ubuntu/libllvm15@1%3A15.0.4-1~kisak~f").canonical())
                .isEqualTo("pkg:deb/ubuntu/libllvm15@1:15.0.4-1~kisak~f");
        assertThat(PackageUrl.parse("pkg:deb/ubuntu/libllvm15@1:15.0.4-1~kisak~f").canonical())
                .isEqualTo("pkg:deb/ubuntu/libllvm15@1:15.0.4-1~kisak~f");
        assertThat(PackageUrl.parse("pkg:oci/custody@sha256%3Aabc?repository_url=ghcr.io%2Forg").canonical())
                .isEqualTo("pkg:oci/custody@sha256:abc?repository_url=ghcr.io%2Forg");
        // npm scopes however written; scheme and type case; slashes after the scheme
        assertThat(PackageUrl.parse("pkg:npm/@angular/core@12.0.0")).isEqualTo(PackageUrl.parse("pkg:npm/%40angular/core@12.0.0"));
        assertThat(PackageUrl.parse("pkg:npm/@angular/core").namespace()).isEqualTo("@angular");
        assertThat(PackageUrl.parse("PKG:NPM/lodash@4.17.21")).isEqualTo(PackageUrl.parse("pkg://npm/lodash@4.17.21"));
        // non-ASCII text, literal or percent-encoded as UTF-8
        assertThat(PackageUrl.parse("pkg:generic/caf%C3%A9@1").name()).isEqualTo("caf\u00e9");
        assertThat(PackageUrl.parse("pkg:generic/caf\u00e9@1").canonical()).isEqualTo("pkg:generic/caf%C3%A9@1");
        assertThatThrownBy(() -> PackageUrl.parse("pkg:generic/caf%C3@1")).isInstanceOf(PackageUrl.MalformedException.class);
        // a qualifier without a value is no qualifier; a subpath is kept
        assertThat(PackageUrl.parse("pkg:npm/x@1?arch=").qualifiers()).isEmpty();
        assertThat(PackageUrl.parse("pkg:golang/github.com/a/b@v1.0.0#sub/dir").canonical()).isEqualTo("pkg:golang/github.com/a/b@v1.0.0#sub/dir");
    }

    @Test
    void aQueryMatchesWhatItDoesNotContradict() {
        PackageUrl stored = PackageUrl.parse("pkg:deb/ubuntu/tar@1.30+dfsg-7ubuntu0.20.04.2?arch=amd64&distro=ubuntu-20.04");
        for (String q : List.of("pkg:deb/ubuntu/tar", "pkg:deb/ubuntu/tar@1.30+dfsg-7ubuntu0.20.04.2", "pkg:deb/ubuntu/tar?distro=ubuntu-20.04",
                "pkg:deb/ubuntu/tar@1.30%2Bdfsg-7ubuntu0.20.04.2?epoch=0")) {
            assertThat(PackageUrl.parse(q).matches(stored)).as(q).isTrue();
        }
        for (String q : List.of("pkg:deb/ubuntu/tar@1.30", "pkg:deb/ubuntu/tar?arch=arm64", "pkg:deb/debian/tar", "pkg:deb/tar",
                "pkg:deb/ubuntu/tar#x")) {
            assertThat(PackageUrl.parse(q).matches(stored)).as(q).isFalse();
        }
    }

    @Test
    void textThatIsNotAPurlIsRefusedWithTheTextAndTheReason() {
        for (String bad : List.of("npm/lodash", "pkg:", "pkg:npm", "pkg:npm/", "pkg:npm/%zz", "pkg:1npm/x", "https://example.org/x")) {
            assertThatThrownBy(() -> PackageUrl.parse(bad)).as(bad).isInstanceOf(PackageUrl.MalformedException.class)
                    .hasMessageStartingWith("not a purl");
        }
        assertThatThrownBy(() -> PackageUrl.parse("pkg:npm/" + "a".repeat(PackageUrl.MAX_LENGTH))).isInstanceOf(PackageUrl.MalformedException.class)
                .hasMessageContaining("more than " + PackageUrl.MAX_LENGTH);
        assertThat(PackageUrl.parseOrNull("   ")).isNull();
    }

    private static final Pattern PURL = Pattern.compile("\"(pkg:[^\"\\\\]+(?:\\\\u0026[^\"\\\\]+)*)\"");

    /** Every distinct purl in the shared SBOM and OSV corpora: what syft, trivy, cyclonedx-npm and advisories print. */
    static Set<String> corpusPurls() throws IOException {
        Set<String> out = new TreeSet<>();
        Path shared = SbomCorpus.root().getParent();
        for (Path dir : List.of(shared.resolve("sbom"), shared.resolve("osv"))) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".json")).toList()) {
                    Matcher m = PURL.matcher(new String(Files.readAllBytes(f), StandardCharsets.UTF_8));
                    while (m.find()) {
                        out.add(m.group(1).replace("\\u0026", "&"));
                    }
                }
            }
        }
        return out;
    }

    @Test
    void everyPurlRealToolsWroteParsesAndItsCanonicalFormIsAFixedPoint() throws IOException {
        Set<String> purls = corpusPurls();
        assertThat(purls).hasSizeGreaterThan(2_000); // a regression number: the corpus as it is
        List<String> refused = new ArrayList<>();
        for (String text : purls) {
            PackageUrl p = PackageUrl.parseOrNull(text);
            if (p == null) {
                refused.add(text);
                continue;
            }
            String canonical = p.canonical();
            assertThat(PackageUrl.parse(canonical)).as(text).isEqualTo(p);
            assertThat(PackageUrl.parse(canonical).canonical()).as(text).isEqualTo(canonical);
            assertThat(canonical).as(text).doesNotContain("%3A").matches("pkg:[a-z0-9.+-]+/[A-Za-z0-9.\\-_~:%/@?=&#]+");
            assertThat(p.matches(p)).isTrue();
            assertThat(p.unversioned().matches(p)).isTrue();
        }
        assertThat(refused).as("purls from real tools that do not parse").isEmpty();
    }

    @Test
    void corruptedPurlsEndInAResultOrAMalformedException() throws IOException {
        List<String> seeds = new ArrayList<>(corpusPurls());
        Random random = new Random(0x9e71_5eedL);
        String alphabet = "pkg:/@?#&=%2B3A~.-_+ aZ9\u00e9\u0000\\";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder(seeds.get(random.nextInt(seeds.size())));
            for (int edits = 1 + random.nextInt(4); edits > 0 && !b.isEmpty(); edits--) {
                int at = random.nextInt(b.length());
                switch (random.nextInt(3)) {
                    case 0 -> b.deleteCharAt(at);
                    case 1 -> b.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> b.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            String text = b.toString();
            try {
                PackageUrl p = PackageUrl.parse(text);
                assertThat(PackageUrl.parse(p.canonical())).as("case %d: %s", i, text).isEqualTo(p);
            } catch (PackageUrl.MalformedException expected) {
                // refused with a reason: fine
            } catch (RuntimeException e) {
                throw new AssertionError("case " + i + ": " + text + ": expected a result or MalformedException, got " + e, e);
            }
        }
    }
}
