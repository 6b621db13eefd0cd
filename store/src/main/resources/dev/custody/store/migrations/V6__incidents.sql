-- Incidents: a bad artifact (a digest, a package, a vulnerability) from the first query to the post-incident review.
-- packages is the JSON array of package URLs the target stands for (a package target: itself; a vulnerability: the
-- affected versions its advisory lists); running is the count of running pods the tracker saw last.
CREATE TABLE incident (
  id          TEXT PRIMARY KEY,
  target_kind TEXT NOT NULL,
  target      TEXT NOT NULL,
  packages    TEXT NOT NULL,
  title       TEXT NOT NULL,
  severity    TEXT NOT NULL,
  owner       TEXT,
  state       TEXT NOT NULL,
  opened_by   TEXT NOT NULL,
  opened_at   BIGINT NOT NULL,
  closed_by   TEXT,
  closed_at   BIGINT,
  resolution  TEXT,
  note        TEXT,
  running     INTEGER NOT NULL
);
CREATE INDEX incident_state ON incident (state, opened_at);

-- The timeline: every event of an incident in order (opened, blocked, counts, actions, closed). detail is a JSON
-- object. notify_state is the outbox of the alert webhook: none, pending, sending, sent or failed (after its
-- attempts); notify_after is when it may be tried next (a retry's back-off, or the lease of a replica sending it).
CREATE TABLE incident_event (
  incident_id     TEXT NOT NULL,
  ordinal         INTEGER NOT NULL,
  at              BIGINT NOT NULL,
  kind            TEXT NOT NULL,
  actor           TEXT NOT NULL,
  detail          TEXT NOT NULL,
  notify_state    TEXT NOT NULL,
  notify_attempts INTEGER NOT NULL,
  notify_after    BIGINT NOT NULL,
  PRIMARY KEY (incident_id, ordinal)
);
CREATE INDEX incident_event_notify ON incident_event (notify_state, notify_after);

-- The burn-down: running pods over time, one point each time the count changed.
CREATE TABLE incident_point (
  incident_id TEXT NOT NULL,
  at          BIGINT NOT NULL,
  running     INTEGER NOT NULL,
  PRIMARY KEY (incident_id, at)
);
