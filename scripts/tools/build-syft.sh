#!/usr/bin/env bash
# Build (or reuse) a pinned `syft` CLI from Go modules into
#   ${CUSTODY_CACHE:-~/.cache/custody}/bin/syft
#
# Used only by the interop tests: syft generates an SBOM from an image the test builds and pushes to a
# registry on loopback, the real cosign attests it, and Custody verifies the attestation and ingests the
# SBOM (scripts/interop/make-fixtures.sh). It shares the Go module and build caches with the other tool
# builds ($CACHE/go/{mod,build-cache}); `rm -rf ~/.cache/custody` is a full reset.
#
# Environment knobs (all optional):
#   CUSTODY_CACHE          cache dir (default ~/.cache/custody)
#   CUSTODY_SYFT_VERSION   github.com/anchore/syft version (default below)
#   CUSTODY_BUILD_JOBS     go build -p value (default 1: the machine is shared)
#   CUSTODY_FORCE_REBUILD  1 = ignore the version stamp
#
# Built like syft's release: CGO off, -trimpath, the version and build date stamped into package main.
set -euo pipefail
# shellcheck source=../lib/gomod.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/gomod.sh"

SYFT_VERSION="${CUSTODY_SYFT_VERSION:-v1.57.1}"
CACHE="${CUSTODY_CACHE:-$HOME/.cache/custody}"
JOBS="${CUSTODY_BUILD_JOBS:-1}"
BIN="$CACHE/bin"
STAMP="$BIN/SYFT_VERSION"
MOD=github.com/anchore/syft

log() { printf '[custody/tools/build-syft] %s\n' "$*" >&2; }
die() { printf '[custody/tools/build-syft] ERROR: %s\n' "$*" >&2; exit 1; }

if [[ "${CUSTODY_FORCE_REBUILD:-0}" != 1 && -x "$BIN/syft" && "$(cat "$STAMP" 2>/dev/null)" == "$SYFT_VERSION" ]]; then
  log "up to date in $BIN (syft $SYFT_VERSION)"
  exit 0
fi
[[ "$SYFT_VERSION" =~ ^v1\.[0-9]+\.[0-9]+$ ]] || die "CUSTODY_SYFT_VERSION must look like v1.NN.P, got '$SYFT_VERSION'"
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || die "CUSTODY_BUILD_JOBS must be a positive integer, got '$JOBS'"
gomod_env "syft $SYFT_VERSION"
T0=$SECONDS
log "building syft $SYFT_VERSION with go $GOVER, GOFLAGS='$GOFLAGS', cache $CACHE"
SDIR="$CACHE/build/syft-$SYFT_VERSION"
rm -rf "$SDIR"; mkdir -p "$SDIR/out"
cd "$SDIR"
gomod_consume syft "$MOD" "$SYFT_VERSION" "$MOD/cmd/syft"

# the release stamps these variables of package main (cmd/syft/main.go); the build date is the tag's commit time
BUILD_DATE="$(gomod_commit_time)"
LD="-s -w -buildid= -X main.version=${SYFT_VERSION#v} -X main.gitDescription=$SYFT_VERSION${BUILD_DATE:+ -X main.buildDate=$BUILD_DATE}"
log "go build syft (the slow part)"
t=$SECONDS
"${NICE[@]}" go build -ldflags "$LD" -o out/syft "$MOD/cmd/syft" || die "go build $MOD/cmd/syft@$SYFT_VERSION failed (see above)"
log "built syft in $((SECONDS - t)) s"
chmod 0755 out/syft
GOT="$(out/syft version 2>&1)" || die "built syft does not run: $GOT"
grep -q "^Version:[[:space:]]*${SYFT_VERSION#v}\$" <<<"$GOT" || die "built syft reports another version: $GOT"
mv -f out/syft "$BIN/syft"
printf '%s\n' "$SYFT_VERSION" > "$STAMP"
log "done in $((SECONDS - T0)) s; $BIN/syft; disk used by $CACHE: $(du -sh "$CACHE" | cut -f1)"
