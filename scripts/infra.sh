#!/usr/bin/env bash
# The local Postgres + Kafka pair. If DATABASE_URL or KAFKA_BROKERS is already set, that server
# is used and none is started. `up` prints the env lines to use and writes them to
# .local/infra.env (which the other scripts source). Usage: infra.sh up|down|status
LOG_TAG=infra
source "$(dirname "$0")/lib.sh"
ENV_FILE="$LOCAL/infra.env"

up() {
  local db="${DATABASE_URL:-}" brokers="${KAFKA_BROKERS:-}"
  if [ -n "$db" ]; then log "DATABASE_URL is set: using it, starting no Postgres"; else bash "$ROOT/scripts/pg.sh" up; db="$(bash "$ROOT/scripts/pg.sh" url)"; fi
  if [ -n "$brokers" ]; then
    log "KAFKA_BROKERS is set: using it, starting no Kafka"
    # The topics the apps will use: those of KAFKA_TOPIC_PREFIX when it is set.
    # KAFKA_TOPIC_PREFIXES set (even to "", unprefixed) wins over KAFKA_TOPIC_PREFIX.
    local prefixes=${KAFKA_TOPIC_PREFIXES-${KAFKA_TOPIC_PREFIX:-}}
    node "$ROOT/scripts/kafka-topics.js" "$brokers" ${prefixes:-""}
  else
    bash "$ROOT/scripts/kafka.sh" up; brokers="127.0.0.1:$KAFKA_PORT"
  fi
  printf 'DATABASE_URL=%s\nKAFKA_BROKERS=%s\n' "$db" "$brokers" | tee "$ENV_FILE"
}

down() {
  bash "$ROOT/scripts/kafka.sh" down
  bash "$ROOT/scripts/pg.sh" down
  rm -f "$ENV_FILE"
}

status() {
  local rc=0
  bash "$ROOT/scripts/pg.sh" status || rc=1
  bash "$ROOT/scripts/kafka.sh" status || rc=1
  return $rc
}

case "${1:-}" in
  up) up ;; down) down ;; status) status ;;
  *) die "usage: infra.sh up|down|status" ;;
esac
