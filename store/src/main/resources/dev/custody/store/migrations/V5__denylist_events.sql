-- The incident an entry was added for (its id as the incident tracker names it), shown in every denial.
ALTER TABLE denylist ADD COLUMN incident TEXT;

-- The denylist's own history: every entry added, renewed or removed, by whom, when and why. Removing an entry is an
-- audited act; the history is kept when the entry is gone.
CREATE TABLE denylist_event (
  event_id   TEXT PRIMARY KEY,
  entry_id   TEXT NOT NULL,
  kind       TEXT NOT NULL,
  value      TEXT NOT NULL,
  action     TEXT NOT NULL,
  reason     TEXT NOT NULL,
  actor      TEXT NOT NULL,
  at         BIGINT NOT NULL
);
CREATE INDEX denylist_event_at ON denylist_event (at);
