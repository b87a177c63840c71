#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (the registry's server backend).
#   bash scripts/postgres.sh start   install Debian's postgresql if needed, start the cluster
#                                    (idempotent), print its URL on stdout
#   bash scripts/postgres.sh url     print the URL (whether or not it is running)
#   bash scripts/postgres.sh stop    stop the cluster and remove its directory
# The cluster runs as the `postgres` user (initdb refuses root) in a private directory
# (/tmp/skystack-pg-$UID), listens on 127.0.0.1:$SKYSTACK_PG_PORT (default 55432) and on a unix
# socket in that directory, trusts local connections and runs with fsync=off: test data only.
# Tests read the URL from SKYSTACK_PG_URL, e.g.
#   export SKYSTACK_PG_URL=$(bash scripts/postgres.sh start)
set -euo pipefail
# runuser, pg_ctl's helpers and apt's tools live in the sbin directories, which a minimal
# PATH (CI, env -i) lacks.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

port=${SKYSTACK_PG_PORT:-55432}
dir=${SKYSTACK_PG_DIR:-/tmp/skystack-pg-$(id -u)}
url="postgresql://postgres@127.0.0.1:$port/postgres"

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "postgres.sh: need root (or sudo) to run PostgreSQL as the postgres user" >&2; exit 1
  fi
fi

bindir() {
  local initdb
  initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$initdb" ] && dirname "$initdb"
}

as_postgres() {
  if [ -n "$sudo" ]; then sudo -u postgres -- "$@"; else runuser -u postgres -- "$@"; fi
}

running() {
  local bin=$1
  [ -f "$dir/data/postmaster.pid" ] && as_postgres "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

case "${1:-}" in
  url)
    echo "$url"
    ;;
  start)
    bin=$(bindir || true)
    if [ -z "$bin" ]; then
      echo "Installing PostgreSQL from Debian (postgresql) ..." >&2
      export DEBIAN_FRONTEND=noninteractive
      $sudo apt-get update -qq >&2
      $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
      bin=$(bindir)
    fi
    if running "$bin"; then echo "$url"; exit 0; fi
    $sudo install -d -m 0700 -o postgres -g postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_postgres "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null ||
      { tail -n 20 "$dir/log" >&2 || true; exit 1; }
    echo "$url"
    ;;
  stop)
    bin=$(bindir || true)
    if [ -n "$bin" ] && running "$bin"; then
      as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
    $sudo rm -rf "$dir"
    ;;
  *)
    echo "usage: bash scripts/postgres.sh start|stop|url" >&2; exit 2
    ;;
esac
