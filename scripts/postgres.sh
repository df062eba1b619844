#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for the tests and benchmarks, from Debian's
# `postgresql` package. PostgreSQL refuses to run as root, so as root the cluster belongs
# to the `postgres` user.
#
#   scripts/postgres.sh start   # prints the admin URL (postgres://parley@127.0.0.1:PORT/postgres)
#   scripts/postgres.sh stop    # stops it and removes its folder
#
# PARLEY_PG_DIR (default /tmp/parley-pg) and PARLEY_PG_PORT (default 55432) choose where.
set -euo pipefail

dir=${PARLEY_PG_DIR:-/tmp/parley-pg}
port=${PARLEY_PG_PORT:-55432}
bin=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
  echo "PostgreSQL is not installed: apt-get install postgresql (scripts/install-deps.sh does)" >&2
  exit 1
fi

as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  as_owner=(runuser -u postgres --)
fi

url="postgres://parley@127.0.0.1:$port/postgres"

case "${1:-}" in
  start)
    if [ -f "$dir/data/postmaster.pid" ] && "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      echo "$url"
      exit 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    [ ${#as_owner[@]} -eq 0 ] || chown postgres: "$dir"
    "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U parley --auth=trust -E UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      exit 1
    }
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c shared_buffers=128MB" \
      start >/dev/null || {
      cat "$dir/server.log" >&2
      exit 1
    }
    echo "$url"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
