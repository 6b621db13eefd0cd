package dev.custody.verify;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Sigstore bundles (v0.1-v0.3, message signatures and DSSE) as custody verify bundle and the attestation path parse them. */
class SigstoreBundleFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void sigstoreBundle(byte[] json) {
        try {
            ParsedBundle.parse(json);
        } catch (Rejected expected) {
            // a malformed bundle is a verification failure with a reason, never an exception of another kind
        }
        try {
            Attestations.fromBundle(json, "fuzz");
        } catch (RuntimeException e) {
            throw e; // a finding: fromBundle reports what it cannot read as an unreadable attestation
        }
    }
}
