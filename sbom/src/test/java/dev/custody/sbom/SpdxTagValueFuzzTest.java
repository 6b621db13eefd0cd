package dev.custody.sbom;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** SPDX tag-value SBOMs (seeded from the corpus's real ones by scripts/fuzz.sh): only {@link SbomException} may come out, within the limits. */
class SpdxTagValueFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void spdxTagValue(byte[] document) {
        try {
            SbomReader.read(document, "sbom.spdx");
        } catch (SbomException expected) {
            // the reader's own error, naming the field
        }
    }
}
