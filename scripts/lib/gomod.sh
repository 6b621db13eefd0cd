# shellcheck shell=bash
# Building a third-party Go command as a consumer of its module, offline except for the Go module proxy.
# Sourced by scripts/tools/build-*.sh, which set log, die, CACHE, BIN and JOBS first.
#
#   gomod_env WHAT
#
# checks for go, sets GOVER and NICE, and exports the shared Go environment: local toolchain only, no cgo,
# module and build caches under $CACHE/go (shared with scripts/kube/build.sh), -trimpath.
gomod_env() {
  command -v go >/dev/null 2>&1 || die "'go' not found on PATH (needed to build $1)"
  GOVER="$(go env GOVERSION)"
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
}
#
#   gomod_consume NAME MODULE VERSION CMD_PACKAGE
#
# in the current (empty) directory: writes a consumer go.mod, downloads MODULE@VERSION, refuses a Go older
# than the module's 'go' directive, mirrors the module's replace directives (a consumer does not inherit
# them; a local-path replace cannot be mirrored), and runs 'go get CMD_PACKAGE@VERSION'. Sets GOMOD_SRC (the
# module's source directory), GOMOD_FILE (its go.mod) and GOMOD_INFO (the proxy's .info file, with the
# tag's commit time).
gomod_consume() {
  local name="$1" mod="$2" version="$3" cmd="$4" json err want
  printf 'module custody.local/%sbuild\n' "$name" > go.mod
  log "resolving $mod@$version"
  if ! json="$("${NICE[@]}" go mod download -json "$mod@$version" 2>&1)"; then
    err="$(sed -n 's/^[[:space:]]*"Error": //p' <<<"$json" | head -1)"
    die "could not download $mod@$version from the Go module proxy: ${err:-$(tail -n 3 <<<"$json" | tr '\n' ' ')}"
  fi
  # shellcheck disable=SC2034 # GOMOD_FILE, GOMOD_SRC and GOMOD_INFO are this function's results
  GOMOD_FILE="$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p' <<<"$json")"
  GOMOD_SRC="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$json")"
  # shellcheck disable=SC2034
  GOMOD_INFO="$(sed -n 's/^[[:space:]]*"Info": "\(.*\)",$/\1/p' <<<"$json")"
  [[ -f "$GOMOD_FILE" && -d "$GOMOD_SRC" ]] || die "no go.mod/source for $mod@$version (go mod download said: $json)"

  # the module's go.mod declares the Go it needs; refuse older toolchains clearly
  want="$(sed -n 's/^go[[:space:]]\{1,\}\([0-9][0-9.]*\)[[:space:]]*$/\1/p' "$GOMOD_FILE" | head -1)"
  [[ -n "$want" ]] || die "no 'go' directive in $GOMOD_FILE"
  if ! printf '%s\n' "go$want" "$GOVER" | sort -V -C; then
    die "Go $GOVER is too old; $name $version declares 'go $want' (GOTOOLCHAIN=local: no toolchain download)"
  fi
  local edits=(-go="$want" -require="$mod@$version") r f w side lhs
  local -a replaces old new
  mapfile -t replaces < <(awk '
    /^replace[[:space:]]*\(/ { blk = 1; next }
    blk && /^\)/             { blk = 0; next }
    blk                      { sub(/\/\/.*/, ""); if ($0 ~ /=>/) print; next }
    /^replace[[:space:]]/    { sub(/\/\/.*/, ""); sub(/^replace[[:space:]]+/, ""); print }
  ' "$GOMOD_FILE")
  for r in "${replaces[@]}"; do
    read -r -a f <<<"${r/=>/ => }"
    old=() new=(); side=old
    for w in "${f[@]}"; do
      if [[ "$w" == "=>" ]]; then side=new; elif [[ $side == old ]]; then old+=("$w"); else new+=("$w"); fi
    done
    [[ ${#old[@]} -ge 1 && ${#new[@]} -ge 1 ]] || die "cannot parse replace directive '$r' in $GOMOD_FILE"
    case "${new[0]}" in
      ./*|../*|/*) die "$name $version's go.mod replaces ${old[0]} with local path ${new[0]}; a module consumer cannot mirror that" ;;
    esac
    [[ ${#new[@]} -eq 2 ]] || die "cannot parse replace directive '$r' in $GOMOD_FILE"
    lhs="${old[0]}${old[1]:+@${old[1]}}"
    edits+=(-replace="$lhs=${new[0]}@${new[1]}")
    log "mirroring $name's replace: $lhs => ${new[0]}@${new[1]}"
  done
  go mod edit "${edits[@]}" || die "go mod edit failed in $PWD"
  log "go get $cmd@$version (downloads dependencies)"
  "${NICE[@]}" go get "$cmd@$version" || die "go get $cmd@$version failed (see above)"
}
#
#   gomod_commit_time
#
# after gomod_consume: prints the consumed tag's commit time from the proxy's .info file (RFC 3339, UTC,
# whole seconds), which releases stamp as their build date; prints nothing when the .info file has none.
gomod_commit_time() {
  [[ -f "${GOMOD_INFO:-}" ]] || return 0
  sed -n 's/.*"Time":"\([0-9T:-]*\)\(\.[0-9]*\)\{0,1\}Z".*/\1Z/p' "$GOMOD_INFO"
}
