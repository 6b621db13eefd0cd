#!/usr/bin/env bash
# Runs the JMH benchmarks in process. Usage: bench/jmh.sh [JMH args...], e.g. bench/jmh.sh CheckBenchmark -wi 2 -i 3
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib/java.sh"
JAVA_HOME="$(custody_find_jdk)"; export JAVA_HOME
cd "$ROOT"
MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}" mvn -q -B -DskipTests package -pl bench -am >/dev/null
exec "$JAVA_HOME/bin/java" -Dcustody.repoRoot="$ROOT" -jar bench/target/custody-bench.jar "$@"
