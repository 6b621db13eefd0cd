-- A counter every write to the advisory database (records, the known-exploited catalogue, exploit scores) raises in
-- its own transaction: matchers holding records in memory compare it, one row, instead of scanning the tables.
CREATE TABLE advisory_generation (
  id         INTEGER PRIMARY KEY,
  generation BIGINT NOT NULL
);
INSERT INTO advisory_generation (id, generation) VALUES (1, 0);
