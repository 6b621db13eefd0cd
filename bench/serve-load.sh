#!/usr/bin/env bash
# Load test of `custody serve` on loopback: a 4-5 KB Pod AdmissionReview over TLS keep-alive, 20 rules active,
# no registry lookups. Starts the server as its own process, measures start-to-ready, then runs the open-loop
# load generator at each rate for a fixed time (it stops by itself) and reports latency and the server's peak RSS.
# Usage: bench/serve-load.sh [SECONDS_PER_RATE] [RATES...]   (default: 20 s at 1000 3000 5000 7000, each after 10 s of warm-up)
# CUSTODY_LOAD_STORE=sqlite|postgresql records every decision in a fresh store (default: none), durably unless
# CUSTODY_LOAD_DECISION_LOG=async.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECS="${1:-20}"; shift || true
RATES=("$@"); [[ ${#RATES[@]} -gt 0 ]] || RATES=(1000 3000 5000 7000)
source "$ROOT/scripts/lib/java.sh"
JAVA_HOME="$(custody_find_jdk)"; export JAVA_HOME
cd "$ROOT"
MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}" mvn -q -B -Dstyle.color=never -DskipTests package -pl bench -am >/dev/null
WORK="$(mktemp -d)"; PORT="${CUSTODY_LOAD_PORT:-18943}"
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
bin/custody --version >/dev/null   # builds the jar and the class-data archive before timing start-up
STORE_ARGS=()
case "${CUSTODY_LOAD_STORE:-none}" in
  none) ;;
  sqlite) STORE_ARGS=(--store "$WORK/load.db" --decision-log "${CUSTODY_LOAD_DECISION_LOG:-durable}") ;;
  postgresql)
    PG="${CUSTODY_PG_URL:-$(bash scripts/pg/start.sh)}"; SCHEMA="load_$(date +%s)"
    psql "$PG" -qc "CREATE SCHEMA $SCHEMA"
    STORE_ARGS=(--store "$PG?currentSchema=$SCHEMA" --decision-log "${CUSTODY_LOAD_DECISION_LOG:-durable}") ;;
  *) echo "CUSTODY_LOAD_STORE must be sqlite, postgresql or none" >&2; exit 2 ;;
esac
echo "decision log: ${CUSTODY_LOAD_STORE:-none} ${CUSTODY_LOAD_DECISION_LOG:-durable}"
t0=$(date +%s%N)
bin/custody serve --policy bench/load/policy-20-rules.yaml --port "$PORT" --self-signed --tls-dir "$WORK/tls" "${STORE_ARGS[@]}" >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER=$!
until curl -fsS --cacert "$WORK/tls/ca.crt" "https://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do
  sleep 0.01
  kill -0 $SERVER 2>/dev/null || { cat "$WORK/serve.err"; exit 1; }
done
t1=$(date +%s%N)
JPID=$(pgrep -P $SERVER java || echo $SERVER)
echo "start to ready: $(( (t1 - t0) / 1000000 )) ms (process launch to first 200 from /readyz)"
echo "body: $(wc -c < bench/load/pod-review.json) bytes; rules: $(curl -fsS --cacert "$WORK/tls/ca.crt" "https://127.0.0.1:$PORT/readyz")"
for rate in "${RATES[@]}"; do
  "$JAVA_HOME/bin/java" -XX:+UseSerialGC -cp bench/target/custody-bench.jar dev.custody.bench.AdmissionLoad \
    "https://127.0.0.1:$PORT/validate?timeout=10s" "$WORK/tls/ca.crt" bench/load/pod-review.json "$rate" "$SECS" 16 10
  echo "  server peak RSS so far: $(awk '/VmHWM/ {printf "%d MB", $2/1024}' /proc/$JPID/status)"
done
curl -fsS --cacert "$WORK/tls/ca.crt" "https://127.0.0.1:$PORT/metrics" | grep -E '^custody_admission_requests_total' || true
if [[ ${#STORE_ARGS[@]} -gt 0 ]]; then
  echo "decision log: $(curl -fsS --cacert "$WORK/tls/ca.crt" "https://127.0.0.1:$PORT/readyz" | jq -c .decisionLog)"
fi
