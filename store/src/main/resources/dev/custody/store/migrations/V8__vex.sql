-- VEX statements as imported (OpenVEX, CycloneDX VEX), one row per statement, product and subcomponent: about an
-- image digest (product_digest) or a package (product_purl), narrowed to a package inside it when subcomponent is
-- set. The newest statement for a (product, vulnerability, subcomponent) decides; older ones stay as history.
CREATE TABLE vex_statement (
  doc_hash       TEXT NOT NULL,
  ordinal        INTEGER NOT NULL,
  vulnerability  TEXT NOT NULL,
  aliases        TEXT NOT NULL,
  product_digest TEXT,
  product_purl   TEXT,
  subcomponent   TEXT,
  status         TEXT NOT NULL,
  justification  TEXT,
  impact         TEXT,
  action         TEXT,
  stated_at      BIGINT,
  imported_at    BIGINT NOT NULL,
  source         TEXT NOT NULL,
  PRIMARY KEY (doc_hash, ordinal)
);
CREATE INDEX vex_statement_digest ON vex_statement (product_digest, vulnerability);
