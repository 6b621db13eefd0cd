#!/usr/bin/env bash
# Benchmark of the incident path, on the embedded SQLite store and on PostgreSQL:
#   1. denylist propagation: two `custody serve` replicas on one store; a denylist entry for a new digest is committed
#      and each replica is asked until it denies (an AdmissionReview every 20 ms); p50/p99 from commit to denial;
#   2. blast radius: the B7 fleet (10,000 pods on 2,000 images, SBOMs of 2,500 components each) and an incident's
#      blast radius as `custody incident show` computes it, for digests, for packages, and for one digest all pods run.
# Usage: bench/incident-bench.sh [ITERATIONS] [PODS] [IMAGES] [COMPONENTS_PER_IMAGE]   (defaults 50 10000 2000 2500)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ITER="${1:-50}"; PODS="${2:-10000}"; IMAGES="${3:-2000}"; PER_IMAGE="${4:-2500}"
source "$ROOT/scripts/lib/java.sh"
JAVA_HOME="$(custody_find_jdk)"; export JAVA_HOME
cd "$ROOT"
MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}" mvn -q -B -DskipTests package -pl bench -am >/dev/null
PG="${CUSTODY_PG_URL:-$(bash scripts/pg/start.sh)}"
WORK="$(mktemp -d)"
SCHEMA="incident_$(date +%s)"
psql "$PG" -qc "CREATE SCHEMA ${SCHEMA}_p" -c "CREATE SCHEMA ${SCHEMA}_b"
cleanup() {
  psql "$PG" -qc "DROP SCHEMA ${SCHEMA}_p CASCADE" -c "DROP SCHEMA ${SCHEMA}_b CASCADE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
JAVA=("$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED -cp bench/target/custody-bench.jar)
echo "== denylist propagation to two replicas, $ITER entries (java $("$JAVA_HOME/bin/java" -version 2>&1 | head -1))"
"${JAVA[@]}" dev.custody.bench.IncidentLoad "$WORK/propagation.db" propagation "$ITER" 2>/dev/null
"${JAVA[@]}" dev.custody.bench.IncidentLoad "$PG?currentSchema=${SCHEMA}_p" propagation "$ITER" 2>/dev/null
echo "== blast radius over $PODS pods, $IMAGES images, $PER_IMAGE components per image"
"${JAVA[@]}" dev.custody.bench.IncidentLoad "$WORK/blast.db" blast-radius "$PODS" "$IMAGES" "$PER_IMAGE" 200 2>/dev/null
"${JAVA[@]}" dev.custody.bench.IncidentLoad "$PG?currentSchema=${SCHEMA}_b" blast-radius "$PODS" "$IMAGES" "$PER_IMAGE" 200 2>/dev/null
