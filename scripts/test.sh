#!/usr/bin/env bash
# Runs every test Custody has, with a JDK of 21 or newer chosen on its own. This is the command .ci/run runs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib/java.sh"
JAVA_HOME="$(custody_find_jdk)" || exit 2
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
echo "test: using JDK at $JAVA_HOME"
if [[ ! -d "$ROOT/../shared/corpora" ]]; then
  echo "test: ../shared/corpora is missing next to the repository; the corpus tests read it in place" >&2
  exit 2
fi
cd "$ROOT"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
exec mvn -B -ntp verify "$@"
