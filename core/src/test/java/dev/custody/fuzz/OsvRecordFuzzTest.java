package dev.custody.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.vuln.osv.OsvRecord;
import dev.custody.vuln.osv.RangeMatcher;
import java.io.IOException;

/** OSV records as the advisory import reads them (after JSON decoding, which has its own error). */
class OsvRecordFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    // a parser that spends 10 s on one input hangs: libFuzzer stops there and keeps the input (see scripts/fuzz.sh)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "30s")
    void osvRecord(byte[] bytes) {
        JsonNode n;
        try {
            n = JSON.readTree(bytes);
        } catch (IOException notJson) {
            return;
        }
        try {
            OsvRecord r = OsvRecord.parse(n);
            // the ranges are judged with each ecosystem's version order, which reads the record's versions too
            for (OsvRecord.Affected a : r.affected()) {
                for (String v : new String[] {"1.3.0", "0", "2:1.2.3-4ubuntu1", "1.0.0-rc.1+build", "v0.0.0-20210101000000-abcdef123456"}) {
                    RangeMatcher.evaluate(a, v);
                }
            }
        } catch (OsvRecord.InvalidRecordException expected) {
            // the record's own error
        }
    }
}
