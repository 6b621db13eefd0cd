package dev.custody.sbom;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Generates valid CycloneDX 1.5 JSON documents of any size for benchmarks and limit tests. The components look like
 * what syft or trivy write for a container image: a mix of npm, Maven, Debian, Alpine, Go and PyPI packages, each
 * with a purl, a version, a license (an id, a name or an expression), one or two hashes and sometimes a supplier;
 * about one in twenty has nested components, a few levels deep; most depend on a few others. The same seed gives
 * the same bytes.
 */
public final class SyntheticSbom {

    private static final JsonFactory JSON = new JsonFactory();
    private static final HexFormat HEX = HexFormat.of();
    private static final String[] LICENSE_IDS = {"MIT", "Apache-2.0", "BSD-3-Clause", "ISC", "GPL-2.0-only",
            "LGPL-2.1-or-later", "MPL-2.0", "BSD-2-Clause"};
    private static final String[] SUPPLIERS = {"Debian", "Alpine Linux", "The Apache Software Foundation",
            "Google LLC", "npm contributors", "Python Software Foundation"};
    private static final String[] WORDS = {"core", "util", "http", "json", "xml", "log", "io", "net", "crypto",
            "parser", "client", "server", "cache", "config", "stream", "text", "time", "test", "lib", "common"};

    private SyntheticSbom() {}

    /**
     * A CycloneDX 1.5 JSON document with exactly {@code components} components (nested ones included) describing
     * a container image whose digest is derived from the seed.
     */
    public static byte[] cycloneDxJson(int components, long seed) {
        if (components < 0) {
            throw new IllegalArgumentException("components must not be negative: " + components);
        }
        Random random = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(4096, components * 700));
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("$schema", "http://cyclonedx.org/schema/bom-1.5.schema.json");
            g.writeStringField("bomFormat", "CycloneDX");
            g.writeStringField("specVersion", "1.5");
            g.writeStringField("serialNumber", "urn:uuid:" + uuid(random));
            g.writeNumberField("version", 1);
            metadata(g, random);
            List<String> refs = new ArrayList<>(components);
            g.writeArrayFieldStart("components");
            int written = 0;
            while (written < components) {
                int nested = random.nextInt(20) == 0 ? Math.min(components - written - 1, 1 + random.nextInt(6)) : 0;
                written += component(g, random, written, Math.max(0, nested), 0, refs);
            }
            g.writeEndArray();
            dependencies(g, random, refs);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void metadata(JsonGenerator g, Random random) throws IOException {
        String digest = HEX.formatHex(bytes(random, 32));
        g.writeObjectFieldStart("metadata");
        g.writeStringField("timestamp", "2025-01-15T10:20:30Z");
        g.writeObjectFieldStart("tools");
        g.writeArrayFieldStart("components");
        g.writeStartObject();
        g.writeStringField("type", "application");
        g.writeStringField("author", "custody");
        g.writeStringField("name", "custody-synthetic");
        g.writeStringField("version", "1.0.0");
        g.writeEndObject();
        g.writeEndArray();
        g.writeEndObject();
        g.writeObjectFieldStart("component");
        g.writeStringField("bom-ref", "subject");
        g.writeStringField("type", "container");
        g.writeStringField("name", "registry.example.com/shop/checkout");
        g.writeStringField("version", "sha256:" + digest);
        g.writeStringField("purl", "pkg:oci/checkout@sha256%3A" + digest
                + "?repository_url=registry.example.com%2Fshop%2Fcheckout&tag=1.4.2");
        g.writeEndObject();
        g.writeObjectFieldStart("supplier");
        g.writeStringField("name", "Example Shop Ltd");
        g.writeEndObject();
        g.writeEndObject();
    }

