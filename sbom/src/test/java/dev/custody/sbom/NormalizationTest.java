package dev.custody.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Hash algorithm names and purls as the store keys them. */
class NormalizationTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            SHA256      | SHA-256
            SHA1        | SHA-1
            sha-256     | SHA-256
            SHA-512     | SHA-512
            SHA512      | SHA-512
            SHA3-256    | SHA3-256
            MD5         | MD5
            BLAKE2b-384 | BLAKE2B-384
            BLAKE3      | BLAKE3
            """)
    void hashAlgorithms(String given, String normalized) {
        assertThat(Digests.algorithm(given)).isEqualTo(normalized);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            pkg:npm/%40angular/core@16.2.0                       | pkg:npm/%40angular/core@16.2.0
            pkg:NPM/lodash@4.17.21                               | pkg:npm/lodash@4.17.21
            pkg:deb/debian/curl@7.88.1-10?distro=debian-12&arch=amd64 | pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12
            ' pkg:pypi/requests@2.31.0 '                         | pkg:pypi/requests@2.31.0
            not-a-purl                                           | null
            pkg:                                                 | null
            ''                                                   | null
            """)
    void purls(String given, String canonical) {
        assertThat(Purls.canonical(given)).isEqualTo(canonical);
    }
}
