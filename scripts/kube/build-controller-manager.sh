#!/usr/bin/env bash
# Build (or reuse) kube-controller-manager from the same k8s.io/kubernetes module as scripts/kube/build.sh, into
#   ${CUSTODY_CACHE:-~/.cache/custody}/bin/kube-controller-manager
#
# The identity analysis tests run it with one controller, clusterrole-aggregation, so that aggregated ClusterRoles
# get their rules filled in as in a real cluster before SubjectAccessReviews are asked. It reuses build.sh's module
# directory and Go caches (run build.sh first; this script does when the directory is missing), and keeps its own
# version stamp, so building it never rebuilds the other binaries.
#
# Environment knobs (all optional): CUSTODY_CACHE, CUSTODY_KUBE_VERSION, CUSTODY_BUILD_JOBS, CUSTODY_FORCE_REBUILD
# (as build.sh reads them).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KUBE_VERSION="${CUSTODY_KUBE_VERSION:-$(sed -n 's/^KUBE_VERSION="\${CUSTODY_KUBE_VERSION:-\(v[0-9.]*\)}"$/\1/p' "$HERE/build.sh")}"
CACHE="${CUSTODY_CACHE:-$HOME/.cache/custody}"
JOBS="${CUSTODY_BUILD_JOBS:-1}"
BIN="$CACHE/bin"
STAMP="$BIN/KUBE_CONTROLLER_MANAGER_VERSION"
KDIR="$CACHE/build/kubernetes-$KUBE_VERSION"

log() { printf '[custody/kube/build-kcm] %s\n' "$*" >&2; }
die() { printf '[custody/kube/build-kcm] ERROR: %s\n' "$*" >&2; exit 1; }

if [[ "${CUSTODY_FORCE_REBUILD:-0}" != 1 && -x "$BIN/kube-controller-manager" && "$(cat "$STAMP" 2>/dev/null)" == "$KUBE_VERSION" ]]; then
  log "up to date in $BIN (kube-controller-manager $KUBE_VERSION)"
  exit 0
fi
[[ "$KUBE_VERSION" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || die "CUSTODY_KUBE_VERSION must look like v1.NN.P, got '$KUBE_VERSION'"
KUBE_MINOR="${BASH_REMATCH[1]}"
if [[ ! -f "$KDIR/go.mod" ]]; then
  log "no module directory $KDIR yet: running build.sh"
  bash "$HERE/build.sh"
fi
[[ -f "$KDIR/go.mod" ]] || die "build.sh left no $KDIR/go.mod"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off
export GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build-cache"
export GOFLAGS="-p=$JOBS -mod=mod -modcacherw -buildvcs=false -trimpath"
NICE=(nice -n 19)
if command -v ionice >/dev/null 2>&1; then NICE=(ionice -c 3 nice -n 19); fi
T0=$SECONDS
cd "$KDIR"
mkdir -p out
log "go get kube-controller-manager $KUBE_VERSION"
"${NICE[@]}" go get "k8s.io/kubernetes/cmd/kube-controller-manager@$KUBE_VERSION" \
  || die "go get k8s.io/kubernetes/cmd/kube-controller-manager@$KUBE_VERSION failed (see above)"
BUILD_DATE="$(date -u +'%Y-%m-%dT%H:%M:%SZ')"
KLD="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  KLD+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$KUBE_MINOR"
  KLD+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$BUILD_DATE"
done
log "go build kube-controller-manager (the slow part)"
"${NICE[@]}" go build -ldflags "$KLD" -o out/kube-controller-manager "k8s.io/kubernetes/cmd/kube-controller-manager" \
  || die "go build k8s.io/kubernetes/cmd/kube-controller-manager@$KUBE_VERSION failed (see above)"
chmod 0755 out/kube-controller-manager
out/kube-controller-manager --version >&2 || die "built kube-controller-manager does not run"
mv -f out/kube-controller-manager "$BIN/kube-controller-manager"
printf '%s\n' "$KUBE_VERSION" > "$STAMP"
log "done in $((SECONDS - T0)) s; $BIN/kube-controller-manager"
