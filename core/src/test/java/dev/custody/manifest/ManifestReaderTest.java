package dev.custody.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestReaderTest {

    final ManifestReader reader = new ManifestReader();

    @Test
    void readsMultiDocumentYamlWithPositions() {
        String yaml = """
                # leading comment
                apiVersion: v1
                kind: Pod
                metadata:
                  name: a
                spec:
                  containers:
                    - name: c
                      image: nginx
                ---
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: s}
                """;
        List<Document> docs = reader.read("m.yaml", yaml);
        assertThat(docs).hasSize(3);
        assertThat(docs.get(0).root().path("kind").asText()).isEqualTo("Pod");
        assertThat(docs.get(1).root().isNull()).isTrue();
        assertThat(docs.get(2).root().path("kind").asText()).isEqualTo("Service");
        Position p = docs.get(0).locate(FieldPath.parse("spec.containers[0].image"));
        assertThat(p.line()).isEqualTo(9);
        assertThat(p.source()).isEqualTo("m.yaml");
        assertThat(docs.get(2).start().line()).isEqualTo(12);
        // a path that does not exist resolves to its deepest existing ancestor
        assertThat(docs.get(0).locate(FieldPath.parse("spec.containers[0].securityContext.privileged")).line()).isEqualTo(8);
    }

    @Test
    void readsJson() {
        List<Document> docs = reader.read("x.json", "{\"kind\": \"Pod\",\n \"spec\": {\"containers\": [{\"image\": \"a\"}]}}");
        assertThat(docs).hasSize(1);
        assertThat(docs.get(0).locate(FieldPath.parse("spec.containers[0].image")).line()).isEqualTo(2);
    }

    @Test
    void malformedYamlNamesTheLine() {
        String yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\nspec: {}\n";
        assertThatThrownBy(() -> reader.read("bad.yaml", yaml))
                .isInstanceOf(ManifestException.class)
                .satisfies(e -> {
                    ManifestException me = (ManifestException) e;
                    assertThat(me.position().source()).isEqualTo("bad.yaml");
                    assertThat(me.position().line()).isBetween(4, 6);
                    assertThat(me.describe()).startsWith("bad.yaml:");
                });
    }

    @Test
    void duplicateKeysAreErrors() {
        assertThatThrownBy(() -> reader.read("d.yaml", "kind: Pod\nmetadata:\n  name: a\n  name: b\n"))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("uplicate")
                .satisfies(e -> assertThat(((ManifestException) e).position().line()).isEqualTo(4));
    }

    @Test
    void deepFlowNestingIsRefusedWithoutStackOverflow() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        assertThatThrownBy(() -> reader.read("deep.yaml", deep))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("nesting deeper than");
    }

    @Test
    void deepBlockNestingIsRefusedWithoutStackOverflow() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 1_000; i++) {
            sb.append(" ".repeat(i)).append("k:\n");
        }
        assertThatThrownBy(() -> reader.read("deep-block.yaml", sb.toString()))
                .isInstanceOf(ManifestException.class)
                .satisfies(e -> assertThat(((ManifestException) e).position().line()).isGreaterThan(0));
    }

    @Test
    void deepJsonIsRefused() {
        String deep = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
        assertThatThrownBy(() -> reader.read("deep.json", deep)).isInstanceOf(ManifestException.class);
    }

    @Test
    void aliasesExpandButAliasBombsAreRefused() {
        String ok = "base: &b {image: nginx}\nother: *b\n";
        Document d = reader.read("a.yaml", ok).get(0);
        assertThat(d.root().path("other").path("image").asText()).isEqualTo("nginx");

        StringBuilder bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 12; i++) {
            bomb.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                bomb.append(j > 0 ? ", " : "").append("*a").append(i - 1);
            }
            bomb.append("]\n");
        }
        assertThatThrownBy(() -> reader.read("bomb.yaml", bomb.toString()))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("aliases expand");
    }

    @Test
    void inputOverTheSizeLimitIsRefused() {
        ManifestReader small = new ManifestReader(new InputLimits(100, 64, 10));
        assertThatThrownBy(() -> small.read("big.yaml", "x: " + "a".repeat(200)))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("larger than the limit");
    }

    @Test
    void tooManyDocumentsAreRefused() {
        ManifestReader small = new ManifestReader(new InputLimits(1 << 20, 64, 3));
        assertThatThrownBy(() -> small.read("many.yaml", "a: 1\n---\na: 2\n---\na: 3\n---\na: 4\n"))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("more than 3 documents");
    }

    @Test
    void fieldPathsPrintLikeKubectlAndParseBack() {
        FieldPath p = FieldPath.root().child("metadata").child("labels").child("app.kubernetes.io/name");
        assertThat(p.toString()).isEqualTo("metadata.labels['app.kubernetes.io/name']");
        assertThat(FieldPath.parse(p.toString())).isEqualTo(p);
        FieldPath q = FieldPath.root().child("spec").child("containers").index(3).child("image");
        assertThat(q.toString()).isEqualTo("spec.containers[3].image");
        assertThat(FieldPath.parse("spec.containers[3].image").segments()).containsExactly("spec", "containers", 3, "image");
    }

    @Test
    void fuzzedYamlOnlyEverFailsAsManifestException() {
        String seed = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x, labels: {a: "b"}}
                spec:
                  template:
                    spec:
                      containers:
                        - name: c
                          image: 'nginx:1'
                          args: ["a", 'b', "c"]
                          command: |
                            block
                ---
                [1, 2, {a: &x b}, *x]
                """;
        java.util.Random rnd = new java.util.Random(7);
        String chars = "{}[],:-#&*!|>'\"%@`\n \t?.\\x0";
        int parsed = 0;
        for (int i = 0; i < 5_000; i++) {
            StringBuilder sb = new StringBuilder(seed);
            int edits = 1 + rnd.nextInt(6);
            for (int e = 0; e < edits; e++) {
                int pos = rnd.nextInt(sb.length());
                switch (rnd.nextInt(3)) {
                    case 0 -> sb.insert(pos, chars.charAt(rnd.nextInt(chars.length())));
                    case 1 -> sb.deleteCharAt(pos);
                    default -> sb.setCharAt(pos, chars.charAt(rnd.nextInt(chars.length())));
                }
            }
            try {
                reader.read("fuzz.yaml", sb.toString());
                parsed++;
            } catch (ManifestException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
        assertThat(parsed).isGreaterThan(0);
    }
}
