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
# The end-to-end admission tests run against a real kube-apiserver and etcd built from their Go modules, and
# the Helm chart is rendered with the real helm, and the interop tests check Custody against signatures made by
# the real cosign; the first build on a machine takes about 11 minutes (cosign ~3 of them), later runs find the
# binaries cached under ~/.cache/custody.
if [[ "${CUSTODY_SKIP_E2E:-0}" != "1" ]]; then
  bash "$ROOT/scripts/kube/build.sh"
  bash "$ROOT/scripts/tools/build-helm.sh"
  bash "$ROOT/scripts/tools/build-cosign.sh"
  export CUSTODY_KUBE_BIN="${CUSTODY_CACHE:-$HOME/.cache/custody}/bin"
  export CUSTODY_HELM="$CUSTODY_KUBE_BIN/helm"
  export CUSTODY_COSIGN="$CUSTODY_KUBE_BIN/cosign"
fi
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
# The container image: built with jib from scratch (no Docker engine), pushed to a registry on loopback,
# then unpacked and run (java, custody check, custody serve) as uid 65532 on a read-only root file system.
if [[ "${CUSTODY_SKIP_E2E:-0}" != "1" ]]; then
  bash "$ROOT/scripts/image/test.sh"
fi
# The evidence store tests run on SQLite and on a real PostgreSQL (Debian's server, started on 127.0.0.1 by
# scripts/pg/start.sh and stopped again afterwards); CUSTODY_REQUIRE_PG=1 makes a missing one a failure.
if [[ -z "${CUSTODY_PG_URL:-}" ]]; then
  CUSTODY_PG_URL="$(bash "$ROOT/scripts/pg/start.sh")"
  export CUSTODY_PG_URL CUSTODY_REQUIRE_PG=1
  trap 'bash "$ROOT/scripts/pg/stop.sh"' EXIT
fi
echo "test: PostgreSQL for the store tests at $CUSTODY_PG_URL"
mvn -B -ntp verify "$@"
