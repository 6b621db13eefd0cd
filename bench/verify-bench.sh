#!/usr/bin/env bash
# Signature verification on loopback: a registry (scripts/image/registry.sh), images signed by the real cosign
# (scripts/interop/make-fixtures.sh), then
#   1. Custody in process: cold verifications of a key-signed image by tag (p50/p99, registry requests each) and the
#      cached path;
#   2. `cosign verify --key` and `custody verify image --key` on the same image, process start included.
# Usage: bench/verify-bench.sh [COLD_RUNS] [PROCESS_RUNS]   (defaults 500 and 10)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COLD="${1:-500}"; RUNS="${2:-10}"
source "$ROOT/scripts/lib/java.sh"
JAVA_HOME="$(custody_find_jdk)"; export JAVA_HOME
cd "$ROOT"
bash scripts/tools/build-cosign.sh >/dev/null
COSIGN="${CUSTODY_COSIGN:-${CUSTODY_CACHE:-$HOME/.cache/custody}/bin/cosign}"
MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}" mvn -q -B -DskipTests package -pl bench -am >/dev/null
bin/custody --version >/dev/null
WORK="$(mktemp -d)"
trap 'bash scripts/image/registry.sh stop "$WORK/registry" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
REG="$(bash scripts/image/registry.sh start "$WORK/registry" 2>/dev/null)"
bash scripts/interop/make-fixtures.sh "$REG" "$WORK/fx" >/dev/null 2>&1
BYTAG="$REG/custody/app:v1"
KEY="$WORK/fx/keys/key1.pub"
echo "== in process (java $("$JAVA_HOME/bin/java" -version 2>&1 | head -1 | cut -d'"' -f2)), image $BYTAG"
"$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC \
  -cp bench/target/custody-bench.jar dev.custody.bench.VerifyLoad "$BYTAG" "$KEY" "$COLD" 100000
echo "== process per verification, start included ($RUNS runs each)"
export TUF_ROOT="$WORK/fx/work/tuf" SIGSTORE_ROOT_FILE="$WORK/fx/pki/root.pem"   # keep cosign offline
for tool in cosign custody; do
  times=()
  for _ in $(seq "$RUNS"); do
    s=$(date +%s%N)
    if [[ $tool == cosign ]]; then
      "$COSIGN" verify --key "$KEY" --insecure-ignore-tlog=true --allow-http-registry=true "$BYTAG" >/dev/null 2>&1
    else
      bin/custody verify image "$BYTAG" --key "$KEY" >/dev/null 2>&1
    fi
    times+=($(( ($(date +%s%N) - s) / 1000000 )))
  done
  printf '%s verify: %s ms (median %s ms)\n' "$tool" "${times[*]}" "$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")"
done
