package dev.custody.policy.podsecurity;

import dev.custody.decision.ReasonCode;
import dev.custody.manifest.FieldPath;
import java.util.ArrayList;
import java.util.List;

/**
 * One control of the Pod Security Standards, as the upstream pod-security-admission library defines it
 * (docs/pss-reference.md): its id, level, the minor version it appears at, and a check that reports every
 * offending field.
 */
abstract class Control {

    final String id;
    final Level level;
    final int since;
    final ReasonCode code;
    final String title;

    Control(String id, Level level, int since, ReasonCode code, String title) {
        this.id = id;
        this.level = level;
        this.since = since;
        this.code = code;
        this.title = title;
    }

    /** Null when the control applies; otherwise why this pod is exempt (Windows, user namespaces). */
    String exemption(PodView pod, PssVersion version) {
        return null;
    }

    abstract void check(PodView pod, PssVersion version, Findings out);

    /** Violations found by one check. */
    static final class Findings {
        record Finding(FieldPath path, String detail) {}

        final List<Finding> list = new ArrayList<>(2);

        void add(FieldPath path, String detail) {
            list.add(new Finding(path, detail));
        }
    }
}
