package dev.custody.cli;

import dev.custody.assess.Assessment;
import dev.custody.assess.Facts;
import dev.custody.policy.PolicySet;
import dev.custody.store.Store;

/** The assessment {@code custody serve}'s web UI shows: {@code custody assess} with the served policies and store, without a cluster. */
public final class PlatformAssessment {

    private PlatformAssessment() {}

    public static Assessment.Report assess(PolicySet policies, Store store, String location, long now) {
        return Assessment.assess(new Facts(policies, null, AssessCommand.stored(store, location, now), now));
    }
}
