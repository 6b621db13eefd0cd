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
command -v go >/dev/null 2>&1 || die "'go' not found on PATH (needed to build helm $HELM_VERSION)"
GOVER="$(go env GOVERSION)"

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
log "building helm $HELM_VERSION with go $GOVER, GOFLAGS='$GOFLAGS', cache $CACHE"
T0=$SECONDS

HDIR="$CACHE/build/helm-$HELM_VERSION"
rm -rf "$HDIR"; mkdir -p "$HDIR/out"
cd "$HDIR"
printf 'module custody.local/helmbuild\n' > go.mod

# ---------------------------------------------------------------- resolve
log "resolving $MOD@$HELM_VERSION"
if ! HMOD_JSON="$("${NICE[@]}" go mod download -json "$MOD@$HELM_VERSION" 2>&1)"; then
  ERR="$(sed -n 's/^[[:space:]]*"Error": //p' <<<"$HMOD_JSON" | head -1)"
  die "could not download $MOD@$HELM_VERSION from the Go module proxy: ${ERR:-$(tail -n 3 <<<"$HMOD_JSON" | tr '\n' ' ')}"
fi
HGOMOD="$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p' <<<"$HMOD_JSON")"
HSRC="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$HMOD_JSON")"
[[ -f "$HGOMOD" && -d "$HSRC" ]] || die "no go.mod/source for $MOD@$HELM_VERSION (go mod download said: $HMOD_JSON)"

# helm's go.mod declares the Go it needs; refuse older toolchains clearly
HGO="$(sed -n 's/^go[[:space:]]\{1,\}\([0-9][0-9.]*\)[[:space:]]*$/\1/p' "$HGOMOD" | head -1)"
[[ -n "$HGO" ]] || die "no 'go' directive in $HGOMOD"
if ! printf '%s\n' "go$HGO" "$GOVER" | sort -V -C; then
  die "Go $GOVER is too old; helm $HELM_VERSION declares 'go $HGO' (GOTOOLCHAIN=local: no toolchain download)"
fi

EDITS=(-go="$HGO" -require="$MOD@$HELM_VERSION")

# replace directives in helm's go.mod are not inherited by a consumer: mirror
# module => module@version ones; a local-path one cannot be mirrored.
mapfile -t REPLACES < <(awk '
  /^replace[[:space:]]*\(/ { blk = 1; next }
  blk && /^\)/             { blk = 0; next }
  blk                      { sub(/\/\/.*/, ""); if ($0 ~ /=>/) print; next }
  /^replace[[:space:]]/    { sub(/\/\/.*/, ""); sub(/^replace[[:space:]]+/, ""); print }
' "$HGOMOD")
for r in "${REPLACES[@]}"; do
  read -r -a f <<<"${r/=>/ => }"
  old=() new=(); side=old
  for w in "${f[@]}"; do
    if [[ "$w" == "=>" ]]; then side=new; elif [[ $side == old ]]; then old+=("$w"); else new+=("$w"); fi
  done
  [[ ${#old[@]} -ge 1 && ${#new[@]} -ge 1 ]] || die "cannot parse replace directive '$r' in $HGOMOD"
  case "${new[0]}" in
    ./*|../*|/*) die "helm $HELM_VERSION's go.mod replaces ${old[0]} with local path ${new[0]}; a module consumer cannot mirror that" ;;
  esac
  [[ ${#new[@]} -eq 2 ]] || die "cannot parse replace directive '$r' in $HGOMOD"
  lhs="${old[0]}${old[1]:+@${old[1]}}"
  EDITS+=(-replace="$lhs=${new[0]}@${new[1]}")
  log "mirroring helm's replace: $lhs => ${new[0]}@${new[1]}"
done
go mod edit "${EDITS[@]}" || die "go mod edit failed in $HDIR"

log "go get $MOD/cmd/helm@$HELM_VERSION (downloads dependencies)"
"${NICE[@]}" go get "$MOD/cmd/helm@$HELM_VERSION" \
  || die "go get $MOD/cmd/helm@$HELM_VERSION failed (see above)"

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
