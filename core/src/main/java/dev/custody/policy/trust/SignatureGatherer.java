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

    /**
     * One image that a trust rule covers, and the pull secrets of the workload that runs it (the registry
     * credentials its namespace holds for it; {@link PullSecrets#NONE} when it names none).
     */
    record Need(ImageReference image, TrustSpec spec, PullSecrets pullSecrets) {

        public Need {
            pullSecrets = pullSecrets == null ? PullSecrets.NONE : pullSecrets;
        }

        public Need(ImageReference image, TrustSpec spec) {
            this(image, spec, PullSecrets.NONE);
        }
    }

    /** A workload's imagePullSecrets: secret names in its namespace, in the order the pod spec lists them. */
    record PullSecrets(String namespace, java.util.List<String> names) {

        public static final PullSecrets NONE = new PullSecrets("", java.util.List.of());

        public PullSecrets {
            names = java.util.List.copyOf(names);
        }

        public boolean isEmpty() {
            return names.isEmpty();
        }

        /** Identifies these credentials in cache keys: verdicts reached with one namespace's secrets are not another's. */
        public String scope() {
            return isEmpty() ? "" : namespace + "/" + String.join(",", names);
        }
    }

    SignatureLookup gather(List<Need> needs, Instant deadline);
}
