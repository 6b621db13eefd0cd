package dev.custody.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The decision log's hash chain: each record's hash is SHA-256 over the previous record's hash, a newline, and the
 * record's canonical JSON body (which includes its sequence number). Changing, removing or reordering any record
 * breaks the chain from there on.
 */
public final class Chain {

    /** The previous hash of the first record of a new log. */
    public static final String GENESIS = "0".repeat(64);

    static final ObjectMapper JSON = new ObjectMapper();

    private Chain() {}

    public static String hash(String prevHash, String body) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        md.update(prevHash.getBytes(StandardCharsets.US_ASCII));
        md.update((byte) '\n');
        md.update(body.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md.digest());
    }

    /** The canonical body: fixed field order, no insignificant whitespace. */
    static String body(long seq, DecisionRecord r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("seq", seq);
        o.put("recordedAt", r.recordedAt());
        o.put("source", r.source());
        o.put("requestUid", r.requestUid());
        o.put("username", r.username());
        o.put("operation", r.operation());
        o.put("namespace", r.namespace());
        o.put("kind", r.kind());
        o.put("name", r.name());
        o.put("verdict", r.verdict());
        o.put("dryRun", r.dryRun());
        o.put("policyVersion", r.policyVersion());
        ArrayNode images = o.putArray("images");
        for (DecisionRecord.Image i : r.images()) {
            images.addObject().put("container", i.container()).put("image", i.image()).put("digest", i.digest());
        }
        ArrayNode rules = o.putArray("rules");
        for (DecisionRecord.RuleOutcome x : r.rules()) {
            ObjectNode rule = rules.addObject().put("policy", x.policy()).put("rule", x.rule()).put("outcome", x.outcome())
                    .put("action", x.action()).put("reason", x.reason());
            if (!x.passed()) { // a pass's path and message add bytes to every record and nothing to an investigation
                rule.put("path", x.path()).put("message", x.message());
            }
        }
        ArrayNode evidence = o.putArray("evidence");
        for (DecisionRecord.EvidenceRef e : r.evidence()) {
            evidence.addObject().put("kind", e.kind()).put("digest", e.digest()).put("id", e.id());
        }
        return o.toString();
    }
}
