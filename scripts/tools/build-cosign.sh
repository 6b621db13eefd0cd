#!/usr/bin/env bash
# Build (or reuse) a pinned `cosign` CLI from Go modules into
#   ${CUSTODY_CACHE:-~/.cache/custody}/bin/cosign
# and, when it is not there yet, the pinned `crane` that goes with it into
#   ${CUSTODY_CACHE:-~/.cache/custody}/bin/crane
#
# They are only used by the interop tests (scripts/interop/make-fixtures.sh):
# crane pushes small images to a registry on loopback, the real cosign signs
# and attests them, and the Java tests check that Custody's verification agrees
# with cosign's own verdicts. crane is built exactly as scripts/image/registry.sh
# builds it (same version pin, same bin/CRANE_VERSION stamp, so either script
# reuses the other's binary): registry.sh only builds it when Debian's
# docker-registry is missing, and make-fixtures.sh needs it either way.
#
# Idempotent: if bin/COSIGN_VERSION matches the pinned version and bin/cosign
# is present (and bin/CRANE_VERSION / bin/crane likewise), it exits at once. It shares the Go module cache and build cache
# with scripts/kube/build.sh and scripts/tools/build-helm.sh
# ($CACHE/go/{mod,build-cache}); `rm -rf ~/.cache/custody` is a full reset.
#
# Environment knobs (all optional):
#   CUSTODY_CACHE           cache dir (default ~/.cache/custody)
#   CUSTODY_COSIGN_VERSION  github.com/sigstore/cosign/v2 version (default below)
#   CUSTODY_CRANE_VERSION   go-containerregistry crane version (default below,
#                           the same as scripts/image/registry.sh's)
#   CUSTODY_BUILD_JOBS      go build -p value (default 1: the machine is shared)
#   CUSTODY_FORCE_REBUILD   1 = ignore the version stamp
#
# The binary is built like cosign's release (Makefile + .goreleaser.yml) does
# it: CGO off (no pivkey/pkcs11key tags), -trimpath, -ldflags "-buildid=" plus
# -X sigs.k8s.io/release-utils/version.{gitVersion,gitTreeState,buildDate}
# (the build date is the tag's commit time, as the release's SOURCE_DATE_EPOCH;
# the commit hash is not known from the module proxy and is left unset). We add
# "-s -w" as the helm build does, to keep the binary small.
#
# cosign v2 (not v3) on purpose: v2 signs with the classic scheme by default
# (a simple-signing payload in an image tagged sha256-<hex>.sig, an attestation
# in sha256-<hex>.att) that every registry serves; v3 defaults to the new
# bundle format stored through the OCI 1.1 referrers API.
set -euo pipefail
# shellcheck source=../lib/gomod.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/gomod.sh"

COSIGN_VERSION="${CUSTODY_COSIGN_VERSION:-v2.6.5}"
CACHE="${CUSTODY_CACHE:-$HOME/.cache/custody}"
JOBS="${CUSTODY_BUILD_JOBS:-1}"
BIN="$CACHE/bin"
STAMP="$BIN/COSIGN_VERSION"
WANT_STAMP="cosign=$COSIGN_VERSION"
MOD=github.com/sigstore/cosign/v2
CRANE_VERSION="${CUSTODY_CRANE_VERSION:-v0.22.1}"
CRANE_MOD=github.com/google/go-containerregistry/cmd/crane

