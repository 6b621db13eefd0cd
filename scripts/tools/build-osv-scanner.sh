#!/usr/bin/env bash
# Build (or reuse) a pinned `osv-scanner` CLI from Go modules into
#   ${CUSTODY_CACHE:-~/.cache/custody}/bin/osv-scanner
#
# Used only by the interop tests: osv-scanner scans an SBOM fully offline against a local database zipped
# from OSV records, and its JSON report is compared with Custody's own findings. It shares the Go module and
# build caches with the other tool builds ($CACHE/go/{mod,build-cache}); `rm -rf ~/.cache/custody` is a
# full reset.
#
# Environment knobs (all optional):
#   CUSTODY_CACHE                cache dir (default ~/.cache/custody)
#   CUSTODY_OSV_SCANNER_VERSION  github.com/google/osv-scanner/v2 version (default below; v2.6.0 and later
#                                declare go 1.27, newer than this machine's Go, and are refused)
#   CUSTODY_BUILD_JOBS           go build -p value (default 1: the machine is shared)
#   CUSTODY_FORCE_REBUILD        1 = ignore the version stamp
#
# Built like osv-scanner's release (.goreleaser.yml): CGO off, -trimpath, -s -w, the tag's commit and
# commit date stamped into cmd/osv-scanner/internal/cmd. The version itself is a constant in
# internal/version (the release's -X of it changes nothing), so the source carries it.
set -euo pipefail
# shellcheck source=../lib/gomod.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/gomod.sh"

OSV_SCANNER_VERSION="${CUSTODY_OSV_SCANNER_VERSION:-v2.5.1}"
CACHE="${CUSTODY_CACHE:-$HOME/.cache/custody}"
JOBS="${CUSTODY_BUILD_JOBS:-1}"
BIN="$CACHE/bin"
STAMP="$BIN/OSV_SCANNER_VERSION"
MOD=github.com/google/osv-scanner/v2

log() { printf '[custody/tools/build-osv-scanner] %s\n' "$*" >&2; }
die() { printf '[custody/tools/build-osv-scanner] ERROR: %s\n' "$*" >&2; exit 1; }

if [[ "${CUSTODY_FORCE_REBUILD:-0}" != 1 && -x "$BIN/osv-scanner" && "$(cat "$STAMP" 2>/dev/null)" == "$OSV_SCANNER_VERSION" ]]; then
  log "up to date in $BIN (osv-scanner $OSV_SCANNER_VERSION)"
  exit 0
fi
[[ "$OSV_SCANNER_VERSION" =~ ^v2\.[0-9]+\.[0-9]+$ ]] || die "CUSTODY_OSV_SCANNER_VERSION must look like v2.N.P, got '$OSV_SCANNER_VERSION'"
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || die "CUSTODY_BUILD_JOBS must be a positive integer, got '$JOBS'"
gomod_env "osv-scanner $OSV_SCANNER_VERSION"
T0=$SECONDS
log "building osv-scanner $OSV_SCANNER_VERSION with go $GOVER, GOFLAGS='$GOFLAGS', cache $CACHE"
SDIR="$CACHE/build/osv-scanner-$OSV_SCANNER_VERSION"
rm -rf "$SDIR"; mkdir -p "$SDIR/out"
cd "$SDIR"
gomod_consume osv-scanner "$MOD" "$OSV_SCANNER_VERSION" "$MOD/cmd/osv-scanner"

# the release stamps these variables of cmd/osv-scanner/internal/cmd (run.go) with the tag's commit and its
# commit time; the proxy's .info file has both
COMMIT="$(sed -n 's/.*"Hash":"\([0-9a-f]\{40\}\)".*/\1/p' "$GOMOD_INFO" 2>/dev/null || true)"
BUILD_DATE="$(gomod_commit_time)"
PKG="$MOD/cmd/osv-scanner/internal/cmd"
LD="-s -w -buildid=${COMMIT:+ -X $PKG.commit=$COMMIT}${BUILD_DATE:+ -X $PKG.date=$BUILD_DATE}"
log "go build osv-scanner (the slow part)"
t=$SECONDS
"${NICE[@]}" go build -ldflags "$LD" -o out/osv-scanner "$MOD/cmd/osv-scanner" || die "go build $MOD/cmd/osv-scanner@$OSV_SCANNER_VERSION failed (see above)"
log "built osv-scanner in $((SECONDS - t)) s"
chmod 0755 out/osv-scanner
GOT="$(out/osv-scanner --version 2>&1)" || die "built osv-scanner does not run: $GOT"
grep -q "^osv-scanner version:[[:space:]]*${OSV_SCANNER_VERSION#v}\$" <<<"$GOT" || die "built osv-scanner reports another version: $GOT"
mv -f out/osv-scanner "$BIN/osv-scanner"
printf '%s\n' "$OSV_SCANNER_VERSION" > "$STAMP"
log "done in $((SECONDS - T0)) s; $BIN/osv-scanner; disk used by $CACHE: $(du -sh "$CACHE" | cut -f1)"
