package dev.custody.sbom;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** CycloneDX XML SBOMs (seeded from the corpus's real ones by scripts/fuzz.sh): only {@link SbomException} may come out, within the limits. */
class CycloneDxXmlFuzzTest {

    // a parser that spends 10 s on one input hangs: libFuzzer stops there and keeps the input (see scripts/fuzz.sh)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "30s")
    void cyclonedxXml(byte[] document) {
        try {
            SbomReader.read(document, "bom.xml");
        } catch (SbomException expected) {
            // the reader's own error, naming the field
        }
    }
}
