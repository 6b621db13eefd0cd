package dev.custody.sbom;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** SPDX JSON SBOMs (seeded from the corpus's real ones by scripts/fuzz.sh): only {@link SbomException} may come out, within the limits. */
class SpdxJsonFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void spdxJson(byte[] document) {
        try {
            SbomReader.read(document, "sbom.spdx.json");
        } catch (SbomException expected) {
            // the reader's own error, naming the field
        }
    }
}
