#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite on PostgreSQL (README: Tests on PostgreSQL).
#   tests/pg_cluster.sh start [DIR]   initdb into DIR (default /tmp/packdesk-pg) and start it on
#                                     127.0.0.1:54329; prints `export PACKDESK_TEST_PG=…` for eval
#   tests/pg_cluster.sh stop [DIR]
# Debian's server binaries (apt-get install postgresql); as root the cluster runs as `postgres`.
set -euo pipefail
action=${1:?start or stop}
dir=${2:-/tmp/packdesk-pg}
port=${PACKDESK_PG_PORT:-54329}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "no PostgreSQL server installed (apt-get install postgresql)" >&2; exit 1; }
as_owner() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}
case "$action" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bin/initdb -D '$dir/data' -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync" >"$dir/initdb.log"
    fi
    if as_owner "$bin/pg_ctl -D '$dir/data' status" >/dev/null 2>&1; then
      # Running already: on this port, or the address printed below would lead nowhere.
      running=$(sed -n 4p "$dir/data/postmaster.pid")
      [ "$running" = "$port" ] || { echo "the cluster in $dir runs on port $running, not $port" >&2; exit 1; }
    else
      # fsync off: a test cluster loses nothing that matters in a crash, and runs far faster.
      as_owner "$bin/pg_ctl -D '$dir/data' -l '$dir/server.log' -w -o \"-p $port -k '$dir' \
        -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
        -c max_connections=300\" start" >/dev/null
    fi
    echo "export PACKDESK_TEST_PG=postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_owner "$bin/pg_ctl -D '$dir/data' -m fast stop" >/dev/null
    ;;
  *) echo "start or stop" >&2; exit 2 ;;
esac
