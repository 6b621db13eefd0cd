-- Findings that scanners reported about an image digest (Trivy, Grype, cosign vuln attestations). The latest report
-- of a scanner for a digest replaces that scanner's earlier findings; report_hash names the report they came from.
-- purl is what the scanner gave, or '' when it gave none (package and version say what it found).
CREATE TABLE scan_finding (
  digest        TEXT NOT NULL,
  source        TEXT NOT NULL,
  vulnerability TEXT NOT NULL,
  purl          TEXT NOT NULL,
  package       TEXT NOT NULL,
  version       TEXT,
  aliases       TEXT NOT NULL,
  severity      TEXT NOT NULL,
  fixed         TEXT NOT NULL,
  state         TEXT,
  report_hash   TEXT NOT NULL,
  imported_at   BIGINT NOT NULL,
  PRIMARY KEY (digest, source, vulnerability, purl, package)
);
