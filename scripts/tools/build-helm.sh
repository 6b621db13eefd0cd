#!/usr/bin/env bash
# Build (or reuse) a pinned `helm` CLI from Go modules into
#   ${CUSTODY_CACHE:-~/.cache/custody}/bin/helm
#
# Idempotent: if bin/HELM_VERSION matches the pinned version and bin/helm is
# present, it exits at once. It shares the Go module cache and build cache
# with scripts/kube/build.sh ($CACHE/go/{mod,build-cache}), so modules both
# builds need are downloaded once; `rm -rf ~/.cache/custody` is a full reset.
#
# Environment knobs (all optional):
#   CUSTODY_CACHE          cache dir (default ~/.cache/custody)
#   CUSTODY_HELM_VERSION   helm.sh/helm/v3 version (default below)
#   CUSTODY_BUILD_JOBS     go build -p value (default 1: the machine is shared)
#   CUSTODY_FORCE_REBUILD  1 = ignore the version stamp
#
# The binary is built like helm's own release Makefile does it: CGO off,
# -trimpath, -ldflags "-w -s" plus -X for the version and for the default
# Kubernetes version (.Capabilities.KubeVersion in `helm template`), which
# the Makefile derives from the k8s.io/client-go version helm requires.
set -euo pipefail
# shellcheck source=../lib/gomod.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/gomod.sh"

HELM_VERSION="${CUSTODY_HELM_VERSION:-v3.22.0}"
CACHE="${CUSTODY_CACHE:-$HOME/.cache/custody}"
JOBS="${CUSTODY_BUILD_JOBS:-1}"
BIN="$CACHE/bin"
STAMP="$BIN/HELM_VERSION"
WANT_STAMP="helm=$HELM_VERSION"
MOD=helm.sh/helm/v3

log() { printf '[custody/tools/build-helm] %s\n' "$*" >&2; }
die() { printf '[custody/tools/build-helm] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- fast path
if [[ "${CUSTODY_FORCE_REBUILD:-0}" != 1 && -f "$STAMP" \
      && "$(cat "$STAMP")" == "$WANT_STAMP" && -x "$BIN/helm" ]]; then
  log "up to date in $BIN ($WANT_STAMP)"
  exit 0
fi

# ---------------------------------------------------------------- checks
[[ "$HELM_VERSION" =~ ^v3\.[0-9]+\.[0-9]+$ ]] \
  || die "CUSTODY_HELM_VERSION must look like v3.NN.P, got '$HELM_VERSION'"
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || die "CUSTODY_BUILD_JOBS must be a positive integer, got '$JOBS'"
gomod_env "helm $HELM_VERSION"
log "building helm $HELM_VERSION with go $GOVER, GOFLAGS='$GOFLAGS', cache $CACHE"
T0=$SECONDS

HDIR="$CACHE/build/helm-$HELM_VERSION"
rm -rf "$HDIR"; mkdir -p "$HDIR/out"
cd "$HDIR"
gomod_consume helm "$MOD" "$HELM_VERSION" "$MOD/cmd/helm"
HSRC="$GOMOD_SRC"

# ---------------------------------------------------------------- ldflags
LD="-w -s"
# the version: only set via -X if the variable still exists in this release
VERFILE="$HSRC/internal/version/version.go"
if [[ -f "$VERFILE" ]] && grep -Eq '^[[:space:]]*version[[:space:]]*=' "$VERFILE"; then
  LD+=" -X $MOD/internal/version.version=$HELM_VERSION"
  LD+=" -X $MOD/internal/version.gitTreeState=clean"
else
  log "WARNING: $MOD/internal/version.version not found; helm will report its built-in version"
fi
# default Kubernetes version for `helm template`/lint, as helm's Makefile does:
# client-go v0.NN.P -> 1.NN
CGV="$(go list -m -f '{{.Version}}' k8s.io/client-go 2>/dev/null || true)"
if [[ "$CGV" =~ ^v0\.([0-9]+)\.[0-9]+ ]]; then
  K8S_MINOR="${BASH_REMATCH[1]}"
  for pkg in pkg/lint/rules pkg/chartutil; do
    if grep -qs 'k8sVersionMinor' "$HSRC/$pkg"/*.go; then
      LD+=" -X $MOD/$pkg.k8sVersionMajor=1 -X $MOD/$pkg.k8sVersionMinor=$K8S_MINOR"
    fi
  done
  log "default Kubernetes version: v1.$K8S_MINOR (from k8s.io/client-go $CGV)"
else
  log "WARNING: could not read the k8s.io/client-go version ('$CGV'); keeping helm's built-in default Kubernetes version"
fi

# ---------------------------------------------------------------- build
log "go build helm (the slow part)"
t=$SECONDS
"${NICE[@]}" go build -ldflags "$LD" -o out/helm "$MOD/cmd/helm" \
  || die "go build $MOD/cmd/helm@$HELM_VERSION failed (see above)"
log "built helm in $((SECONDS - t)) s"

# ---------------------------------------------------------------- install
chmod 0755 out/helm
GOT="$(out/helm version --template '{{.Version}}' 2>&1)" || die "built helm does not run: $GOT"
[[ "$GOT" == "$HELM_VERSION" ]] || die "built helm reports version '$GOT', expected '$HELM_VERSION'"
mv -f out/helm "$BIN/helm"
printf '%s\n' "$WANT_STAMP" > "$STAMP"
"$BIN/helm" version >&2
log "done in $((SECONDS - T0)) s; $BIN/helm; disk used by $CACHE: $(du -sh "$CACHE" | cut -f1)"
