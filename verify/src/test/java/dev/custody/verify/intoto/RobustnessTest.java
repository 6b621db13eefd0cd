package dev.custody.verify.intoto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Damaged and hostile statements: truncated, flipped bytes, mutated fields, deep nesting, oversize. Each ends in
 * a statement or an InvalidStatementException, never another exception. Seeded, so a failure reproduces.
 */
class RobustnessTest {

    static final List<byte[]> SAMPLES = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        SAMPLES.add(Corpus.read("sigstore", "sigstore-go/examples/statement-provenance-sigstorejs1.3.0.json"));
        SAMPLES.add(Corpus.dssePayload("sigstore", "sigstore-conformance/test/assets/bundle-verify/happy-path-intoto-in-dsse-v3/bundle.sigstore.json"));
        SAMPLES.add(Corpus.dssePayload("sigstore", "cosign/pkg/cosign/testdata/oci-attestation.sigstore.json"));
        SAMPLES.add(Corpus.read("sigstore", "sigstore-conformance/test/assets/statement.json"));
        for (byte[] s : SAMPLES) {
            Statement.parse(s, "sample");
        }
    }

    /** Parses and, for provenance, reads the facts: true when accepted, false when refused cleanly. */
    static boolean accepted(byte[] json) {
        try {
            Statement s = Statement.parse(json, "fuzz");
            if (s.predicateType().startsWith("https://slsa.dev/provenance/")) {
                ProvenanceFacts.from(s);
            }
            return true;
        } catch (InvalidStatementException e) {
            assertThat(e.kind()).isNotNull();
            assertThat(e.field()).isNotNull();
            return false;
        }
    }

    @Test
    void truncatedStatementsAreMalformed() {
        Random random = new Random(20261128);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int i = 0; i < 500; i++) {
                byte[] s = SAMPLES.get(random.nextInt(SAMPLES.size()));
                int end = new String(s, StandardCharsets.UTF_8).stripTrailing().length() - 1; // before the closing brace (ASCII samples)
                int cut = random.nextInt(end);
                assertThat(accepted(Arrays.copyOf(s, cut))).as("cut at %d", cut).isFalse();
            }
        });
    }

    @Test
    void flippedBytesNeverThrowAnythingElse() {
        Random random = new Random(7);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int i = 0; i < 2000; i++) {
                byte[] s = SAMPLES.get(random.nextInt(SAMPLES.size())).clone();
                for (int n = 1 + random.nextInt(3); n > 0; n--) {
                    s[random.nextInt(s.length)] = (byte) random.nextInt(256);
                }
                accepted(s);
            }
        });
    }

    /** Replaces random values in the tree with values of other types, so that every field sees every wrong type. */
    @Test
    void mutatedFieldsNeverThrowAnythingElse() {
        Random random = new Random(42);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            int refused = 0;
            for (int i = 0; i < 3000; i++) {
                JsonNode tree = Corpus.JSON.readTree(SAMPLES.get(random.nextInt(SAMPLES.size())));
                for (int n = 1 + random.nextInt(2); n > 0; n--) {
                    mutate(tree, random);
                }
                refused += accepted(Corpus.JSON.writeValueAsBytes(tree)) ? 0 : 1;
            }
            assertThat(refused).as("mutations are mostly refused").isGreaterThan(1000);
        });
    }

    private static void mutate(JsonNode root, Random random) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode parent = containers.get(random.nextInt(containers.size()));
        JsonNode value = switch (random.nextInt(8)) {
            case 0 -> JsonNodeFactory.instance.nullNode();
            case 1 -> JsonNodeFactory.instance.textNode("");
            case 2 -> JsonNodeFactory.instance.numberNode(random.nextInt());
            case 3 -> JsonNodeFactory.instance.booleanNode(random.nextBoolean());
            case 4 -> JsonNodeFactory.instance.arrayNode();
            case 5 -> JsonNodeFactory.instance.objectNode();
            case 6 -> JsonNodeFactory.instance.textNode("zz");
            default -> JsonNodeFactory.instance.arrayNode().add(JsonNodeFactory.instance.objectNode());
        };
        if (parent instanceof ObjectNode o && !o.isEmpty()) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            String name = names.get(random.nextInt(names.size()));
            if (random.nextInt(4) == 0) {
                o.remove(name);
            } else {
                o.set(name, value);
            }
        } else if (parent instanceof ArrayNode a && !a.isEmpty()) {
            a.set(random.nextInt(a.size()), value);
        }
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) {
            out.add(n);
            if (n.isObject()) {
                for (Map.Entry<String, JsonNode> e : n.properties()) {
                    collect(e.getValue(), out);
                }
            } else {
                n.forEach(c -> collect(c, out));
            }
        }
    }

    @Test
    void deepNestingIsMalformed() {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (String open : List.of("[", "{\"a\":")) {
                String deep = open.repeat(100_000);
                String json = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicate\":" + deep;
                assertThat(accepted(json.getBytes(StandardCharsets.UTF_8))).isFalse();
            }
            String within = "{\"a\":".repeat(90) + "1" + "}".repeat(90);
            String json = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"digest\":{\"sha256\":\"" + "a".repeat(64)
                    + "\"}}],\"predicateType\":\"p\",\"predicate\":" + within + "}";
            assertThat(accepted(json.getBytes(StandardCharsets.UTF_8))).as("nesting within the bound").isTrue();
        });
    }

    @Test
    void oversizedInputIsRefusedBeforeParsing() {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            byte[] big = new byte[Statement.MAX_BYTES + 1];
            Arrays.fill(big, (byte) ' ');
            big[0] = '{';
            try {
                Statement.parse(big, "big");
            } catch (InvalidStatementException e) {
                assertThat(e.kind()).isEqualTo(InvalidStatementException.Kind.MALFORMED);
                assertThat(e.getMessage()).contains("more than");
                return;
            }
            throw new AssertionError("accepted");
        });
    }
}
