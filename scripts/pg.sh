#!/usr/bin/env bash
# A private PostgreSQL cluster for development and tests: data in .local/pg, listening on
# 127.0.0.1:$CS_PG_PORT (54329, away from a system server's 5432). Uses the system's
# initdb/pg_ctl; installs PostgreSQL from Debian's packages when no server binary exists.
# Usage: pg.sh up|down|status|url
LOG_TAG=postgres
source "$(dirname "$0")/lib.sh"
PGHOME="${CS_PG_HOME:-$LOCAL/pg}"
# As root the server runs as "postgres"; if that user cannot reach this checkout (say, under
# /root), the cluster lives in a per-checkout folder under /var/tmp instead.
if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$(dirname "$PGHOME")" 2>/dev/null; then
  PGHOME="/var/tmp/customer-sync-$(echo "$PGHOME" | sha1sum | cut -c1-10)/pg"
fi
PGDATA="$PGHOME/data"
PGRUN="$PGHOME/run"
PGLOG="$PGHOME/postgres.log"
DB_NAME="${CS_DB_NAME:-customer_sync}"

find_bindir() {
  local d
  if command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then dirname "$(readlink -f "$(command -v pg_ctl)")"; return; fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
}

ensure_installed() {
  BIN="$(find_bindir || true)"
  if [ -z "$BIN" ]; then
    log "no PostgreSQL server found: installing it from the system packages"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
    BIN="$(find_bindir)" || die "PostgreSQL install did not provide pg_ctl"
  fi
}

# initdb refuses to run as root, so as root the cluster belongs to an unprivileged user.
RUN_AS=()
pick_user() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    RUN_AS=(runuser -u postgres --)
  fi
}

pgctl() { "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$PGDATA" "$@"; }

url() { echo "postgres://postgres@127.0.0.1:$PG_PORT/$DB_NAME"; }

up() {
  ensure_installed; pick_user
  mkdir -p "$PGHOME" "$PGRUN"
  [ "${#RUN_AS[@]}" -gt 0 ] && chown -R postgres "$PGHOME"
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    log "creating a cluster in $PGDATA"
    "${RUN_AS[@]}" "$BIN/initdb" -D "$PGDATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null \
      || "${RUN_AS[@]}" "$BIN/initdb" -D "$PGDATA" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
    cat >> "$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PGRUN'
max_connections = 300
shared_buffers = 256MB
CONF
  fi
  if pgctl status >/dev/null 2>&1; then
    log "already running on 127.0.0.1:$PG_PORT"
  else
    port_open 127.0.0.1 "$PG_PORT" && die "port $PG_PORT is taken by another process; set CS_PG_PORT"
    log "starting on 127.0.0.1:$PG_PORT"
    pgctl -l "$PGLOG" -w -t 60 start >/dev/null || { tail -20 "$PGLOG" >&2; die "PostgreSQL did not start"; }
  fi
  if ! "$BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc "select 1 from pg_database where datname='$DB_NAME'" | grep -q 1; then
    "$BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "create database $DB_NAME" >/dev/null
    log "created database $DB_NAME"
  fi
}

down() {
  [ -f "$PGDATA/PG_VERSION" ] || return 0
  ensure_installed; pick_user
  if pgctl status >/dev/null 2>&1; then log "stopping"; pgctl -m fast -w -t 30 stop >/dev/null; fi
}

status() {
  if [ -f "$PGDATA/PG_VERSION" ] && { ensure_installed; pick_user; pgctl status >/dev/null 2>&1; }; then
    echo "postgres: running on 127.0.0.1:$PG_PORT ($(url))"
  else
    echo "postgres: stopped"; return 1
  fi
}

case "${1:-}" in
  up) up ;; down) down ;; status) status ;; url) url ;;
  *) die "usage: pg.sh up|down|status|url" ;;
esac
