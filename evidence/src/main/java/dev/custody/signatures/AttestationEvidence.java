package dev.custody.signatures;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.sbom.SbomException;
import dev.custody.sbom.SbomReader;
import dev.custody.store.SbomStore;
import dev.custody.store.Verifications;
import dev.custody.verify.Attestations;
import dev.custody.verify.intoto.InvalidStatementException;
import dev.custody.verify.intoto.ProvenanceFacts;
import dev.custody.verify.intoto.ScanFacts;
import dev.custody.verify.intoto.Statement;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Verified attestations as normalized evidence: one record per statement (predicate type, subject digest, the
 * authorities that signed it, and the key facts of its kind: builder, source repository, ref and commit for
 * provenance; scanner and finish time for scans; format for SBOMs), written to the evidence store with provenance
 * facts in their own table and attested SBOMs ingested whole. Only statements whose envelope verified come here.
 */
public final class AttestationEvidence {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AttestationEvidence() {}

    /**
     * One verified attestation, normalized.
     *
     * @param predicateType the statement's predicate type
     * @param digest        the image digest it names
     * @param signers       authorities whose signatures verified over it
     * @param origin        where it was found (tag and layer)
     * @param facts         the facts of its kind, in a stable order; a fact the statement does not state is left out
     * @param problem       why its predicate could not be read for facts, or null
     */
    public record Record(String predicateType, String digest, List<String> signers, String origin, Map<String, String> facts, String problem) {}

    /** The normalized records of verified statements about {@code digest}. */
    public static List<Record> records(String digest, List<Attestations.Verified> verified) {
        List<Record> out = new ArrayList<>();
        for (Attestations.Verified v : verified) {
            Statement s = v.statement();
            Map<String, String> facts = new LinkedHashMap<>();
            String problem = null;
            try {
                if (AttestationJudge.PROVENANCE_TYPES.contains(s.predicateType())) {
                    ProvenanceFacts f = ProvenanceFacts.from(s);
                    put(facts, "builderId", f.builderId());
                    put(facts, "buildType", f.buildType());
                    put(facts, "sourceRepository", f.sourceRepository());
                    put(facts, "sourceRef", f.sourceRef());
                    put(facts, "sourceCommit", f.sourceCommit());
                    put(facts, "workflowPath", f.workflowPath());
                    put(facts, "trigger", f.trigger());
                } else if (ScanFacts.PREDICATE_TYPE.equals(s.predicateType())) {
                    ScanFacts f = ScanFacts.from(s);
                    put(facts, "scanner", f.scannerUri());
                    put(facts, "scannerVersion", f.scannerVersion());
                    put(facts, "database", f.dbUri());
                    put(facts, "databaseVersion", f.dbVersion());
                    put(facts, "scanFinishedOn", f.finishedOn().toString());
                } else if (AttestationJudge.isSbom(s.predicateType())) {
                    put(facts, "format", s.predicateType().contains("cyclonedx") ? "CycloneDX" : "SPDX");
                }
            } catch (InvalidStatementException e) {
                problem = e.getMessage();
            }
            out.add(new Record(s.predicateType(), digest, v.signers(), v.origin(), facts, problem));
        }
        return out;
    }

    private static void put(Map<String, String> facts, String key, String value) {
        if (value != null) {
            facts.put(key, value);
        }
    }

    /** What was written: attestation records, SBOM content hashes, and what could not be read. */
    public record Stored(int records, List<String> sboms, List<String> problems) {}

    /**
     * Writes the verified statements of a digest as evidence: a verification row per statement (kind
     * {@code attestation}, its predicate type and signers, the trust rule it was verified for), provenance facts,
     * and attested SBOMs. {@code sboms} may be null to skip SBOM ingestion.
     */
    public static Stored store(Verifications verifications, SbomStore sboms, String digest, String trustRoot, List<Attestations.Verified> verified,
                               long now) {
        List<String> stored = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<Record> records = records(digest, verified);
        for (int i = 0; i < records.size(); i++) {
            Record r = records.get(i);
            Statement s = verified.get(i).statement();
            Verifications.Provenance facts = null;
            if (r.problem() == null && AttestationJudge.PROVENANCE_TYPES.contains(r.predicateType())) {
                facts = new Verifications.Provenance(r.facts().get("builderId"), r.facts().get("buildType"), r.facts().get("sourceRepository"),
                        r.facts().get("sourceRef"), r.facts().get("sourceCommit"));
            }
            if (r.problem() != null) {
                problems.add(r.problem());
            }
            verifications.record(new Verifications.Verified(digest, "attestation", r.predicateType(), String.join(",", r.signers()), null,
                    trustRoot, now, r.origin() + (r.facts().isEmpty() ? "" : " " + r.facts())), facts);
            if (r.problem() == null && dev.custody.vuln.scan.ScanReport.COSIGN_VULN.equals(r.predicateType())) {
                // a verified vulnerability scan: its findings become the digest's, as an imported report's do
                try {
                    var report = dev.custody.vuln.scan.ScanReport.parse(s.predicate());
                    String source = report.scanner() + "-attested";
                    List<dev.custody.store.ScanFindings.Row> rows = new ArrayList<>();
                    for (var f : report.findings()) {
                        rows.add(new dev.custody.store.ScanFindings.Row(digest, source, f.id(), f.purl() == null ? "" : f.purl(), f.packageName(),
                                f.version(), f.aliases(), f.severity(), f.fixed(), f.state(), "attestation", now));
                    }
                    new dev.custody.store.ScanFindings(verifications.store()).replace(digest, source, rows);
                } catch (dev.custody.vuln.scan.ScanReport.InvalidReportException e) {
                    problems.add("the attested vulnerability scan of " + digest + " cannot be read: " + e.getMessage());
                }
            }
            if (sboms != null && AttestationJudge.isSbom(r.predicateType())) {
                try {
                    byte[] bytes = s.predicate().isTextual() ? s.predicate().textValue().getBytes(StandardCharsets.UTF_8)
                            : JSON.writeValueAsBytes(s.predicate());
                    stored.add(sboms.ingest(SbomReader.read(bytes, "attested SBOM of " + digest), bytes, List.of(digest), "attestation").contentHash());
                } catch (SbomException | JsonProcessingException e) {
                    problems.add("an attested SBOM of " + digest + " cannot be read: " + e.getMessage());
                }
            }
        }
        return new Stored(records.size(), stored, problems);
    }
}
