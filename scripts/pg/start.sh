#!/usr/bin/env bash
# Starts a throwaway PostgreSQL on 127.0.0.1 for Custody's tests and local use, from Debian's packages.
# Prints the store URL on stdout (use: export CUSTODY_PG_URL=$(scripts/pg/start.sh)).
# Installs postgresql with apt-get when no server binaries are found (needs root).
# Environment: CUSTODY_PG_DIR (data directory, default /tmp/custody-pg), CUSTODY_PG_PORT (default 55432).
set -euo pipefail
DIR="${CUSTODY_PG_DIR:-/tmp/custody-pg}"
PORT="${CUSTODY_PG_PORT:-55432}"
DB=custody_test

find_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] && { echo "$d"; return 0; }
  done
  return 1
}

BIN="$(find_bin || true)"
if [[ -z "$BIN" ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "pg: no PostgreSQL server found under /usr/lib/postgresql; install Debian's postgresql package" >&2
    exit 1
  fi
  echo "pg: installing postgresql from Debian's packages" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
  BIN="$(find_bin)"
fi

# initdb refuses to run as root: run the server as the postgres user the package created.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [[ -f "$DIR/PG_VERSION" ]] && as_owner "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
  : # already running
else
  if [[ ! -f "$DIR/PG_VERSION" ]]; then
    rm -rf "$DIR"
    mkdir -p "$DIR"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$DIR"
    chmod 700 "$DIR"
    as_owner "$BIN/initdb" -D "$DIR" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$DIR.initdb.log" 2>&1 \
      || { cat "$DIR.initdb.log" >&2; exit 1; }
    cat >>"$DIR/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
max_connections = 200
CONF
    # loopback only, no password: a test database that is thrown away
    printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$DIR/pg_hba.conf"
  fi
  as_owner "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 start >/dev/null \
    || { tail -30 "$DIR/server.log" >&2; exit 1; }
fi

if ! as_owner "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  as_owner "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc "CREATE DATABASE $DB" >&2
fi
echo "postgresql://postgres@127.0.0.1:$PORT/$DB"
