package dev.custody.policy.trust;

import dev.custody.imageref.ImageReference;
import java.time.Instant;
import java.util.List;

/**
 * Gathers signature verdicts before the engine runs: the adapter behind it resolves tags, fetches signatures and
 * verifies them (from its cache when it can), and must return by the deadline with whatever it has; an image it
 * could not finish is left out, or answered UNAVAILABLE.
 */
@FunctionalInterface
public interface SignatureGatherer {

    /** One image that a trust rule covers. */
    record Need(ImageReference image, TrustSpec spec) {}

    SignatureLookup gather(List<Need> needs, Instant deadline);
}
