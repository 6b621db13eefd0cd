#!/usr/bin/env bash
# Build (or reuse) pinned kube-apiserver, etcd and kubectl binaries for the
# end-to-end admission-webhook tests, from Go modules, into
#   ${CUSTODY_CACHE:-~/.cache/custody}/bin/{kube-apiserver,etcd,kubectl}
#
# Idempotent: if bin/VERSION matches the pinned versions and the three
# binaries are present, it exits at once. Everything it writes (Go module
# cache, Go build cache, build dirs, binaries) lives under the cache dir, so
# `rm -rf ~/.cache/custody` is a full reset.
#
# Environment knobs (all optional):
#   CUSTODY_CACHE          cache dir (default ~/.cache/custody)
#   CUSTODY_KUBE_VERSION   k8s.io/kubernetes version (default below)
#   CUSTODY_ETCD_VERSION   go.etcd.io/etcd/server/v3 version (default below)
#   CUSTODY_BUILD_JOBS     go build -p value (default 1: the machine is shared)
#   CUSTODY_FORCE_REBUILD  1 = ignore the version stamp
#   CUSTODY_PRUNE_GO_CACHE 1 = delete $CACHE/go (~3.4 GB of Go module and
#                          build cache) once the binaries are installed
#
# Debian's etcd-server (3.4.x) and kubernetes-client (kubectl 1.20) are too
# old for kube-apiserver 1.36 (needs etcd >= 3.5; kubectl skew is +-1 minor),
# so all three are built. See NOTES.md.
set -euo pipefail

KUBE_VERSION="${CUSTODY_KUBE_VERSION:-v1.36.3}"
ETCD_VERSION="${CUSTODY_ETCD_VERSION:-v3.6.16}"
CACHE="${CUSTODY_CACHE:-$HOME/.cache/custody}"
JOBS="${CUSTODY_BUILD_JOBS:-1}"
BIN="$CACHE/bin"
STAMP="$BIN/VERSION"
WANT_STAMP="kube-apiserver=$KUBE_VERSION kubectl=$KUBE_VERSION etcd=$ETCD_VERSION"