log() { printf '[custody/tools/build-cosign] %s\n' "$*" >&2; }
die() { printf '[custody/tools/build-cosign] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- fast path
NEED_COSIGN=1 NEED_CRANE=1
if [[ "${CUSTODY_FORCE_REBUILD:-0}" != 1 && -f "$STAMP" \
      && "$(cat "$STAMP")" == "$WANT_STAMP" && -x "$BIN/cosign" ]]; then
  NEED_COSIGN=0
fi
if [[ "${CUSTODY_FORCE_REBUILD:-0}" != 1 && -x "$BIN/crane" \
      && "$(cat "$BIN/CRANE_VERSION" 2>/dev/null)" == "$CRANE_VERSION" ]]; then
  NEED_CRANE=0
fi
if [[ $NEED_COSIGN == 0 && $NEED_CRANE == 0 ]]; then
  log "up to date in $BIN ($WANT_STAMP crane=$CRANE_VERSION)"
  exit 0
fi

# ---------------------------------------------------------------- checks
[[ "$COSIGN_VERSION" =~ ^v2\.[0-9]+\.[0-9]+$ ]] \
  || die "CUSTODY_COSIGN_VERSION must look like v2.NN.P, got '$COSIGN_VERSION'"
[[ "$CRANE_VERSION" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] \
  || die "CUSTODY_CRANE_VERSION must look like vN.NN.P, got '$CRANE_VERSION'"
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || die "CUSTODY_BUILD_JOBS must be a positive integer, got '$JOBS'"
gomod_env "cosign $COSIGN_VERSION"
T0=$SECONDS

# ---------------------------------------------------------------- crane
if [[ $NEED_CRANE == 1 ]]; then
  log "building crane $CRANE_VERSION with go $GOVER (as scripts/image/registry.sh does)"
  t=$SECONDS
  GOBIN="$BIN" "${NICE[@]}" go install -ldflags='-s -w' "$CRANE_MOD@$CRANE_VERSION" \
    || die "go install $CRANE_MOD@$CRANE_VERSION failed (see above)"
  "$BIN/crane" version >/dev/null 2>&1 || die "built crane does not run"
  printf '%s\n' "$CRANE_VERSION" > "$BIN/CRANE_VERSION"
  log "built crane $("$BIN/crane" version) in $((SECONDS - t)) s"
fi
if [[ $NEED_COSIGN == 0 ]]; then
  log "cosign up to date in $BIN ($WANT_STAMP)"
  exit 0
fi

log "building cosign $COSIGN_VERSION with go $GOVER, GOFLAGS='$GOFLAGS', cache $CACHE"

CDIR="$CACHE/build/cosign-$COSIGN_VERSION"
rm -rf "$CDIR"; mkdir -p "$CDIR/out"
cd "$CDIR"
gomod_consume cosign "$MOD" "$COSIGN_VERSION" "$MOD/cmd/cosign"

# ---------------------------------------------------------------- ldflags
LD="-s -w -buildid="
RUV="$(go list -m -f '{{.Version}}' sigs.k8s.io/release-utils 2>/dev/null || true)"
if [[ -n "$RUV" ]]; then
  # the release's BUILD_DATE is the tag's commit time; the proxy's .info has it
  BUILD_DATE="$(gomod_commit_time)"
  [[ -n "$BUILD_DATE" ]] || BUILD_DATE="$(date -u +'%Y-%m-%dT%H:%M:%SZ')"
  P=sigs.k8s.io/release-utils/version
  LD+=" -X $P.gitVersion=$COSIGN_VERSION -X $P.gitTreeState=clean -X $P.buildDate=$BUILD_DATE"
  log "version ldflags: gitVersion=$COSIGN_VERSION buildDate=$BUILD_DATE (release-utils $RUV)"
else
  log "WARNING: sigs.k8s.io/release-utils is not in the build list; cosign will report its built-in version"
fi

# ---------------------------------------------------------------- build
log "go build cosign (the slow part)"
t=$SECONDS
"${NICE[@]}" go build -ldflags "$LD" -o out/cosign "$MOD/cmd/cosign" \
  || die "go build $MOD/cmd/cosign@$COSIGN_VERSION failed (see above)"
log "built cosign in $((SECONDS - t)) s"

# ---------------------------------------------------------------- install
chmod 0755 out/cosign
GOT="$(out/cosign version --json 2>&1)" || die "built cosign does not run: $GOT"
GOTV="$(sed -n 's/.*"gitVersion":[[:space:]]*"\([^"]*\)".*/\1/p' <<<"$GOT" | head -1)"
[[ "$GOTV" == "$COSIGN_VERSION" ]] || die "built cosign reports version '$GOTV', expected '$COSIGN_VERSION' ($GOT)"
mv -f out/cosign "$BIN/cosign"
printf '%s\n' "$WANT_STAMP" > "$STAMP"
"$BIN/cosign" version >&2
log "done in $((SECONDS - T0)) s; $BIN/cosign; disk used by $CACHE: $(du -sh "$CACHE" | cut -f1)"
