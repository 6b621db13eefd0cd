-- Promotions: a digest moved to an environment tier (dev, staging, production, regulated) by someone, from the
-- evidence that satisfied the tier's policies then. Each is also a record of the hash-chained decision log.
CREATE TABLE promotion (
  id             TEXT PRIMARY KEY,
  digest         TEXT NOT NULL,
  to_tier        TEXT NOT NULL,
  from_tier      TEXT,
  actor          TEXT NOT NULL,
  at             BIGINT NOT NULL,
  policy_version TEXT NOT NULL,
  evidence       TEXT NOT NULL,
  audit_seq      BIGINT NOT NULL
);
CREATE INDEX promotion_digest ON promotion (digest, to_tier);