    /** Writes one component and its {@code nested} descendants; returns how many were written. */
    private static int component(JsonGenerator g, Random random, int index, int nested, int depth, List<String> refs)
            throws IOException {
        String name = WORDS[random.nextInt(WORDS.length)] + "-" + WORDS[random.nextInt(WORDS.length)] + "-" + index;
        String version = (random.nextInt(5)) + "." + random.nextInt(30) + "." + random.nextInt(100);
        String purl = switch (random.nextInt(6)) {
            case 0 -> "pkg:npm/" + (random.nextBoolean() ? "%40scope-" + random.nextInt(50) + "/" : "") + name + "@" + version;
            case 1 -> "pkg:maven/org.example." + WORDS[random.nextInt(WORDS.length)] + "/" + name + "@" + version
                    + "?type=jar";
            case 2 -> "pkg:deb/debian/" + name + "@" + version + "-1?arch=amd64&distro=debian-12";
            case 3 -> "pkg:apk/alpine/" + name + "@" + version + "-r0?arch=x86_64&distro=3.19.1";
            case 4 -> "pkg:golang/github.com/example/" + name + "@v" + version;
            default -> "pkg:pypi/" + name + "@" + version;
        };
        refs.add(purl);
        g.writeStartObject();
        g.writeStringField("bom-ref", purl);
        g.writeStringField("type", "library");
        if (random.nextInt(10) == 0) {
            g.writeObjectFieldStart("supplier");
            g.writeStringField("name", SUPPLIERS[random.nextInt(SUPPLIERS.length)]);
            g.writeEndObject();
        }
        g.writeStringField("name", name);
        g.writeStringField("version", version);
        g.writeStringField("description", "The " + name + " package, version " + version + ".");
        g.writeArrayFieldStart("hashes");
        hash(g, "SHA-256", bytes(random, 32));
        if (random.nextInt(3) == 0) {
            hash(g, "SHA-1", bytes(random, 20));
        }
        g.writeEndArray();
        int license = random.nextInt(12);
        if (license < 10) {
            g.writeArrayFieldStart("licenses");
            g.writeStartObject();
            if (license < 7) {
                g.writeObjectFieldStart("license");
                g.writeStringField("id", LICENSE_IDS[random.nextInt(LICENSE_IDS.length)]);
                g.writeEndObject();
            } else if (license < 9) {
                g.writeStringField("expression", LICENSE_IDS[random.nextInt(LICENSE_IDS.length)] + " OR "
                        + LICENSE_IDS[random.nextInt(LICENSE_IDS.length)]);
            } else {
                g.writeObjectFieldStart("license");
                g.writeStringField("name", "Custom license of " + name);
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndArray();
        }
        g.writeStringField("purl", purl);
        g.writeArrayFieldStart("properties");
        g.writeStartObject();
        g.writeStringField("name", "syft:package:foundBy");
        g.writeStringField("value", "synthetic-cataloger");
        g.writeEndObject();
        g.writeEndArray();
        int written = 1;
        if (nested > 0) {
            g.writeArrayFieldStart("components");
            int remaining = nested;
            while (remaining > 0) {
                // one child in three carries the rest of the nesting one level deeper, up to depth 3
                int below = depth < 3 && remaining > 1 && random.nextInt(3) == 0 ? remaining - 1 : 0;
                int n = component(g, random, index + written, below, depth + 1, refs);
                written += n;
                remaining -= n;
            }
            g.writeEndArray();
        }
        g.writeEndObject();
        return written;
    }

    private static void dependencies(JsonGenerator g, Random random, List<String> refs) throws IOException {
        g.writeArrayFieldStart("dependencies");
        g.writeStartObject();
        g.writeStringField("ref", "subject");
        g.writeArrayFieldStart("dependsOn");
        for (int i = 0; i < Math.min(refs.size(), 10); i++) {
            g.writeString(refs.get(i));
        }
        g.writeEndArray();
        g.writeEndObject();
        for (int i = 0; i < refs.size(); i++) {
            g.writeStartObject();
            g.writeStringField("ref", refs.get(i));
            g.writeArrayFieldStart("dependsOn");
            int n = random.nextInt(4);
            Set<Integer> seen = new HashSet<>();
            for (int k = 0; k < n && refs.size() > 1; k++) {
                int j = random.nextInt(refs.size());
                if (j != i && seen.add(j)) {
                    g.writeString(refs.get(j));
                }
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void hash(JsonGenerator g, String algorithm, byte[] value) throws IOException {
        g.writeStartObject();
        g.writeStringField("alg", algorithm);
        g.writeStringField("content", HEX.formatHex(value));
        g.writeEndObject();
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static String uuid(Random random) {
        String h = HEX.formatHex(bytes(random, 16));
        return h.substring(0, 8) + "-" + h.substring(8, 12) + "-4" + h.substring(13, 16) + "-a" + h.substring(17, 20)
                + "-" + h.substring(20);
    }
}
