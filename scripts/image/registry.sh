#!/usr/bin/env bash
# A throw-away OCI registry on the loopback interface, for pushing and checking the Custody image.
#
#   registry.sh start DIR [PORT]   start it with its storage, config, log and pid file in DIR; PORT defaults
#                                  to a free one. Prints 127.0.0.1:PORT on stdout once /v2/ answers.
#   registry.sh stop DIR           stop the registry started with that DIR (by the pid it recorded).
#
# It is Debian's docker-registry (the CNCF distribution registry, which speaks the OCI distribution API),
# installed with apt-get when missing. Where Debian has none, crane's registry is built from its Go module
# (github.com/google/go-containerregistry/cmd/crane, version pinned below) into ${CUSTODY_CACHE}/bin.
# CUSTODY_REGISTRY_IMPL=crane forces the second. Plain HTTP, no auth: loopback only.
set -euo pipefail

CACHE="${CUSTODY_CACHE:-$HOME/.cache/custody}"
CRANE_VERSION="${CUSTODY_CRANE_VERSION:-v0.22.1}"
log() { printf '[custody/image/registry] %s\n' "$*" >&2; }
die() { printf '[custody/image/registry] ERROR: %s\n' "$*" >&2; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

ensure_docker_registry() {
  command -v docker-registry >/dev/null 2>&1 && return 0
  [[ "$(id -u)" == 0 ]] || return 1
  log "installing Debian's docker-registry"
  apt-get update -qq >&2 || return 1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry >&2 || return 1
  # The package enables a service on :5000 where an init system runs; this script never uses it.
  command -v docker-registry >/dev/null 2>&1
}

ensure_crane() {
  local bin="$CACHE/bin"
  if [[ -x "$bin/crane" && "$(cat "$bin/CRANE_VERSION" 2>/dev/null)" == "$CRANE_VERSION" ]]; then
    echo "$bin/crane"; return 0
  fi
  command -v go >/dev/null 2>&1 || die "neither docker-registry nor go is available"
  log "building crane $CRANE_VERSION from its Go module"
  mkdir -p "$bin"
  GOTOOLCHAIN=local CGO_ENABLED=0 GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build-cache" GOFLAGS="-modcacherw -trimpath" \
    GOBIN="$bin" nice -n 10 go install -ldflags='-s -w' "github.com/google/go-containerregistry/cmd/crane@$CRANE_VERSION" >&2 \
    || die "go install crane failed"
  echo "$CRANE_VERSION" > "$bin/CRANE_VERSION"
  echo "$bin/crane"
}

start() {
  local dir="$1" port="${2:-}"
  mkdir -p "$dir/storage"
  dir="$(cd "$dir" && pwd)"
  if [[ -f "$dir/registry.pid" ]] && kill -0 "$(cat "$dir/registry.pid")" 2>/dev/null; then
    die "a registry is already running for $dir (pid $(cat "$dir/registry.pid")); stop it first"
  fi
  [[ -n "$port" ]] || port="$(free_port)"
  local impl="${CUSTODY_REGISTRY_IMPL:-auto}"
  if [[ "$impl" != crane ]] && ensure_docker_registry; then
    cat > "$dir/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
EOF
    # setsid: the registry must not die with the caller's terminal, only through stop.
    setsid docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 < /dev/null &
    echo $! > "$dir/registry.pid"
    echo docker-registry > "$dir/registry.impl"
  else
    [[ "$impl" == crane ]] || log "Debian's docker-registry is not usable here; falling back to crane"
    local crane; crane="$(ensure_crane)"
    setsid "$crane" registry serve --address "127.0.0.1:$port" --disk "$dir/storage" >"$dir/registry.log" 2>&1 < /dev/null &
    echo $! > "$dir/registry.pid"
    echo crane > "$dir/registry.impl"
  fi
  echo "127.0.0.1:$port" > "$dir/registry.addr"

  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/v2/" 2>/dev/null; then
      log "$(cat "$dir/registry.impl") listening on 127.0.0.1:$port (pid $(cat "$dir/registry.pid"), storage $dir/storage)"
      echo "127.0.0.1:$port"
      return 0
    fi
    kill -0 "$(cat "$dir/registry.pid")" 2>/dev/null || { cat "$dir/registry.log" >&2; die "the registry exited"; }
    sleep 0.1
  done
  cat "$dir/registry.log" >&2
  stop "$dir"
  die "the registry did not answer on 127.0.0.1:$port/v2/ within 10 s"
}

stop() {
  local dir="$1" pid
  [[ -f "$dir/registry.pid" ]] || { log "nothing to stop in $dir"; return 0; }
  pid="$(cat "$dir/registry.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    log "stopped pid $pid"
  fi
  rm -f "$dir/registry.pid"
}

case "${1:-}" in
  start) [[ $# -ge 2 ]] || die "usage: registry.sh start DIR [PORT]"; start "$2" "${3:-}" ;;
  stop)  [[ $# -ge 2 ]] || die "usage: registry.sh stop DIR"; stop "$2" ;;
  *) die "usage: registry.sh start DIR [PORT] | stop DIR" ;;
esac
