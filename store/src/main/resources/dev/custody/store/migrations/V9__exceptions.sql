-- Vulnerability exceptions: accountable, time-limited acceptance of a finding. state is what was last decided:
-- requested, approved, revoked or expired; an approved exception is active from approved_at until expires_at, and
-- expired at expires_at whether or not a sweep has written it yet. Each scope field is a value or '*'.
CREATE TABLE vuln_exception (
  id            TEXT PRIMARY KEY,
  state         TEXT NOT NULL,
  digest        TEXT NOT NULL,
  namespace     TEXT NOT NULL,
  rule          TEXT NOT NULL,
  vulnerability TEXT NOT NULL,
  owner         TEXT NOT NULL,
  reason        TEXT NOT NULL,
  ticket        TEXT,
  requester     TEXT NOT NULL,
  requested_at  BIGINT NOT NULL,
  expires_at    BIGINT NOT NULL,
  approver      TEXT,
  approved_at   BIGINT,
  closed_by     TEXT,
  closed_at     BIGINT,
  close_reason  TEXT,
  updated_at    BIGINT NOT NULL
);
CREATE INDEX vuln_exception_digest ON vuln_exception (digest, state);
CREATE INDEX vuln_exception_updated ON vuln_exception (updated_at);

-- Every transition of an exception, with the sequence number of its record in the hash-chained decision log.
CREATE TABLE vuln_exception_event (
  exception_id TEXT NOT NULL,
  ordinal      INTEGER NOT NULL,
  at           BIGINT NOT NULL,
  action       TEXT NOT NULL,
  actor        TEXT NOT NULL,
  detail       TEXT NOT NULL,
  audit_seq    BIGINT NOT NULL,
  PRIMARY KEY (exception_id, ordinal)
);

-- When a finding (vulnerability in a package) was first seen on a digest: SLAs count from here.
CREATE TABLE vuln_finding_seen (
  digest        TEXT NOT NULL,
  vulnerability TEXT NOT NULL,
  purl          TEXT NOT NULL,
  first_seen    BIGINT NOT NULL,
  PRIMARY KEY (digest, vulnerability, purl)
);
