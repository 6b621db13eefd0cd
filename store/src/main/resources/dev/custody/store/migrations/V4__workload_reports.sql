-- Background re-evaluation: the latest verdict on each running workload, by the engine admission uses, with the
-- policy version it was reached under. One row per workload; a run replaces the set, so a workload that stopped
-- running has no report. changed_at is when its results last changed, so "what became non-compliant" is a query.
CREATE TABLE workload_report (
  cluster         TEXT NOT NULL,
  namespace       TEXT NOT NULL,
  workload_kind   TEXT NOT NULL,
  workload_name   TEXT NOT NULL,
  verdict         TEXT NOT NULL,
  denied          INTEGER NOT NULL,
  pods            INTEGER NOT NULL,
  policy_version  TEXT NOT NULL,
  run_trigger     TEXT NOT NULL,
  evaluated_at    BIGINT NOT NULL,
  changed_at      BIGINT NOT NULL,
  results         TEXT NOT NULL,
  PRIMARY KEY (cluster, namespace, workload_kind, workload_name)
);
CREATE INDEX workload_report_verdict ON workload_report (verdict);
