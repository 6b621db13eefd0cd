package dev.custody.verify.intoto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.verify.intoto.InvalidStatementException.Kind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Statement rules beyond the upstream vectors: where errors point, and how subjects are matched. */
class StatementTest {

    static final String SHA = "a".repeat(64);

    static InvalidStatementException refusal(String json) {
        try {
            Statement.parse(json.getBytes(StandardCharsets.UTF_8), "test.json");
        } catch (InvalidStatementException e) {
            return e;
        }
        throw new AssertionError("accepted: " + json);
    }

    static String statement(String subject) {
        return "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[" + subject + "],\"predicateType\":\"p\",\"predicate\":{}}";
    }

    @Test
    void digestErrorsNameTheSubjectAndAlgorithm() {
        InvalidStatementException e = refusal(statement("{\"digest\":{\"sha256\":\"" + SHA + "\"}},{\"digest\":{\"sha512\":\"zz\"}}"));
        assertThat(e.kind()).isEqualTo(Kind.INVALID_DIGEST_ENCODING);
        assertThat(e.field()).isEqualTo("subject[1].digest.sha512");
        assertThat(e.source()).isEqualTo("test.json");
        assertThat(e.getMessage()).startsWith("test.json: subject[1].digest.sha512: ");

        assertThat(refusal(statement("{\"digest\":{\"sha1\":\"" + SHA + "\"}}")).kind()).isEqualTo(Kind.INCORRECT_DIGEST_LENGTH);
        assertThat(refusal(statement("{\"digest\":{\"sha256\":\"" + "٣".repeat(64) + "\"}}")).kind()).isEqualTo(Kind.INVALID_DIGEST_ENCODING);
    }

    @Test
    void wrongJsonTypesAreMalformedAndNamed() {
        InvalidStatementException e = refusal(statement("{\"digest\":{\"sha256\":1}}"));
        assertThat(e.kind()).isEqualTo(Kind.MALFORMED);
        assertThat(e.field()).isEqualTo("subject[0].digest.sha256");
        assertThat(refusal(statement("\"x\"")).field()).isEqualTo("subject[0]");
        assertThat(refusal("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":{}}").field()).isEqualTo("subject");
        assertThat(refusal("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"digest\":{\"sha256\":\"" + SHA
                + "\"}}],\"predicateType\":\"p\",\"predicate\":[]}").field()).isEqualTo("predicate");
        assertThat(refusal("{\"_type\":1}").field()).isEqualTo("_type");
    }

    @Test
    void duplicateKeysAndTrailingDataAreRefused() {
        String ok = statement("{\"digest\":{\"sha256\":\"" + SHA + "\"}}");
        assertThat(refusal(ok.replace("{\"_type\"", "{\"_type\":\"https://in-toto.io/Statement/v1\",\"_type\"")).kind()).isEqualTo(Kind.MALFORMED);
        assertThat(refusal(ok + "{}").kind()).isEqualTo(Kind.MALFORMED);
        assertThat(refusal("[]").kind()).isEqualTo(Kind.MALFORMED);
        assertThat(refusal("").kind()).isEqualTo(Kind.MALFORMED);
    }

    @Test
    void matchesSubjectNeedsAKnownAlgorithmAndSize() throws Exception {
        Statement s = Statement.parse(statement("{\"digest\":{\"sha256\":\"" + SHA + "\",\"custom\":\"x\"}}").getBytes(StandardCharsets.UTF_8), "t");
        assertThat(s.matchesSubject("sha256:" + SHA)).isTrue();
        assertThat(s.matchesSubject("sha256:" + SHA.toUpperCase())).isTrue();
        assertThat(s.matchesSubject("sha512:" + SHA + SHA)).isFalse();
        assertThatThrownBy(() -> s.matchesSubject("custom:x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.matchesSubject("sha256:abc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.matchesSubject(SHA)).isInstanceOf(IllegalArgumentException.class);
    }
}
