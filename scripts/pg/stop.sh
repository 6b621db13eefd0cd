#!/usr/bin/env bash
# Stops the PostgreSQL that scripts/pg/start.sh started (the data directory stays for the next start).
set -euo pipefail
DIR="${CUSTODY_PG_DIR:-/tmp/custody-pg}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r | head -1)"
[[ -n "$BIN" && -f "$DIR/PG_VERSION" ]] || exit 0
if [[ $(id -u) -eq 0 ]]; then
  runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null 2>&1 || true
else
  "$BIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null 2>&1 || true
fi
