package dev.custody.store;

import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Promotions of digests to environment tiers, each also a record of the hash-chained decision log (source {@code promotion}). */
public final class Promotions {

    /** One promotion; {@code evidence} is a JSON array of the rule results that passed for it. */
    public record Promotion(String id, String digest, String toTier, String fromTier, String actor, long at, String policyVersion, String evidence,
                            long auditSeq) {}

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Store store;

    public Promotions(Store store) {
        this.store = store;
    }

    /** Records a promotion of {@code image} (its digest) to {@code toTier}. */
    public Promotion record(String digest, String image, String toTier, String fromTier, String actor, String policyVersion, String evidence, long now) {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        String id = "PRM-" + HexFormat.of().formatHex(b);
        return store.write(c -> {
            DecisionRecord record = new DecisionRecord(now, "promotion", id, actor, "PROMOTE", toTier, "Promotion", id, "promoted", false, policyVersion,
                    List.of(new DecisionRecord.Image("", image, digest)), List.of(new DecisionRecord.RuleOutcome("custody", "promotion", "PASS", "audit",
                    "PROMOTED", "", digest + " promoted to " + toTier + (fromTier == null ? "" : " from " + fromTier) + " by " + actor)), List.of());
            long seq = DecisionLog.appendWithin(store, c, record);
            try (PreparedStatement p = c.prepareStatement("INSERT INTO promotion (id, digest, to_tier, from_tier, actor, at, policy_version, evidence, "
                    + "audit_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                p.setString(1, id);
                p.setString(2, digest);
                p.setString(3, toTier);
                p.setString(4, fromTier);
                p.setString(5, actor);
                p.setLong(6, now);
                p.setString(7, policyVersion);
                p.setString(8, evidence);
                p.setLong(9, seq);
                p.executeUpdate();
            }
            return new Promotion(id, digest, toTier, fromTier, actor, now, policyVersion, evidence, seq);
        });
    }

    /** Every promotion of a digest, oldest first. */
    public List<Promotion> of(String digest) {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT id, digest, to_tier, from_tier, actor, at, policy_version, evidence, audit_seq "
                    + "FROM promotion WHERE digest = ? ORDER BY at, id")) {
                p.setString(1, digest);
                List<Promotion> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Promotion(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getLong(6),
                                rs.getString(7), rs.getString(8), rs.getLong(9)));
                    }
                }
                return out;
            }
        });
    }

    public boolean promoted(String digest, String tier) {
        return of(digest).stream().anyMatch(p -> p.toTier().equals(tier));
    }
}
