package dev.custody.imageref;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.imageref.InvalidImageReferenceException.Reason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageReferenceTest {

    static final String H64 = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # input                                      | registry       | repository           | tag       | digest
            nginx                                        | docker.io      | library/nginx        | -         | -
            nginx:1.25                                   | docker.io      | library/nginx        | 1.25      | -
            library/nginx                                | docker.io      | library/nginx        | -         | -
            docker.io/nginx                              | docker.io      | library/nginx        | -         | -
            index.docker.io/nginx:1                      | docker.io      | library/nginx        | 1         | -
            docker.io/bitnami/redis:7.2                  | docker.io      | bitnami/redis        | 7.2       | -
            test_com                                     | docker.io      | library/test_com     | -         | -
            test.com:tag                                 | docker.io      | library/test.com     | tag       | -
            test.com:5000                                | docker.io      | library/test.com     | 5000      | -
            test.com/repo:tag                            | test.com       | repo                 | tag       | -
            test:5000/repo                               | test:5000      | repo                 | -         | -
            test:5000/repo:tag                           | test:5000      | repo                 | tag       | -
            lowercase:Uppercase                          | docker.io      | library/lowercase    | Uppercase | -
            localhost/repo                               | localhost      | repo                 | -         | -
            localhost:5000/a/b/c:v1                      | localhost:5000 | a/b/c                | v1        | -
            127.0.0.1:5000/repo:1                        | 127.0.0.1:5000 | repo                 | 1         | -
            [::1]:5000/repo                              | [::1]:5000     | repo                 | -         | -
            [2001:db8::1]/repo:x                         | [2001:db8::1]  | repo                 | x         | -
            Foo.example.com/bar                          | Foo.example.com| bar                  | -         | -
            foo/foo_bar.com:8080                         | docker.io      | foo/foo_bar.com      | 8080      | -
            sub-dom1.foo.com/bar/baz/quux                | sub-dom1.foo.com | bar/baz/quux       | -         | -
            a/a/a/a                                      | docker.io      | a/a/a/a              | -         | -
            registry.k8s.io/pause:3.9                    | registry.k8s.io| pause                | 3.9       | -
            ghcr.io/a__b/c-----d/e.f_g:_tag.-x           | ghcr.io        | a__b/c-----d/e.f_g   | _tag.-x   | -
            """)
    void parsesValidReferences(String input, String registry, String repository, String tag, String digest) {
        ImageReference ref = ImageReference.parse(input);
        assertThat(ref.registry()).isEqualTo(registry);
        assertThat(ref.repository()).isEqualTo(repository);
        assertThat(ref.tag()).isEqualTo(tag);
        assertThat(ref.digest()).isNull();
        assertThat(ref.isImmutable()).isFalse();
        assertThat(ref.original()).isEqualTo(input);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            nginx@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff                | docker.io/library/nginx@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
            test:5000/repo:tag@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff    | test:5000/repo:tag@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
            repo@sha512:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff | docker.io/library/repo@sha512:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
            """)
    void parsesDigestReferencesAsImmutable(String input, String canonical) {
        ImageReference ref = ImageReference.parse(input);
        assertThat(ref.canonical()).isEqualTo(canonical);
        assertThat(ref.isImmutable()).isTrue();
        assertThat(ref.isImplicitLatest()).isFalse();
        assertThat(ref.effectiveTag()).isEqualTo(java.util.Optional.ofNullable(ref.tag()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            nginx          | true  | latest
            nginx:latest   | false | latest
            nginx:1.25     | false | 1.25
            """)
    void tellsImplicitLatestFromTags(String input, boolean implicit, String effective) {
        ImageReference ref = ImageReference.parse(input);
        assertThat(ref.isImplicitLatest()).isEqualTo(implicit);
        assertThat(ref.isImmutable()).isFalse();
        assertThat(ref.effectiveTag()).contains(effective);
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            ''                                   | EMPTY
            :justtag                             | INVALID_FORMAT
            @sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff | INVALID_FORMAT
            repo@sha256:ffff                     | INVALID_DIGEST
            repo@sha256:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF | INVALID_DIGEST
            repo@md5:d41d8cd98f00b204e9800998ecf8427e | UNSUPPORTED_DIGEST_ALGORITHM
            repo@sha256                          | INVALID_DIGEST
            repo@@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff | INVALID_FORMAT
            aa/asdf$$^/aa                        | INVALID_FORMAT
            Uppercase:tag                        | UPPERCASE_REPOSITORY
            docker.io/Library/nginx              | UPPERCASE_REPOSITORY
            -foo                                 | INVALID_FORMAT
            foo-                                 | INVALID_FORMAT
            a//b                                 | INVALID_FORMAT
            a/                                   | INVALID_FORMAT
            repo:                                | INVALID_TAG
            repo:-tag                            | INVALID_TAG
            repo:.tag                            | INVALID_TAG
            repo:t@g                             | INVALID_DIGEST
            'repo:tag with space'                | INVALID_FORMAT
            'nginx '                             | INVALID_FORMAT
            -registry.example.com/repo           | INVALID_DOMAIN
            registry-.example.com/repo           | INVALID_DOMAIN
            registry..example.com/repo           | INVALID_DOMAIN
            registry.example.com:port/repo       | INVALID_DOMAIN
            registry.example.com:/repo           | INVALID_DOMAIN
            [::1/repo                            | INVALID_DOMAIN
            registry.example.com/                | INVALID_FORMAT
            a.b/c..d                             | INVALID_FORMAT
            a.b/c_-d                             | INVALID_FORMAT
            a.b/c___d                            | INVALID_FORMAT
            """)
    void rejectsMalformedReferencesWithReason(String input, Reason reason) {
        assertThatThrownBy(() -> ImageReference.parse(input))
                .isInstanceOf(InvalidImageReferenceException.class)
                .satisfies(e -> assertThat(((InvalidImageReferenceException) e).reason()).isEqualTo(reason))
                .satisfies(e -> assertThat(e.getMessage()).isNotBlank());
        assertThat(ImageReference.tryParse(input)).isInstanceOf(ImageReference.ParseResult.Invalid.class);
    }

    @org.junit.jupiter.api.Test
    void rejectsImageIdsLongNamesAndTags() {
        assertThatThrownBy(() -> ImageReference.parse(H64))
                .satisfies(e -> assertThat(((InvalidImageReferenceException) e).reason()).isEqualTo(Reason.NAME_NOT_CANONICAL));
        assertThatThrownBy(() -> ImageReference.parse("a/" + "b".repeat(254)))
                .satisfies(e -> assertThat(((InvalidImageReferenceException) e).reason()).isEqualTo(Reason.NAME_TOO_LONG));
        assertThatThrownBy(() -> ImageReference.parse("repo:" + "t".repeat(129)))
                .satisfies(e -> assertThat(((InvalidImageReferenceException) e).reason()).isEqualTo(Reason.INVALID_TAG));
        assertThat(ImageReference.parse("repo:" + "t".repeat(128)).tag()).hasSize(128);
        assertThat(ImageReference.parse("a/" + "b".repeat(253)).repository()).hasSize(255);
    }

    @org.junit.jupiter.api.Test
    void randomStringsNeverEscapeAsAnythingButInvalidReference() {
        java.util.Random rnd = new java.util.Random(42);
        String alphabet = "abcAB09._-/:@[]$ \u00e9\u0000sha256ff";
        for (int i = 0; i < 50_000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = rnd.nextInt(40);
            for (int j = 0; j < len; j++) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            ImageReference.ParseResult r = ImageReference.tryParse(sb.toString());
            if (r instanceof ImageReference.ParseResult.Parsed p) {
                // whatever parses must round-trip through its canonical form
                assertThat(ImageReference.parse(p.reference().canonical()).canonical()).isEqualTo(p.reference().canonical());
            }
        }
    }
}
