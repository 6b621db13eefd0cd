package dev.custody.oci;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Damaged and hostile manifest documents, named by how they are damaged. Seeded: a failure reproduces. Used by the
 * parser's fuzz test and, over HTTP, by the client's.
 */
final class Hostile {

    record Case(String name, byte[] bytes) {}

    static final String VALID = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},
             "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae","size":3,
                        "annotations":{"org.opencontainers.image.title":"foo"}}],
             "subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9","size":7},
             "annotations":{"a":"b"}}""";

    static final String VALID_INDEX = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
             {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9","size":7,
              "platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]}""";

    private Hostile() {}

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Hand-written cases, each a known way to break a reader. */
    static List<Case> named() {
        List<Case> out = new ArrayList<>();
        out.add(new Case("empty", new byte[0]));
        out.add(new Case("whitespace", utf8("   \n")));
        out.add(new Case("null", utf8("null")));
        out.add(new Case("array", utf8("[1,2]")));
        out.add(new Case("string", utf8("\"manifest\"")));
        out.add(new Case("not-json", utf8("<html>502 Bad Gateway</html>")));
        out.add(new Case("trailing-garbage", utf8(VALID + "}")));
        out.add(new Case("two-documents", utf8(VALID + VALID)));
        out.add(new Case("invalid-utf8", concat(utf8("{\"schemaVersion\":2,\"mediaType\":\""), new byte[] {(byte) 0xC3, (byte) 0x28}, utf8("\"}"))));
        out.add(new Case("deep-nesting", utf8("[".repeat(100_000) + "]".repeat(100_000))));
        out.add(new Case("deep-nesting-in-annotations", utf8(VALID.replace("\"annotations\":{\"a\":\"b\"}",
                "\"annotations\":" + "{\"a\":".repeat(200) + "1" + "}".repeat(200)))));
        out.add(new Case("huge-number", utf8(VALID.replace("\"size\":3", "\"size\":" + "9".repeat(5000)))));
        out.add(new Case("size-overflow", utf8(VALID.replace("\"size\":3", "\"size\":99999999999999999999"))));
        out.add(new Case("negative-size", utf8(VALID.replace("\"size\":3", "\"size\":-3"))));
        out.add(new Case("fractional-size", utf8(VALID.replace("\"size\":3", "\"size\":3.5"))));
        out.add(new Case("size-as-string", utf8(VALID.replace("\"size\":3", "\"size\":\"3\""))));
        out.add(new Case("duplicate-layers-key", utf8(VALID.replace("\"layers\":", "\"layers\":[],\"layers\":"))));
        out.add(new Case("manifests-and-layers", utf8(VALID.replace("\"layers\":", "\"manifests\":[],\"layers\":"))));
        out.add(new Case("index-type-with-layers", utf8(VALID.replace("image.manifest.v1+json\",\n", "image.index.v1+json\",\n"))));
        out.add(new Case("schema1", utf8("{\"schemaVersion\":1,\"name\":\"x\",\"tag\":\"y\",\"fsLayers\":[]}")));
        out.add(new Case("schema-3", utf8(VALID.replace("\"schemaVersion\":2", "\"schemaVersion\":3"))));
        out.add(new Case("no-schema-version", utf8(VALID.replace("\"schemaVersion\":2,", ""))));
        out.add(new Case("unknown-media-type", utf8(VALID.replace("image.manifest.v1+json\",\n", "artifact.manifest.v1+json\",\n"))));
        out.add(new Case("media-type-number", utf8(VALID.replace("\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\n", "\"mediaType\":7,\n"))));
        out.add(new Case("no-config", utf8("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"layers\":[]}")));
        out.add(new Case("layers-object", utf8(VALID.replace("\"layers\":[", "\"layers\":{\"x\":").replace("}}],", "}}},"))));
        out.add(new Case("layer-null", utf8(VALID.replace("\"layers\":[", "\"layers\":[null,"))));
        out.add(new Case("digest-uppercase", utf8(VALID.replace("sha256:2c26b46b", "sha256:2C26B46B"))));
        out.add(new Case("digest-short", utf8(VALID.replace("sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", "sha256:2c26"))));
        out.add(new Case("digest-unknown-algorithm", utf8(VALID.replace("sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", "md5:d41d8cd98f00b204e9800998ecf8427e"))));
        out.add(new Case("digest-missing", utf8(VALID.replace("\"digest\":\"sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\",", ""))));
        out.add(new Case("annotation-number", utf8(VALID.replace("\"a\":\"b\"", "\"a\":1"))));
        out.add(new Case("annotations-array", utf8(VALID.replace("{\"a\":\"b\"}", "[\"a\"]"))));
        out.add(new Case("subject-string", utf8(VALID.replace("\"subject\":{", "\"subject\":\"x\",\"s\":{"))));
        out.add(new Case("platform-no-os", utf8(VALID_INDEX.replace(",\"os\":\"linux\"", ""))));
        out.add(new Case("platform-array", utf8(VALID_INDEX.replace("\"platform\":{", "\"platform\":[{").replace("\"v8\"}", "\"v8\"}]"))));
        out.add(new Case("index-manifests-string", utf8(VALID_INDEX.replace("\"manifests\":[", "\"manifests\":\"[").replace("}}]}", "}}]\"}"))));
        out.add(new Case("raw-control-character", utf8(VALID.replace("\"a\":\"b\"", "\"a\":\"\u0000\""))));
        out.add(new Case("escaped-nul", utf8(VALID.replace("\"a\":\"b\"", "\"a\":\"\\u0000\""))));
        out.add(new Case("long-string", utf8(VALID.replace("\"a\":\"b\"", "\"a\":\"" + "x".repeat(3_000_000) + "\""))));
        out.add(new Case("bom", concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(VALID))));
        return out;
    }

    /** Random damage to the valid documents: truncation, flipped bytes, inserted punctuation, spliced halves. */
    static List<Case> random(Random random, int count) {
        List<Case> out = new ArrayList<>(count);
        byte[][] bases = {utf8(VALID), utf8(VALID_INDEX)};
        byte[] punctuation = utf8("{}[]\",:0-9eE.\\ntf");
        for (int i = 0; i < count; i++) {
            byte[] base = bases[random.nextInt(bases.length)];
            byte[] b;
            String how;
            switch (random.nextInt(4)) {
                case 0 -> {
                    int cut = random.nextInt(base.length);
                    b = Arrays.copyOf(base, cut);
                    how = "truncated-at-" + cut;
                }
                case 1 -> {
                    b = base.clone();
                    int flips = 1 + random.nextInt(4);
                    for (int f = 0; f < flips; f++) {
                        b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                    }
                    how = "flipped-" + flips;
                }
                case 2 -> {
                    int at = random.nextInt(base.length);
                    b = concat(Arrays.copyOf(base, at), new byte[] {punctuation[random.nextInt(punctuation.length)]},
                            Arrays.copyOfRange(base, at, base.length));
                    how = "inserted-at-" + at;
                }
                default -> {
                    byte[] other = bases[random.nextInt(bases.length)];
                    int a = random.nextInt(base.length);
                    int c = random.nextInt(other.length);
                    b = concat(Arrays.copyOf(base, a), Arrays.copyOfRange(other, c, other.length));
                    how = "spliced-" + a + "-" + c;
                }
            }
            out.add(new Case("random-" + i + "-" + how, b));
        }
        return out;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
