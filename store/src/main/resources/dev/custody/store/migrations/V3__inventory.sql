-- The runtime inventory: what collectors saw running, per cluster. Rows are keyed by the pod's uid, so a collector
-- that restarts and lists again updates the rows it wrote before instead of adding new ones. A pod that is gone
-- keeps its rows (present = 0, stopped_at set) as history until retention removes them.
CREATE TABLE runtime_pod (
  cluster         TEXT NOT NULL,
  uid             TEXT NOT NULL,
  namespace       TEXT NOT NULL,
  name            TEXT NOT NULL,
  workload_kind   TEXT NOT NULL,
  workload_name   TEXT NOT NULL,
  owner_chain     TEXT NOT NULL,
  node            TEXT,
  service_account TEXT,
  phase           TEXT,
  present         INTEGER NOT NULL,
  created_at      BIGINT,
  first_seen      BIGINT NOT NULL,
  last_seen       BIGINT NOT NULL,
  stopped_at      BIGINT,
  object          TEXT NOT NULL,
  PRIMARY KEY (cluster, uid)
);
CREATE INDEX runtime_pod_namespace ON runtime_pod (cluster, namespace, present);
CREATE INDEX runtime_pod_stopped ON runtime_pod (stopped_at);

-- One row per container of a pod (init and ephemeral containers too: names are unique across the three lists).
-- digest is the manifest digest read from the kubelet's imageID; declared_digest the one the pod spec pinned.
CREATE TABLE runtime_container (
  cluster         TEXT NOT NULL,
  pod_uid         TEXT NOT NULL,
  container       TEXT NOT NULL,
  list            TEXT NOT NULL,
  image           TEXT NOT NULL,
  declared_digest TEXT,
  image_id        TEXT,
  digest          TEXT,
  running         INTEGER NOT NULL,
  restarts        INTEGER NOT NULL,
  started_at      BIGINT,
  stopped_at      BIGINT,
  PRIMARY KEY (cluster, pod_uid, container)
);
CREATE INDEX runtime_container_digest ON runtime_container (digest);

-- Namespaces as the collector last saw them (labels name the owning team).
CREATE TABLE runtime_namespace (
  cluster    TEXT NOT NULL,
  name       TEXT NOT NULL,
  labels     TEXT NOT NULL,
  present    INTEGER NOT NULL,
  last_seen  BIGINT NOT NULL,
  PRIMARY KEY (cluster, name)
);

-- Each cluster's collector state: when it last listed everything, and whether it can reach its API server.
CREATE TABLE runtime_cluster (
  cluster    TEXT PRIMARY KEY,
  synced_at  BIGINT,
  seen_at    BIGINT NOT NULL,
  state      TEXT NOT NULL,
  message    TEXT
);

-- Admission decisions of one object, for matching running pods to the decision that let them in.
CREATE INDEX decision_object ON decision (namespace, name, recorded_at);
