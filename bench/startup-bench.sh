#!/usr/bin/env bash
# Start-up of short commands run as processes (how CI users run them), with the JDK's ahead-of-time cache
# (CUSTODY_AOT=on, JDK 25+) and without it (CUSTODY_AOT=off: the CDS archive bin/custody used before), interleaved
# run by run so that both see the same machine:
#   custody --version; custody check of one small file; custody policy validate; custody sbom ingest of a
#   5,000-component SBOM into a fresh store; custody verify image --key of a cosign-signed image in a loopback
#   registry, beside the real cosign verify of the same image.
# Usage: bench/startup-bench.sh [RUNS]   (default 15)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-15}"
source "$ROOT/scripts/lib/java.sh"
JAVA_HOME="$(custody_find_jdk)"; export JAVA_HOME
cd "$ROOT"
bash scripts/tools/build-cosign.sh >/dev/null
COSIGN="${CUSTODY_COSIGN:-${CUSTODY_CACHE:-$HOME/.cache/custody}/bin/cosign}"
MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}" mvn -q -B -DskipTests package -pl bench -am >/dev/null
bin/custody --version >/dev/null
# the first short command after a build starts the training run; wait for its cache
CACHE="${CUSTODY_CACHE:-$HOME/.cache/custody}"
for _ in $(seq 120); do ls "$CACHE"/aot/custody-*.aot >/dev/null 2>&1 && break; sleep 1; done
ls -l "$CACHE"/aot/custody-*.aot | awk '{print "aot cache: " $5 " bytes"}'
WORK="$(mktemp -d)"
trap 'bash scripts/image/registry.sh stop "$WORK/registry" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
REG="$(bash scripts/image/registry.sh start "$WORK/registry" 2>/dev/null)"
bash scripts/interop/make-fixtures.sh "$REG" "$WORK/fx" >/dev/null 2>&1
IMAGE="$REG/custody/app:v1"
KEY="$WORK/fx/keys/key1.pub"
export TUF_ROOT="$WORK/fx/work/tuf" SIGSTORE_ROOT_FILE="$WORK/fx/pki/root.pem"   # keep cosign offline
"$JAVA_HOME/bin/java" -cp bench/target/custody-bench.jar dev.custody.bench.SyntheticSbomFile 5000 "$WORK/sbom-5000.json"

declare -A T
run() { # NAME MODE COMMAND...
  local name="$1" mode="$2"; shift 2
  local s; s=$(date +%s%N)
  CUSTODY_AOT="$mode" "$@" >/dev/null 2>&1 || true
  T["$name/$mode"]+="$(( ($(date +%s%N) - s) / 1000000 )) "
}
for i in $(seq "$RUNS"); do
  for mode in off on; do
    run version "$mode" bin/custody --version
    run check "$mode" bin/custody check --policy examples/policies examples/manifests/admitted-production.yaml
    run "policy validate" "$mode" bin/custody policy validate examples/policies
    rm -f "$WORK/store-$mode.db"*
    run "sbom ingest 5,000 (fresh store)" "$mode" bin/custody sbom ingest "$WORK/sbom-5000.json" --digest "sha256:$(printf '%064d' "$i")" --store "$WORK/store-$mode.db"
    run "verify image --key" "$mode" bin/custody verify image "$IMAGE" --key "$KEY"
  done
  run "cosign verify --key" - "$COSIGN" verify --key "$KEY" --insecure-ignore-tlog=true --allow-http-registry=true "$IMAGE"
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
p90() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {i=int(NR*0.9+0.5); if (i<1) i=1; print a[i]}'; }
echo "== $RUNS runs each, interleaved (java $("$JAVA_HOME/bin/java" -version 2>&1 | head -1 | cut -d'"' -f2)); milliseconds, median / p90"
printf '%-34s %16s %16s\n' "command" "CDS (AOT off)" "AOT cache"
for name in version check "policy validate" "sbom ingest 5,000 (fresh store)" "verify image --key"; do
  printf '%-34s %8s / %-6s %8s / %-6s\n' "$name" "$(echo "${T[$name/off]}" | median)" "$(echo "${T[$name/off]}" | p90)" \
    "$(echo "${T[$name/on]}" | median)" "$(echo "${T[$name/on]}" | p90)"
done
printf '%-34s %8s / %-6s\n' "cosign verify --key" "$(echo "${T[cosign verify --key/-]}" | median)" "$(echo "${T[cosign verify --key/-]}" | p90)"
