#!/usr/bin/env bash
# End-to-end benchmark of `custody check`: 10,000 generated workloads (mixed kinds, 1-5 containers) with the
# example policies, process start included. Reports wall time per run, workloads per second and peak RSS.
# Usage: bench/check-e2e.sh [COUNT] [RUNS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COUNT="${1:-10000}"
RUNS="${2:-5}"
source "$ROOT/scripts/lib/java.sh"
JAVA_HOME="$(custody_find_jdk)"; export JAVA_HOME
cd "$ROOT"
MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}" mvn -q -B -DskipTests package -pl bench -am >/dev/null
DIR="$ROOT/bench/results/tmp/workloads-$COUNT"
rm -rf "$DIR"
"$JAVA_HOME/bin/java" -cp bench/target/custody-bench.jar dev.custody.bench.WorkloadGenerator "$DIR" "$COUNT" 20
bin/custody check --policy examples/policies "$DIR" -o json > /dev/null || true   # warm the CDS archive
echo "run  wall_s  workloads_per_s  peak_rss_mb  exit"
for i in $(seq 1 "$RUNS"); do
  /usr/bin/time -f "%e %M %x" -o /tmp/custody-bench-time bin/custody check --policy examples/policies "$DIR" -o json > /tmp/custody-bench-out.json || true
  read -r wall rss code < <(tail -1 /tmp/custody-bench-time)
  python3 - "$wall" "$rss" "$code" "$i" "$COUNT" <<'PY'
import sys
wall, rss, code, i, n = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
print(f"{i:>3}  {wall:6.2f}  {n / wall:15.0f}  {rss / 1024:11.0f}  {code}")
PY
done
python3 -c "import json; d=json.load(open('/tmp/custody-bench-out.json')); print('summary:', d['summary'])"
