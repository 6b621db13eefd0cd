package dev.custody.sbom;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.cyclonedx.Version;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz-style: truncated and corrupted documents of every format, nesting bombs and component floods end in an
 * {@link SbomException} or a result, never in another exception, and never hang. Seeded, so a failure names a
 * case that can be replayed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RobustnessTest {

    private static final long SEED = 0x5b0b_c0de;
    private static final Map<String, byte[]> SEEDS = new LinkedHashMap<>();

    @BeforeAll
    static void seeds() throws Exception {
        SEEDS.put("cyclonedx.json", SbomCorpus.bytes(SbomCorpus.guac("cyclonedx-components-nested.json")));
        SEEDS.put("quarkus.json", SbomCorpus.bytes(SbomCorpus.guac("quarkus-deps-cyclonedx.json")));
        SEEDS.put("synthetic.json", SyntheticSbom.cycloneDxJson(40, SEED));
        SEEDS.put("spdx.json", SbomCorpus.bytes(SbomCorpus.guac("alpine-small-spdx.json")));
        SEEDS.put("spdx-example.json", SbomCorpus.bytes(SbomCorpus.spdxExample("SPDXJSONExample-v2.3.spdx.json")));
        SEEDS.put("tag.spdx", SbomCorpus.bytes(SbomCorpus.spdxExample("SPDXTagExample-v2.3.spdx")));
        byte[] nested = SEEDS.get("cyclonedx.json");
        SEEDS.put("cyclonedx.xml", BomGeneratorFactory.createXml(Version.VERSION_14, new JsonParser().parse(nested))
                .toXmlString().getBytes(UTF_8));
        for (Map.Entry<String, byte[]> e : SEEDS.entrySet()) {
            SbomReader.read(e.getValue(), e.getKey()); // every seed is itself valid
        }
    }

    /** Reads {@code bytes}; anything but a result or an SbomException fails, naming the case. */
    private static Outcome attempt(String what, byte[] bytes, SbomLimits limits) {
        try {
            SbomReader.read(bytes, what, limits);
            return Outcome.READ;
        } catch (SbomException e) {
            assertThat(e.getMessage()).as(what).startsWith(what + ":");
            return Outcome.REFUSED;
        } catch (Throwable t) {
            throw new AssertionError(what + ": expected an SbomException, got " + t, t);
        }
    }

    private enum Outcome { READ, REFUSED }

    @Test
    void truncatedDocuments() {
        Random random = new Random(SEED);
        int refused = 0;
        int cases = 0;
        for (Map.Entry<String, byte[]> e : SEEDS.entrySet()) {
            byte[] doc = e.getValue();
            List<Integer> cuts = new ArrayList<>(List.of(0, 1, 2, doc.length / 2, doc.length - 1));
            for (int i = 0; i < 30; i++) {
                cuts.add(random.nextInt(doc.length));
            }
            for (int cut : cuts) {
                String what = e.getKey() + "[0.." + cut + "]";
                Outcome o = attempt(what, Arrays.copyOf(doc, cut), SbomLimits.DEFAULT);
                cases++;
                refused += o == Outcome.REFUSED ? 1 : 0;
                if (!e.getKey().endsWith(".spdx") && cut < new String(doc, UTF_8).stripTrailing().length()) {
                    // a JSON or XML document cut short is never complete; tag-value has no end marker
                    assertThat(o).as(what).isEqualTo(Outcome.REFUSED);
                }
            }
        }
        assertThat(cases).isGreaterThan(200);
        assertThat(refused).isGreaterThan(cases / 2);
    }

    @Test
    void corruptedDocuments() {
        Random random = new Random(SEED + 1);
        int cases = 0;
        for (Map.Entry<String, byte[]> e : SEEDS.entrySet()) {
            for (int i = 0; i < 40; i++) {
                byte[] doc = e.getValue().clone();
                String how;
                switch (random.nextInt(4)) {
                    case 0 -> {
                        int at = random.nextInt(doc.length);
                        doc[at] ^= (byte) (1 << random.nextInt(8));
                        how = "bit flip at " + at;
                    }
                    case 1 -> {
                        int n = 1 + random.nextInt(8);
                        for (int k = 0; k < n; k++) {
                            doc[random.nextInt(doc.length)] = (byte) random.nextInt(256);
                        }
                        how = n + " random bytes";
                    }
                    case 2 -> {
                        int from = random.nextInt(doc.length);
                        int to = Math.min(doc.length, from + 1 + random.nextInt(64));
                        byte[] cut = new byte[doc.length - (to - from)];
                        System.arraycopy(doc, 0, cut, 0, from);
                        System.arraycopy(doc, to, cut, from, doc.length - to);
                        doc = cut;
                        how = "deleted " + from + ".." + to;
                    }
                    default -> {
                        // a structural character where it does not belong
                        int at = random.nextInt(doc.length);
                        doc[at] = (byte) "{}[]<>\":,&".charAt(random.nextInt(10));
                        how = "structural byte at " + at;
                    }
                }
                attempt(e.getKey() + " with " + how, doc, SbomLimits.DEFAULT);
                cases++;
            }
        }
        assertThat(cases).isGreaterThan(250);
    }

    @Test
    void nestingBombs() {
        int n = 200_000;
        Map<String, String> bombs = new LinkedHashMap<>();
        bombs.put("arrays.json", "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\", \"x\": " + "[".repeat(n) + "]".repeat(n) + "}");
        bombs.put("objects.json", "{" + "\"a\": {".repeat(n) + "}".repeat(n + 1));
        bombs.put("components.json", "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\", \"components\": ["
                + "{\"type\": \"library\", \"name\": \"x\", \"components\": [".repeat(n / 10) + "]}".repeat(n / 10) + "]}");
        bombs.put("spdx.json", "{\"spdxVersion\": \"SPDX-2.3\", \"SPDXID\": \"SPDXRef-DOCUMENT\", \"packages\": "
                + "[".repeat(n) + "]".repeat(n) + "}");
        bombs.put("elements.xml", "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\">" + "<a>".repeat(n) + "</a>".repeat(n) + "</bom>");
        bombs.put("components.xml", "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"><components>"
                + "<component type=\"library\"><name>x</name><components>".repeat(n / 10)
                + "</components></component>".repeat(n / 10) + "</components></bom>");
        bombs.put("text.spdx", "SPDXVersion: SPDX-2.3\nSPDXID: SPDXRef-DOCUMENT\nDocumentComment: <text>"
                + "line\n".repeat(n * 5));
        for (Map.Entry<String, String> e : bombs.entrySet()) {
            assertThat(attempt(e.getKey(), e.getValue().getBytes(UTF_8), SbomLimits.DEFAULT))
                    .as(e.getKey()).isEqualTo(Outcome.REFUSED);
        }
    }

    @Test
    void deepButAllowedNestingIsValidatedOnASmallStack() throws Exception {
        // within the limits, but deep enough to matter to the recursive schema validator: run it where a server's
        // worker would, on a 512 KiB stack
        StringBuilder components = new StringBuilder("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": [");
        components.append("{\"type\": \"library\", \"name\": \"x\", \"components\": [".repeat(60));
        components.append("]}".repeat(60)).append("]}");
        StringBuilder pedigree = new StringBuilder("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": [");
        pedigree.append("{\"type\": \"library\", \"name\": \"x\", \"pedigree\": {\"ancestors\": [".repeat(160));
        pedigree.append("]}}".repeat(160)).append("]}");
        StringBuilder arrays = new StringBuilder("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.4\", \"metadata\": {\"x\": ");
        arrays.append("[".repeat(500)).append("]".repeat(500)).append("}}");
        Map<String, String> docs = Map.of("components.json", components.toString(), "pedigree.json", pedigree.toString(),
                "arrays.json", arrays.toString());
        for (Map.Entry<String, String> e : docs.entrySet()) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = new Thread(null, () -> {
                try {
                    attempt(e.getKey(), e.getValue().getBytes(UTF_8), SbomLimits.DEFAULT);
                } catch (Throwable x) {
                    failure.set(x);
                }
            }, "small-stack", 512 * 1024);
            t.start();
            t.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
        }
    }

    @Test
    void componentFloodsAboveTheLimit() {
        SbomLimits limits = new SbomLimits(SbomLimits.DEFAULT.maxBytes(), 64, 1_000, 512);
        byte[] cyclonedx = SyntheticSbom.cycloneDxJson(1_001, SEED);
        assertThat(attempt("flood.json", cyclonedx, limits)).isEqualTo(Outcome.REFUSED);
        assertThat(attempt("exact.json", SyntheticSbom.cycloneDxJson(1_000, SEED), limits)).isEqualTo(Outcome.READ);

        StringBuilder spdx = new StringBuilder("{\"spdxVersion\": \"SPDX-2.3\", \"SPDXID\": \"SPDXRef-DOCUMENT\", \"packages\": [");
        StringBuilder tag = new StringBuilder("SPDXVersion: SPDX-2.3\nSPDXID: SPDXRef-DOCUMENT\n");
        StringBuilder xml = new StringBuilder("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"><components>");
        for (int i = 0; i <= 1_000; i++) {
            spdx.append(i == 0 ? "" : ",").append("{\"SPDXID\": \"SPDXRef-").append(i).append("\", \"name\": \"p\"}");
            tag.append("PackageName: p\nSPDXID: SPDXRef-").append(i).append('\n');
            xml.append("<component type=\"library\"><name>p</name></component>");
        }
        spdx.append("]}");
        xml.append("</components></bom>");
        assertThat(attempt("flood.spdx.json", spdx.toString().getBytes(UTF_8), limits)).isEqualTo(Outcome.REFUSED);
        assertThat(attempt("flood.spdx", tag.toString().getBytes(UTF_8), limits)).isEqualTo(Outcome.REFUSED);
        assertThat(attempt("flood.xml", xml.toString().getBytes(UTF_8), limits)).isEqualTo(Outcome.REFUSED);
    }

    @Test
    void oddInputs() {
        for (String s : List.of("", "   \n\t", "\uFEFF", "null", "42", "\"text\"", "{", "}", "<", "<?xml version=\"1.0\"?>",
                "SPDXVersion:", "\u0000\u0001\u0002")) {
            assertThat(attempt("odd.bin", s.getBytes(UTF_8), SbomLimits.DEFAULT)).as(s).isEqualTo(Outcome.REFUSED);
        }
        byte[] binary = new byte[4096];
        new Random(SEED).nextBytes(binary);
        assertThat(attempt("random.bin", binary, SbomLimits.DEFAULT)).isEqualTo(Outcome.REFUSED);
    }
}
