package dev.custody.verify;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import dev.custody.verify.intoto.InvalidStatementException;
import dev.custody.verify.intoto.ProvenanceFacts;
import dev.custody.verify.intoto.Statement;

/** DSSE envelopes (cosign attestation layers), then the in-toto statement and SLSA provenance they carry. */
class DsseEnvelopeFuzzTest {

    // a parser that spends 10 s on one input hangs: libFuzzer stops there and keeps the input (see scripts/fuzz.sh)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "30s")
    void dsseEnvelope(byte[] json) {
        byte[] payload = json;
        try {
            Attestations.Envelope e = Attestations.Envelope.parse(json);
            e.pae();
            payload = e.payload();
        } catch (Rejected expected) {
            // not an envelope: the bytes are still tried as a statement below
        }
        try {
            ProvenanceFacts.from(Statement.parse(payload, "fuzz"));
        } catch (InvalidStatementException expected) {
            // the statement's own error
        }
    }
}
