#!/usr/bin/env bash
# Benchmark of the vulnerability workflow on the embedded SQLite store:
#   1. import RECORDS synthetic OSV records (OSV's per-ecosystem all.zip files) with the real `custody vuln db import`,
#      its wall time and peak RSS (GNU time's maximum resident set size);
#   2. match an SBOM of COMPONENTS components against them, warm, in process (VulnLoad);
#   3. the gate's cost in admission: Engine.decide with and without spec.vulnerabilities, JMH SampleTime (VulnGateBenchmark).
# Usage: bench/vuln-bench.sh [RECORDS] [COMPONENTS] [RUNS]   (defaults 200000 5000 20)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RECORDS="${1:-200000}"; COMPONENTS="${2:-5000}"; RUNS="${3:-20}"
source "$ROOT/scripts/lib/java.sh"
JAVA_HOME="$(custody_find_jdk)"; export JAVA_HOME
cd "$ROOT"
MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}" mvn -q -B -DskipTests package -pl bench -am >/dev/null
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
JAVA=("$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED -cp bench/target/custody-bench.jar)
echo "== generating $RECORDS records and a $COMPONENTS-component SBOM"
"${JAVA[@]}" dev.custody.bench.SyntheticAdvisories "$RECORDS" "$COMPONENTS" "$WORK/db"
du -sh "$WORK/db" | cut -f1 | sed 's/^/zips: /'
echo "== custody vuln db import (java $("$JAVA_HOME/bin/java" -version 2>&1 | head -1))"
/usr/bin/time -f "wall %e s, peak RSS %M KB" bin/custody vuln db import "$WORK"/db/*/all.zip --store "$WORK/v.db" 2>&1 | grep -v "^custody: imported"
echo "== the same import again (nothing newer: every record unchanged)"
/usr/bin/time -f "wall %e s, peak RSS %M KB" bin/custody vuln db import "$WORK"/db/*/all.zip --store "$WORK/v.db" 2>&1 | grep -v "^custody: imported"
echo "== matching the SBOM, warm"
"${JAVA[@]}" dev.custody.bench.VulnLoad "$WORK/v.db" "$WORK/db/bom.json" "$RUNS" 2>/dev/null
echo "== the gate in admission: Engine.decide with and without spec.vulnerabilities (JMH SampleTime)"
"$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED -Dcustody.repoRoot="$ROOT" \
  -jar bench/target/custody-bench.jar VulnGateBenchmark -wi 3 -i 5 -w 2 -r 3 2>/dev/null | grep -E "findings of|decide(:|·)p0.50|decide(:|·)p0.99 |^Benchmark" || true
