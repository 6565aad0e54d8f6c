#!/usr/bin/env bash
# Runs a command with the clocks set to another moment: this process and its children through
# libfaketime, and a PostgreSQL server of its own, started for the run under the same clock, that
# the pg tests use (TEST_DATABASE_URL). The embedded database runs inside node, so it follows too.
#
#   tooling/at-time.sh '2027-01-31 23:00:00 UTC' npx vitest run     # in a package folder
#
# Clocks keep running from that moment: a suite started an hour before the month ends crosses
# into the next month while it runs. Every process gets the same offset from the real time, so
# the server and the tests agree. Needs Debian's faketime and postgresql.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: tooling/at-time.sh '<date>' <command> [args...]" >&2
  exit 2
fi
at="$1"
shift

libfaketime=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
if [ -z "$libfaketime" ]; then
  echo "at-time: libfaketime is missing: apt-get install faketime" >&2
  exit 2
fi
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$pgbin" ]; then
  echo "at-time: no PostgreSQL server binaries under /usr/lib/postgresql: apt-get install postgresql" >&2
  exit 2
fi

target=$(date -u -d "$at" +%s)
offset=$((target - $(date -u +%s)))
# libfaketime's relative form: "+Ns" or "-Ns", the same shift for every process.
if [ "$offset" -ge 0 ]; then clock="+${offset}s"; else clock="${offset}s"; fi

scratch=$(mktemp -d /tmp/aclue-at-time-XXXXXX)
chmod 755 "$scratch"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# PostgreSQL refuses to run as root: as root (CI), the server runs as the postgres user.
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$scratch"
  as_postgres() { runuser -u postgres -- env LD_PRELOAD="$libfaketime" FAKETIME="$clock" "$@"; }
else
  as_postgres() { env LD_PRELOAD="$libfaketime" FAKETIME="$clock" "$@"; }
fi

stop() {
  as_postgres "$pgbin/pg_ctl" -D "$scratch/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap stop EXIT

as_postgres "$pgbin/initdb" -D "$scratch/data" -A trust -U postgres --no-sync >/dev/null
as_postgres "$pgbin/pg_ctl" -D "$scratch/data" -l "$scratch/server.log" -w -o \
  "-p $port -k $scratch -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c max_locks_per_transaction=256" \
  start >/dev/null

echo "at-time: clocks at $(LD_PRELOAD="$libfaketime" FAKETIME="$clock" date -u '+%Y-%m-%d %H:%M:%S UTC'); PostgreSQL on port $port"
LD_PRELOAD="$libfaketime" FAKETIME="$clock" TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres" "$@"
