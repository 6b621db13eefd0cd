#!/usr/bin/env bash
# Benchmark B7, the runtime inventory at fleet size, on the embedded SQLite store and on PostgreSQL:
#   1. in process: 10,000 pods on 2,000 images whose SBOMs hold 2,500 components each (5,000,000 component rows);
#      pods by digest, and running pods carrying a package (purl, any version), p50/p99 over many queries;
#   2. `custody collect --once` as a user runs it (bin/custody) against a real kube-apiserver holding 10,000 running
#      pods (20,000 containers), with its elapsed time and peak RSS.
# Usage: bench/inventory-bench.sh [PODS] [IMAGES] [COMPONENTS_PER_IMAGE]   (defaults 10000 2000 2500)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PODS="${1:-10000}"; IMAGES="${2:-2000}"; PER_IMAGE="${3:-2500}"
source "$ROOT/scripts/lib/java.sh"
JAVA_HOME="$(custody_find_jdk)"; export JAVA_HOME
cd "$ROOT"
MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}" mvn -q -B -DskipTests package -pl bench -am >/dev/null
PG="${CUSTODY_PG_URL:-$(bash scripts/pg/start.sh)}"
WORK="$(mktemp -d)"
SCHEMA="bench_$(date +%s)"
PGSTORE="$PG?currentSchema=$SCHEMA"
psql "$PG" -qc "CREATE SCHEMA $SCHEMA"
cleanup() {
  bash scripts/kube/stop.sh "$WORK/kube" >/dev/null 2>&1 || true
  psql "$PG" -qc "DROP SCHEMA $SCHEMA CASCADE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
JAVA=("$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED -cp bench/target/custody-bench.jar)

echo "== inventory queries, in process: $PODS pods, $IMAGES images, $PER_IMAGE components per image (java $("$JAVA_HOME/bin/java" -version 2>&1 | head -1))"
for store in "$WORK/inventory.db" "$PGSTORE"; do
  "${JAVA[@]}" dev.custody.bench.InventoryLoad "$store" queries "$PODS" "$IMAGES" "$PER_IMAGE" 2000 2>/dev/null
done

echo "== custody collect --once against a real kube-apiserver with $PODS running pods"
bash scripts/kube/start.sh "$WORK/kube" >/dev/null
"${JAVA[@]}" dev.custody.bench.InventoryLoad "$WORK/kube/kubeconfig" seed-cluster "$PODS" "$IMAGES"
for store in "$WORK/collect.db" "$PGSTORE"; do
  for run in 1 2 3; do
    /usr/bin/time -f "%e s elapsed, peak RSS %M KB" bin/custody collect --once --kubeconfig "$WORK/kube/kubeconfig" --store "$store" 2>&1 \
      | sed "s|^|$( [[ $store == *.db ]] && echo SQLITE || echo POSTGRESQL ) run $run: |"
  done
done
