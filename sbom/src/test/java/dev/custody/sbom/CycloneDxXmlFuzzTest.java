package dev.custody.sbom;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** CycloneDX XML SBOMs (seeded from the corpus's real ones by scripts/fuzz.sh): only {@link SbomException} may come out, within the limits. */
class CycloneDxXmlFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void cyclonedxXml(byte[] document) {
        try {
            SbomReader.read(document, "bom.xml");
        } catch (SbomException expected) {
            // the reader's own error, naming the field
        }
    }
}