log() { printf '[custody/kube/build] %s\n' "$*" >&2; }
die() { printf '[custody/kube/build] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- fast path
if [[ "${CUSTODY_FORCE_REBUILD:-0}" != 1 && -f "$STAMP" \
      && "$(cat "$STAMP")" == "$WANT_STAMP" \
      && -x "$BIN/kube-apiserver" && -x "$BIN/etcd" && -x "$BIN/kubectl" ]]; then
  log "up to date in $BIN ($WANT_STAMP)"
  exit 0
fi

# ---------------------------------------------------------------- checks
[[ "$KUBE_VERSION" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] \
  || die "CUSTODY_KUBE_VERSION must look like v1.NN.P, got '$KUBE_VERSION'"
KUBE_MINOR="${BASH_REMATCH[1]}"
KUBE_PATCH="${BASH_REMATCH[2]}"
STAGING_VERSION="v0.${KUBE_MINOR}.${KUBE_PATCH}"   # k8s.io/api etc. are tagged v0.NN.P

command -v go >/dev/null 2>&1 || die "'go' not found on PATH (Go >= 1.26 is needed to build kube $KUBE_VERSION)"
GOVER="$(go env GOVERSION)"
# kubernetes v1.36 declares 'go 1.26.0'; refuse older toolchains with a clear message
if ! printf '%s\n' "go1.26" "$GOVER" | sort -V -C; then
  die "Go $GOVER is too old; kubernetes $KUBE_VERSION needs go >= 1.26"
fi

# ---------------------------------------------------------------- go env
export GOTOOLCHAIN=local
export CGO_ENABLED=0
export GOMODCACHE="$CACHE/go/mod"
export GOCACHE="$CACHE/go/build-cache"
export GOFLAGS="-p=$JOBS -mod=mod -modcacherw -buildvcs=false -trimpath"
export GOWORK=off
# nice everything heavy: the machine is shared with other builds
NICE=(nice -n 19)
if command -v ionice >/dev/null 2>&1; then NICE=(ionice -c 3 nice -n 19); fi

mkdir -p "$BIN" "$CACHE/build" "$GOMODCACHE" "$GOCACHE"
log "building kube-apiserver+kubectl $KUBE_VERSION (staging modules $STAGING_VERSION), etcd $ETCD_VERSION"
log "go $GOVER, GOFLAGS='$GOFLAGS', cache $CACHE"
T0=$SECONDS

BUILD_DATE="$(date -u +'%Y-%m-%dT%H:%M:%SZ')"

# ---------------------------------------------------------------- kubernetes
KDIR="$CACHE/build/kubernetes-$KUBE_VERSION"
rm -rf "$KDIR"; mkdir -p "$KDIR/out"
cd "$KDIR"
cat > go.mod <<EOF
module custody.local/kubebuild

go 1.26.0
EOF

log "resolving k8s.io/kubernetes@$KUBE_VERSION"
KMOD_JSON="$("${NICE[@]}" go mod download -json "k8s.io/kubernetes@$KUBE_VERSION")" \
  || die "could not download k8s.io/kubernetes@$KUBE_VERSION from the Go module proxy: $(sed -n 's/^[[:space:]]*"Error": //p' <<<"$KMOD_JSON")"
KGOMOD="$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p' <<<"$KMOD_JSON")"
[[ -f "$KGOMOD" ]] || die "no go.mod for k8s.io/kubernetes@$KUBE_VERSION (go mod download said: $KMOD_JSON)"

# k8s.io/kubernetes replaces its staging modules with ./staging/src/... paths;
# a consumer does not inherit that, so map each one to its published v0.NN.P.
mapfile -t STAGING < <(sed -n 's#^[[:space:]]*\(k8s\.io/[A-Za-z0-9._/-]*\)[[:space:]]*=>[[:space:]]*\./staging/src/.*#\1#p' "$KGOMOD")
[[ ${#STAGING[@]} -gt 0 ]] || die "found no staging replace directives in $KGOMOD"
EDITS=(-require="k8s.io/kubernetes@$KUBE_VERSION")
for m in "${STAGING[@]}"; do EDITS+=(-replace="$m=$m@$STAGING_VERSION"); done
go mod edit "${EDITS[@]}"
log "replaced ${#STAGING[@]} staging modules with their $STAGING_VERSION releases"

log "go get kube-apiserver and kubectl (downloads dependencies)"
"${NICE[@]}" go get "k8s.io/kubernetes/cmd/kube-apiserver@$KUBE_VERSION" "k8s.io/kubernetes/cmd/kubectl@$KUBE_VERSION" \
  || die "go get of k8s.io/kubernetes/cmd/{kube-apiserver,kubectl}@$KUBE_VERSION failed (see above)"

KLD="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  KLD+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$KUBE_MINOR"
  KLD+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$BUILD_DATE"
done

for cmd in kube-apiserver kubectl; do
  log "go build $cmd (this is the slow part)"
  t=$SECONDS
  "${NICE[@]}" go build -ldflags "$KLD" -o "out/$cmd" "k8s.io/kubernetes/cmd/$cmd" \
    || die "go build k8s.io/kubernetes/cmd/$cmd@$KUBE_VERSION failed (see above)"
  log "built $cmd in $((SECONDS - t)) s"
done

# ---------------------------------------------------------------- etcd
EDIR="$CACHE/build/etcd-$ETCD_VERSION"
rm -rf "$EDIR"; mkdir -p "$EDIR/out"
cd "$EDIR"
cat > go.mod <<EOF
module custody.local/etcdbuild

go 1.26.0
EOF
go mod edit -require="go.etcd.io/etcd/server/v3@$ETCD_VERSION"
log "go get etcd server $ETCD_VERSION"
"${NICE[@]}" go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" \
  || die "go get go.etcd.io/etcd/server/v3@$ETCD_VERSION failed (see above)"
log "go build etcd"
t=$SECONDS
"${NICE[@]}" go build -ldflags "-s -w" -o out/etcd "go.etcd.io/etcd/server/v3" \
  || die "go build go.etcd.io/etcd/server/v3@$ETCD_VERSION failed (see above)"
log "built etcd in $((SECONDS - t)) s"

# ---------------------------------------------------------------- install
for b in "$KDIR/out/kube-apiserver" "$KDIR/out/kubectl" "$EDIR/out/etcd"; do
  chmod 0755 "$b"
  mv -f "$b" "$BIN/$(basename "$b")"
done
"$BIN/kube-apiserver" --version >&2 || die "built kube-apiserver does not run"
"$BIN/kubectl" version --client >&2 || die "built kubectl does not run"
"$BIN/etcd" --version >&2 || die "built etcd does not run"
printf '%s\n' "$WANT_STAMP" > "$STAMP"
if [[ "${CUSTODY_PRUNE_GO_CACHE:-0}" == 1 ]]; then
  log "CUSTODY_PRUNE_GO_CACHE=1: removing $CACHE/go (module + build cache)"
  rm -rf "$CACHE/go"
fi
log "done in $((SECONDS - T0)) s; binaries in $BIN; disk used by $CACHE: $(du -sh "$CACHE" | cut -f1)"
