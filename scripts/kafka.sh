#!/usr/bin/env bash
# One Apache Kafka broker in KRaft combined mode on 127.0.0.1:$CS_KAFKA_PORT (9092), without
# Docker: Maven resolves kafka_2.13 and its runtime dependencies into .cache/kafka/<version>/libs,
# the broker's data lives in .local/kafka. Usage: kafka.sh up|down|status|fetch
LOG_TAG=kafka
source "$(dirname "$0")/lib.sh"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/infra/kafka/pom.xml")"
LIBS="$CACHE/kafka/$KAFKA_VERSION/libs"
KHOME="${CS_KAFKA_HOME:-$LOCAL/kafka}"
PIDFILE="$KHOME/kafka.pid"

fetch() {
  [ -f "$LIBS/.complete" ] && return 0
  command -v java >/dev/null || die "Java 17+ is required to run Kafka"
  command -v mvn >/dev/null || die "Maven is required to fetch the Kafka jars"
  log "resolving Apache Kafka $KAFKA_VERSION with Maven into .cache/kafka"
  rm -rf "$LIBS"; mkdir -p "$CACHE/kafka"
  mvn -q -B -f "$ROOT/infra/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS" >"$CACHE/kafka/mvn.log" 2>&1 \
    || { tail -30 "$CACHE/kafka/mvn.log" >&2; die "Maven could not resolve Kafka $KAFKA_VERSION"; }
  touch "$LIBS/.complete"
}

# The broker's heap is what Kafka's own launcher gives it (bin/kafka-server-start.sh: 1 GiB, fixed).
# G1 sizes the young generation from the heap it has: starting at 256 MiB (growing to 768 MiB) it
# kept ~90 MB of eden and stopped the broker for a young collection about every 10,000 webhooks,
# 10-35 ms each on two busy cores, which every produce request in flight waited out. With 1 GiB
# from the start, eden is ~540 MB (both by hand: the GC log, jstat -gc; bench/webhook-peer.bench.ts
# reports the pauses of each round).
BROKER_HEAP=(-Xms1g -Xmx1g)
kjava() { java -Xms256m -Xmx768m -XX:+UseG1GC -Dlog4j2.configurationFile="$ROOT/infra/kafka/log4j2.properties" -cp "$LIBS/*" "$@"; }

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

up() {
  fetch
  if running; then
    log "already running on 127.0.0.1:$KAFKA_PORT (pid $(cat "$PIDFILE"))"
  else
    port_open 127.0.0.1 "$KAFKA_PORT" && die "port $KAFKA_PORT is taken by another process; set CS_KAFKA_PORT"
    mkdir -p "$KHOME/data"
    sed -e "s#@PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" -e "s#@DATA@#$KHOME/data#g" \
      "$ROOT/infra/kafka/server.properties.tmpl" > "$KHOME/server.properties"
    if [ ! -f "$KHOME/data/meta.properties" ]; then
      log "formatting the KRaft storage"
      kjava kafka.tools.StorageTool format -t "$(kjava kafka.tools.StorageTool random-uuid)" \
        -c "$KHOME/server.properties" >"$KHOME/format.log" 2>&1 || { cat "$KHOME/format.log" >&2; die "format failed"; }
    fi
    log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT"
    # setsid: the broker must outlive the shell that started it (make infra-up returns).
    setsid nohup java "${BROKER_HEAP[@]}" -XX:+UseG1GC -Dlog4j2.configurationFile="$ROOT/infra/kafka/log4j2.properties" \
      -cp "$LIBS/*" kafka.Kafka "$KHOME/server.properties" >>"$KHOME/kafka.log" 2>&1 < /dev/null &
    echo $! > "$PIDFILE"
    wait_for_port 127.0.0.1 "$KAFKA_PORT" 90 || { tail -30 "$KHOME/kafka.log" >&2; die "Kafka did not open its port"; }
  fi
  # Readiness is "topics exist and have leaders", checked through kafkajs itself; the topics are
  # those the apps will use (KAFKA_TOPIC_PREFIX's, when it is set).
  # KAFKA_TOPIC_PREFIXES set (even to "", unprefixed: a private test broker) wins over KAFKA_TOPIC_PREFIX.
  local prefixes=${KAFKA_TOPIC_PREFIXES-${KAFKA_TOPIC_PREFIX:-}}
  node "$ROOT/scripts/kafka-topics.js" "127.0.0.1:$KAFKA_PORT" ${prefixes:-""} \
    || { tail -30 "$KHOME/kafka.log" >&2; die "Kafka is not ready"; }
}

down() {
  running || { rm -f "$PIDFILE"; return 0; }
  local pid; pid="$(cat "$PIDFILE")"
  log "stopping (pid $pid)"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && { log "still running after 30 s: killing"; kill -9 "$pid" 2>/dev/null || true; }
  rm -f "$PIDFILE"
}

status() {
  if running; then echo "kafka: running on 127.0.0.1:$KAFKA_PORT (pid $(cat "$PIDFILE"), Kafka $KAFKA_VERSION)"
  else echo "kafka: stopped"; return 1; fi
}

case "${1:-}" in
  up) up ;; down) down ;; status) status ;; fetch) fetch ;;
  *) die "usage: kafka.sh up|down|status|fetch" ;;
esac
