package dev.custody.sbom;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** CycloneDX JSON SBOMs (seeded from the corpus's real ones by scripts/fuzz.sh): only {@link SbomException} may come out, within the limits. */
class CycloneDxJsonFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void cyclonedxJson(byte[] document) {
        try {
            SbomReader.read(document, "bom.json");
        } catch (SbomException expected) {
            // the reader's own error, naming the field
        }
    }
}
