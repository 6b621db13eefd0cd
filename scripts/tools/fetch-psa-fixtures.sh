#!/usr/bin/env bash
# Download (or reuse) the pinned k8s.io/pod-security-admission module into the shared Go module cache
#   ${CUSTODY_CACHE:-~/.cache/custody}/go/mod
# and print its directory on stdout (everything else goes to stderr).
#
# Used only by PodSecurityFixturesTest (cli module): the module ships the fixtures its own test generates,
# test/testdata/{baseline,restricted}/v1.N/{pass,fail}/*.yaml, one folder per policy version from v1.0 to the
# newest, and Custody must reach Kubernetes' verdict on every one of them. scripts/test.sh exports the printed
# directory as CUSTODY_PSA_FIXTURES. Nothing of the module is built, and nothing of it is copied into the
# repository.
#
# Idempotent: `go mod download` finds the module in the cache and only prints where it is. The cache is the
# one scripts/kube/build.sh and scripts/tools/build-*.sh share; `rm -rf ~/.cache/custody` is a full reset.
#
# Environment knobs (all optional):
#   CUSTODY_CACHE         cache dir (default ~/.cache/custody)
#   CUSTODY_PSA_VERSION   k8s.io/pod-security-admission version (default below; v0.N.P is Kubernetes 1.N)
#
# When the pin moves to a release with a newer policy version, PssVersion.LATEST_MINOR and
# docs/pss-reference.md move with it: the fixtures of the new version tell what changed.
set -euo pipefail
# shellcheck source=../lib/gomod.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/gomod.sh"

PSA_VERSION="${CUSTODY_PSA_VERSION:-v0.37.2}"
CACHE="${CUSTODY_CACHE:-$HOME/.cache/custody}"
JOBS=1
BIN="$CACHE/bin"
MOD=k8s.io/pod-security-admission

log() { printf '[custody/tools/fetch-psa-fixtures] %s\n' "$*" >&2; }
die() { printf '[custody/tools/fetch-psa-fixtures] ERROR: %s\n' "$*" >&2; exit 1; }

[[ "$PSA_VERSION" =~ ^v0\.[0-9]+\.[0-9]+$ ]] || die "CUSTODY_PSA_VERSION must look like v0.NN.P, got '$PSA_VERSION'"
gomod_env "$MOD $PSA_VERSION"

# a consumer go.mod in a directory of its own, as gomod_consume does, so GOFLAGS' -mod=mod has a module to
# apply to and no go.mod of the caller's is touched
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
printf 'module custody.local/psafixtures\n' > go.mod
if ! json="$("${NICE[@]}" go mod download -json "$MOD@$PSA_VERSION" 2>&1)"; then
  err="$(sed -n 's/^[[:space:]]*"Error": //p' <<<"$json" | head -1)"
  die "could not download $MOD@$PSA_VERSION from the Go module proxy: ${err:-$(tail -n 3 <<<"$json" | tr '\n' ' ')}"
fi
DIR="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$json")"
[[ -d "$DIR/test/testdata/baseline" && -d "$DIR/test/testdata/restricted" ]] \
  || die "$MOD@$PSA_VERSION has no test/testdata/{baseline,restricted} (go mod download said: $json)"
COUNT="$(find "$DIR/test/testdata" -name '*.yaml' -path '*/v1.*/*' | wc -l)"
log "$MOD@$PSA_VERSION: $COUNT fixtures in $DIR/test/testdata"
printf '%s\n' "$DIR"
