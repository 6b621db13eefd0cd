#!/usr/bin/env bash
# Evidence store figures, on the embedded SQLite store and on PostgreSQL (started on 127.0.0.1 by scripts/pg/start.sh):
#   1. SBOM ingest (parse + store) of synthetic CycloneDX documents of 5,000 and 50,000 components, in process;
#   2. `custody sbom ingest` of a 50,000-component document as a user runs it (bin/custody), with its peak RSS;
#   3. the durable decision log: decisions/s with 64 callers each waiting for its commit.
# Usage: bench/store-bench.sh [RUNS]   (default 5 runs of each ingest size)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-5}"
source "$ROOT/scripts/lib/java.sh"
JAVA_HOME="$(custody_find_jdk)"; export JAVA_HOME
cd "$ROOT"
MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}" mvn -q -B -DskipTests package -pl bench -am >/dev/null
PG="${CUSTODY_PG_URL:-$(bash scripts/pg/start.sh)}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
JAVA=("$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED -cp bench/target/custody-bench.jar)
SCHEMA="bench_$(date +%s)"
PGSTORE="$PG?currentSchema=$SCHEMA"
psql "$PG" -qc "CREATE SCHEMA $SCHEMA"
trap 'rm -rf "$WORK"; psql "$PG" -qc "DROP SCHEMA $SCHEMA CASCADE" >/dev/null 2>&1 || true' EXIT

echo "== SBOM ingest, in process (java $("$JAVA_HOME/bin/java" -version 2>&1 | head -1))"
for store in "$WORK/bench.db" "$PGSTORE"; do
  "${JAVA[@]}" dev.custody.bench.StoreLoad "$store" ingest 5000 "$RUNS" | tail -1
  "${JAVA[@]}" dev.custody.bench.StoreLoad "$store" ingest 50000 "$RUNS" | tail -1
done

echo "== custody sbom ingest of 50,000 components as a user runs it (process start included), peak RSS"
"${JAVA[@]}" dev.custody.bench.SyntheticSbomFile 50000 "$WORK/sbom-50k.json"
for store in "$WORK/cli.db" "$PGSTORE"; do
  /usr/bin/time -f "%e s elapsed, peak RSS %M KB" bin/custody sbom ingest "$WORK/sbom-50k.json" --digest "sha256:$(printf 'e%.0s' {1..64})" \
    --store "$store" 2>&1 | grep -v "^linked" | sed "s|^|$( [[ $store == *.db ]] && echo SQLITE || echo POSTGRESQL ): |"
done

echo "== durable decision log (64 callers, each waits for its commit)"
for store in "$WORK/log.db" "$PGSTORE"; do
  "${JAVA[@]}" dev.custody.bench.StoreLoad "$store" decisions 100000 64
done
