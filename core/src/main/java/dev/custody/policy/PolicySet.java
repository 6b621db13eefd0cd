package dev.custody.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** An immutable, validated set of policies with a version that changes whenever any policy changes. */
public final class PolicySet {

    private final List<Policy> policies;
    private final String version;

    public PolicySet(List<Policy> policies) {
        this.policies = List.copyOf(policies);
        this.version = computeVersion(this.policies);
    }

    public List<Policy> policies() {
        return policies;
    }

    /** A short content hash of all policies, reported with every decision. */
    public String version() {
        return version;
    }

    /** The policies that govern {@code namespace}, in load order. */
    public List<Policy> selectFor(String namespace, Map<String, String> labels) {
        List<Policy> out = new ArrayList<>(2);
        for (Policy p : policies) {
            if (p.namespaces().matches(namespace, labels)) {
                out.add(p);
            }
        }
        return out;
    }

    private static String computeVersion(List<Policy> policies) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            policies.stream().map(p -> p.name() + "=" + p.digest() + "\n").sorted()
                    .forEach(s -> md.update(s.getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
