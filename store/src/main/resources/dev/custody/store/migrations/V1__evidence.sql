-- Custody evidence store, version 1. One migration set for SQLite and PostgreSQL: only portable types are used,
-- and ${bytes} names the binary type of the database (BLOB / BYTEA). Times are epoch milliseconds (UTC).

-- Artifacts by digest; an index's platform manifests name it as parent.
CREATE TABLE artifact (
  digest        TEXT PRIMARY KEY,
  repository    TEXT,
  media_type    TEXT,
  platform      TEXT,
  parent_digest TEXT,
  first_seen    BIGINT NOT NULL,
  last_seen     BIGINT NOT NULL
);
CREATE INDEX artifact_repository ON artifact (repository);
CREATE INDEX artifact_parent ON artifact (parent_digest);

-- Tags seen pointing at a digest (tags move; each sighting keeps its time span).
CREATE TABLE artifact_tag (
  digest     TEXT NOT NULL,
  repository TEXT NOT NULL,
  tag        TEXT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen  BIGINT NOT NULL,
  PRIMARY KEY (digest, repository, tag)
);
CREATE INDEX artifact_tag_name ON artifact_tag (repository, tag);

-- Verified signatures and attestations. Only verified ones are stored; a failed verification is a decision, not evidence.
CREATE TABLE verification (
  id              TEXT PRIMARY KEY,
  digest          TEXT NOT NULL,
  kind            TEXT NOT NULL,
  predicate_type  TEXT,
  signer_identity TEXT NOT NULL,
  signer_issuer   TEXT,
  trust_root      TEXT NOT NULL,
  signed_at       BIGINT,
  verified_at     BIGINT NOT NULL,
  details         TEXT
);
CREATE INDEX verification_digest ON verification (digest, kind);

-- Facts read from verified provenance attestations.
CREATE TABLE provenance (
  verification_id   TEXT PRIMARY KEY,
  digest            TEXT NOT NULL,
  builder_id        TEXT,
  build_type        TEXT,
  source_repository TEXT,
  source_ref        TEXT,
  source_commit     TEXT,
  recorded_at       BIGINT NOT NULL
);
CREATE INDEX provenance_digest ON provenance (digest);
CREATE INDEX provenance_source ON provenance (source_repository, source_commit);

-- SBOM documents, once per content hash (the exact bytes, gzip-compressed). doc_id is the first 63 bits of the
-- content hash: the many rows that point at a document carry 8 bytes instead of a 71-character hash.
CREATE TABLE sbom_document (
  doc_id           BIGINT PRIMARY KEY,
  content_hash     TEXT NOT NULL UNIQUE,
  format           TEXT NOT NULL,
  spec_version     TEXT,
  serial_number    TEXT,
  name             TEXT,
  component_count  INTEGER NOT NULL,
  dependency_count INTEGER NOT NULL,
  quality_score    DOUBLE PRECISION NOT NULL,
  quality          TEXT NOT NULL,
  size_bytes       BIGINT NOT NULL,
  document         ${bytes} NOT NULL,
  ingested_at      BIGINT NOT NULL,
  source           TEXT NOT NULL
);

-- Which digests an SBOM describes (from its subject, or linked explicitly).
CREATE TABLE sbom_link (
  digest    TEXT NOT NULL,
  doc_id    BIGINT NOT NULL,
  linked_at BIGINT NOT NULL,
  source    TEXT NOT NULL,
  PRIMARY KEY (digest, doc_id)
);
CREATE INDEX sbom_link_doc ON sbom_link (doc_id);

-- Components keyed by purl (or by type/name@version when the SBOM gives no purl), stored once; component_id is
-- the first 63 bits of the SHA-256 of that key.
CREATE TABLE component (
  component_id  BIGINT PRIMARY KEY,
  component_key TEXT NOT NULL,
  purl          TEXT,
  purl_type     TEXT,
  name          TEXT NOT NULL,
  version       TEXT,
  type          TEXT,
  licenses      TEXT,
  hashes        TEXT,
  supplier      TEXT
);
CREATE INDEX component_name ON component (name, version);
CREATE INDEX component_purl ON component (purl);

-- Which components each SBOM lists, in document order, with the document's own ref for dependency edges.
CREATE TABLE sbom_component (
  doc_id       BIGINT NOT NULL,
  ordinal      INTEGER NOT NULL,
  ref          TEXT NOT NULL,
  component_id BIGINT NOT NULL,
  PRIMARY KEY (doc_id, ordinal)
);
CREATE INDEX sbom_component_component ON sbom_component (component_id);

-- Dependency edges between refs of one document (deduplicated when read).
CREATE TABLE sbom_dependency (
  doc_id   BIGINT NOT NULL,
  from_ref TEXT NOT NULL,
  to_ref   TEXT NOT NULL
);
CREATE INDEX sbom_dependency_doc ON sbom_dependency (doc_id);

-- The decision log: one row per admission or CLI decision, hash-chained in seq order. body is the canonical JSON
-- of the whole record; the other columns repeat parts of it for queries, and audit verify checks they agree.
CREATE TABLE decision (
  seq            BIGINT PRIMARY KEY,
  recorded_at    BIGINT NOT NULL,
  source         TEXT NOT NULL,
  request_uid    TEXT,
  username       TEXT,
  operation      TEXT,
  namespace      TEXT,
  kind           TEXT,
  name           TEXT,
  verdict        TEXT NOT NULL,
  policy_version TEXT,
  body           TEXT NOT NULL,
  prev_hash      TEXT NOT NULL,
  hash           TEXT NOT NULL
);
CREATE INDEX decision_time ON decision (recorded_at);
CREATE INDEX decision_namespace ON decision (namespace, recorded_at);
CREATE INDEX decision_uid ON decision (request_uid);

-- The images of each decision (for "where did digest X get admitted" and "admitted without a signature");
-- signed is 1 when the decision used a verified signature of that digest.
CREATE TABLE decision_image (
  seq     BIGINT NOT NULL,
  ordinal INTEGER NOT NULL,
  image   TEXT NOT NULL,
  digest  TEXT,
  signed  INTEGER NOT NULL,
  PRIMARY KEY (seq, ordinal)
);
CREATE INDEX decision_image_digest ON decision_image (digest);

-- The rules of each decision that did not pass (passes stay in body only: they are most of the volume).
CREATE TABLE decision_rule (
  seq     BIGINT NOT NULL,
  ordinal INTEGER NOT NULL,
  rule    TEXT NOT NULL,
  outcome TEXT NOT NULL,
  reason  TEXT NOT NULL,
  PRIMARY KEY (seq, ordinal)
);
CREATE INDEX decision_rule_rule ON decision_rule (rule, seq);

-- Where the chain starts after retention removed its head: the seq and hash of the last removed record.
CREATE TABLE chain_anchor (
  id         INTEGER PRIMARY KEY,
  seq        BIGINT NOT NULL,
  hash       TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Digests and packages that must not run (the incident path reads this).
CREATE TABLE denylist (
  id         TEXT PRIMARY KEY,
  kind       TEXT NOT NULL,
  value      TEXT NOT NULL,
  reason     TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT
);
CREATE INDEX denylist_value ON denylist (kind, value);
