-- The web UI's inventory pages list present pods in (cluster, namespace, name) order, a page at a time from a cursor:
-- with this index a page is a walk of the index from its cursor rather than a sort of every present container.
CREATE INDEX runtime_pod_listing ON runtime_pod (present, cluster, namespace, name, uid);
