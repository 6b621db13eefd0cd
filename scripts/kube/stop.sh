#!/usr/bin/env bash
# Stop the control plane started by scripts/kube/start.sh DIR.
#   scripts/kube/stop.sh DIR
# Sends SIGTERM to kube-apiserver then etcd (only to the pids recorded in
# DIR/pids, and only if their command line still mentions DIR), waits up to
# 15 s, then SIGKILLs what is left. Leaves DIR's files in place.
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

if [[ ${#PIDS[@]} -gt 0 ]]; then
  kill -TERM "${PIDS[@]}" 2>/dev/null || true
  for _ in $(seq 1 75); do
    alive=()
    for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive+=("$p"); done
    [[ ${#alive[@]} -eq 0 ]] && break
    sleep 0.2
  done
  for p in "${PIDS[@]}"; do
    if kill -0 "$p" 2>/dev/null; then log "pid $p ignored SIGTERM; SIGKILL"; kill -KILL "$p" 2>/dev/null || true; fi
  done
fi
rm -f "$DIR/pids" "$DIR/pids.tmp"
log "stopped"
