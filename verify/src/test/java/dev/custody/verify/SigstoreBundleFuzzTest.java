package dev.custody.verify;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** Sigstore bundles (v0.1-v0.3, message signatures and DSSE) as custody verify bundle and the attestation path parse them. */
class SigstoreBundleFuzzTest {

    // a parser that spends 10 s on one input hangs: libFuzzer stops there and keeps the input (see scripts/fuzz.sh)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "30s")
    void sigstoreBundle(byte[] json) {
        try {
            ParsedBundle.parse(json);
        } catch (Rejected expected) {
            // a malformed bundle is a verification failure with a reason, never an exception of another kind
        }
        // fromBundle reports what it cannot read as an unreadable attestation: any exception escaping it is a finding
        Attestations.fromBundle(json, "fuzz");
    }
}
