-- The advisory database: OSV records as imported (the exact JSON, gzip-compressed), with what lookups need apart.
-- modified is the record's own modified time: an import replaces a record only with a newer one. A withdrawn record
-- is kept (withdrawn set) and matches nothing.
CREATE TABLE advisory (
  id          TEXT PRIMARY KEY,
  modified    BIGINT NOT NULL,
  published   BIGINT,
  withdrawn   BIGINT,
  summary     TEXT,
  severity    TEXT,
  score       REAL,
  aliases     TEXT NOT NULL,
  record      ${bytes} NOT NULL,
  source      TEXT NOT NULL,
  imported_at BIGINT NOT NULL
);

-- Every alias of every record (CVE, GHSA, ...), for merging findings that name one vulnerability by several ids.
CREATE TABLE advisory_alias (
  alias TEXT NOT NULL,
  id    TEXT NOT NULL,
  PRIMARY KEY (alias, id)
);
CREATE INDEX advisory_alias_id ON advisory_alias (id);

-- The packages a record affects, by OSV ecosystem (without its release suffix) and OSV package name.
CREATE TABLE advisory_package (
  id        TEXT NOT NULL,
  ordinal   INTEGER NOT NULL,
  ecosystem TEXT NOT NULL,
  name      TEXT NOT NULL,
  PRIMARY KEY (id, ordinal)
);
CREATE INDEX advisory_package_name ON advisory_package (ecosystem, name);

-- Known exploited vulnerabilities (a KEV catalogue, by CVE) and exploit prediction scores (an EPSS file, by CVE),
-- as last imported: each import of a catalogue or a score file replaces the previous one whole.
CREATE TABLE advisory_kev (
  cve        TEXT PRIMARY KEY,
  date_added TEXT,
  catalog    TEXT NOT NULL
);
CREATE TABLE advisory_epss (
  cve        TEXT PRIMARY KEY,
  score      REAL NOT NULL,
  percentile REAL NOT NULL,
  scored_on  TEXT
);
