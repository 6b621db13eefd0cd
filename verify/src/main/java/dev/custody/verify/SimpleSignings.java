package dev.custody.verify;

import java.nio.charset.StandardCharsets;

/** Helpers for signatures found in registries. */
public final class SimpleSignings {

    private SimpleSignings() {}

    /**
     * A signature whose payload could not be fetched or read: it verifies for no authority, and its origin says
     * why, so the verdict is "invalid" with the reason, never "unsigned" and never an outage.
     */
    public static CosignVerifier.Signature unreadable(String why) {
        return new CosignVerifier.Signature("{}".getBytes(StandardCharsets.UTF_8), "", null, null, null, why);
    }
}
