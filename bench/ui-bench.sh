#!/usr/bin/env bash
# Benchmark of the web UI: every page's server time (the Server-Timing it writes) and weight, on the embedded SQLite store
# and on PostgreSQL, with 10,000 pods and 100,000 decisions in the store (plus SBOMs, signatures, provenance, exceptions,
# incidents and the corpus's OSV records). The UI runs in the load generator's process on loopback; it stops by itself.
# Usage: bench/ui-bench.sh [PODS] [DECISIONS] [IMAGES] [COMPONENTS_PER_IMAGE] [REQUESTS]   (defaults 10000 100000 1000 500 200)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PODS="${1:-10000}"; DECISIONS="${2:-100000}"; IMAGES="${3:-1000}"; PER_IMAGE="${4:-500}"; REQUESTS="${5:-200}"
source "$ROOT/scripts/lib/java.sh"
JAVA_HOME="$(custody_find_jdk)"; export JAVA_HOME
cd "$ROOT"
MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}" mvn -q -B -DskipTests package -pl bench -am >/dev/null
PG="${CUSTODY_PG_URL:-$(bash scripts/pg/start.sh)}"
WORK="$(mktemp -d)"
SCHEMA="ui_$(date +%s)"
psql "$PG" -qc "CREATE SCHEMA ${SCHEMA}"
cleanup() {
  psql "$PG" -qc "DROP SCHEMA ${SCHEMA} CASCADE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
JAVA=("$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED -cp bench/target/custody-bench.jar)
echo "== web UI pages: $PODS pods, $DECISIONS decisions, $IMAGES images x $PER_IMAGE components, $REQUESTS requests per page (java $("$JAVA_HOME/bin/java" -version 2>&1 | head -1))"
"${JAVA[@]}" dev.custody.bench.UiLoad "$WORK/ui.db" "$PODS" "$DECISIONS" "$IMAGES" "$PER_IMAGE" "$REQUESTS" "$ROOT/../shared/corpora" 2>/dev/null
"${JAVA[@]}" dev.custody.bench.UiLoad "$PG?currentSchema=${SCHEMA}" "$PODS" "$DECISIONS" "$IMAGES" "$PER_IMAGE" "$REQUESTS" "$ROOT/../shared/corpora" 2>/dev/null
