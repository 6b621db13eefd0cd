package dev.custody.vulns;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.store.ScanFindings;
import dev.custody.store.Store;
import dev.custody.vuln.scan.ScanReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Stores a scanner's report (Trivy, Grype, a cosign vuln attestation) as findings of the digest it is about. */
public final class ScanImport {

    /** What was stored: the scanner, the digest and how many findings. */
    public record Imported(String scanner, String version, String digest, int findings) {}

    public static final long MAX_BYTES = 256L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(16 << 20).build());
        JSON.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    private ScanImport() {}

    /**
     * Reads and stores one report. {@code digest} is the image it is about when the user names it; it must agree with
     * the digest the report names, if any. Throws InvalidReportException naming the field when the file is unusable.
     */
    public static Imported importFile(Store store, Path file, String digest) throws IOException, ScanReport.InvalidReportException {
        if (Files.size(file) > MAX_BYTES) {
            throw new ScanReport.InvalidReportException("larger than " + (MAX_BYTES >> 20) + " MiB");
        }
        byte[] raw = Files.readAllBytes(file);
        JsonNode doc;
        try {
            doc = JSON.readTree(raw);
        } catch (IOException e) {
            throw new ScanReport.InvalidReportException("not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        ScanReport r = ScanReport.parse(doc);
        String d = digest != null ? digest : r.digest();
        if (d == null) {
            throw new ScanReport.InvalidReportException("the report names no image digest (no repo digest or manifest digest): give --digest");
        }
        if (digest != null && r.digest() != null && !digest.equals(r.digest())) {
            throw new ScanReport.InvalidReportException("the report is about " + r.digest() + ", not " + digest);
        }
        long now = System.currentTimeMillis();
        String hash = Vex.sha256(raw);
        List<ScanFindings.Row> rows = new ArrayList<>(r.findings().size());
        for (ScanReport.Finding f : r.findings()) {
            rows.add(new ScanFindings.Row(d, r.scanner(), f.id(), f.purl() == null ? "" : f.purl(), f.packageName(), f.version(), f.aliases(),
                    f.severity(), f.fixed(), f.state(), hash, now));
        }
        int n = new ScanFindings(store).replace(d, r.scanner(), rows);
        return new Imported(r.scanner(), r.version(), d, n);
    }
}
