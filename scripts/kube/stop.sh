#!/usr/bin/env bash
# Stop the control plane started by scripts/kube/start.sh DIR.
#   scripts/kube/stop.sh DIR
# Sends SIGTERM to kube-apiserver, waits for it (up to 15 s, then SIGKILL),
# then the same for etcd. Only pids recorded in DIR/pids whose command line
# still mentions DIR are signalled. Leaves DIR's files in place.
set -euo pipefail

log() { printf '[custody/kube/stop] %s\n' "$*" >&2; }

[[ $# -eq 1 && -n "$1" ]] || { log "usage: $0 DIR"; exit 2; }
[[ -d "$1" ]] || { log "no such dir $1; nothing to stop"; exit 0; }
DIR="$(cd "$1" && pwd)"

PIDS=()
for f in "$DIR/pids" "$DIR/pids.tmp"; do
  [[ -f "$f" ]] || continue
  while read -r name pid; do
    [[ "${pid:-}" =~ ^[0-9]+$ ]] || continue
    if [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF "$DIR/"; then
      PIDS+=("$pid")
      log "stopping $name (pid $pid)"
    else
      log "$name (pid $pid) not running"
    fi
  done < <(tac "$f")   # reverse order: kube-apiserver before etcd
done

# alive = exists and is not a zombie (an exited child whose parent, e.g. a
# job runner that became its reaper, has not waited for it yet)
alive() { local st; st="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 1; [[ -n "$st" && "$st" != Z ]]; }

# one at a time: kube-apiserver needs etcd to shut down cleanly (~1 s);
# with etcd gone first it hangs in its shutdown hooks.
for p in ${PIDS[@]+"${PIDS[@]}"}; do
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 75); do alive "$p" || break; sleep 0.2; done
  if alive "$p"; then log "pid $p ignored SIGTERM for 15 s; SIGKILL"; kill -KILL "$p" 2>/dev/null || true; fi
done
rm -f "$DIR/pids" "$DIR/pids.tmp"
log "stopped"
