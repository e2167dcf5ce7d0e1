#!/usr/bin/env bash
# `pnpm turbo dev`'s first task (//#dev:setup, once the packages it needs are built): what `make
# dev` does before it starts the processes — the local Postgres + Kafka (unless DATABASE_URL /
# KAFKA_BROKERS are set), the migrations, the emulators' settings and ports — so that every
# package's dev task starts against a ready stack. The infra this run starts stops once turbo has
# exited, after all its tasks, by a process of its own (turbo gives a task 10 s to stop; Kafka may
# need 30); KEEP_INFRA=1 keeps it running. Infra that was already running is left as it was.
LOG_TAG=dev
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
[ "$(node -v)" = "v$NODE_VERSION" ] || die "the pinned Node.js $NODE_VERSION is not installed: run make dev (or make bootstrap) once"

# The turbo process this task runs under: the infra it starts lives as long as that.
turbo_pid() {
  local pid=$PPID
  while [ "${pid:-0}" -gt 1 ]; do
    [ "$(ps -o comm= -p "$pid")" = turbo ] && { echo "$pid"; return; }
    pid="$(ps -o ppid= -p "$pid" | tr -d ' ')"
  done
}

stopper="$LOCAL/dev-infra-stop.pid"
while [ -f "$stopper" ] && kill -0 "$(cat "$stopper")" 2>/dev/null; do log "waiting for the last run's Postgres and Kafka to stop"; sleep 1; done
if [ -z "${DATABASE_URL:-}${KAFKA_BROKERS:-}" ] && ! bash scripts/infra.sh status >/dev/null 2>&1 && [ "${KEEP_INFRA:-}" != 1 ]; then
  turbo="$(turbo_pid)"
  if [ -n "$turbo" ]; then
    mkdir -p "$LOCAL/logs"
    setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 0.5; done; bash scripts/infra.sh down; rm -f "$2"' _ "$turbo" "$stopper" \
      >>"$LOCAL/logs/dev-infra-stop.log" 2>&1 </dev/null &
    echo $! > "$stopper"
    log "starting the local Postgres and Kafka: they stop after this run (KEEP_INFRA=1 keeps them)"
  fi
fi
bash scripts/infra.sh up >/dev/null
set -a; source "$LOCAL/infra.env"; set +a
bash scripts/migrate.sh
node scripts/dev-stack.js prepare
