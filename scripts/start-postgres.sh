#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server (the newest installed; `.ci/run` installs Debian's 15, and Liftoff needs
# 15 or newer) on 127.0.0.1 for the tests and the cluster checks, and prints the URL to reach it. Idempotent: a server already running from the same folder is reused.
#
#   scripts/start-postgres.sh [FOLDER] [PORT]      (defaults: /tmp/liftoff-postgres, 55432)
#
# Debian's packaged cluster wants a password on 127.0.0.1; this one trusts loopback, which is what a test
# server on a build machine should do and what a production server must not.
set -euo pipefail
folder="${1:-/tmp/liftoff-postgres}"
port="${2:-55432}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -z "$bin" ]; then
  echo "start-postgres: no PostgreSQL server found (apt-get install postgresql)" >&2
  exit 1
fi
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
mkdir -p "$folder"
if [ "$(id -u)" = 0 ]; then chown postgres: "$folder"; fi
if [ ! -f "$folder/data/PG_VERSION" ]; then
  as_postgres "$bin/initdb" -D "$folder/data" -U postgres --auth=trust --no-sync > "$folder/initdb.log"
fi
if ! as_postgres "$bin/pg_ctl" -D "$folder/data" status > /dev/null 2>&1; then
  # fsync stays on: the durability checks run against this server too.
  as_postgres "$bin/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w \
    -o "-p $port -k $folder -c listen_addresses=127.0.0.1 -c max_connections=200" start > /dev/null
fi
echo "postgres://postgres@127.0.0.1:$port/postgres"
