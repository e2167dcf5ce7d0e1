#!/usr/bin/env bash
# Stripe's official stripe-mock (github.com/stripe/stripe-mock): a stateless imitation of the
# Stripe API, backed by fixtures, that validates every request's parameters against Stripe's
# OpenAPI spec. Built with `go install` into .cache/go (module cache, build cache and binary all
# stay in the repo's ignored cache). Used by the Stripe contract test
# (packages/integrations/src/stripe/stripe-mock.int.test.ts), which starts its own instance.
# Usage: stripe-mock.sh install|start|stop|status|path
#   start: runs it in the background on 127.0.0.1:$STRIPE_MOCK_PORT (12120; 12111 is the dev emulator) for manual poking.
LOG_TAG=stripe-mock
source "$(dirname "$0")/lib.sh"
STRIPE_MOCK_VERSION="v0.197.0"
GO_DIR="$CACHE/go"
BIN="$GO_DIR/bin/stripe-mock"
STAMP="$GO_DIR/bin/.stripe-mock-version"   # so that bumping STRIPE_MOCK_VERSION rebuilds
PORT="${STRIPE_MOCK_PORT:-12120}"
RUN_DIR="$LOCAL/stripe-mock"
PIDFILE="$RUN_DIR/stripe-mock.pid"

install() {
  if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$STRIPE_MOCK_VERSION" ]; then
    echo "stripe-mock $STRIPE_MOCK_VERSION already installed at $BIN"
    return 0
  fi
  command -v go >/dev/null || die "Go (1.22+) is required to install stripe-mock: https://go.dev/dl/ (or put go on PATH)"
  mkdir -p "$GO_DIR/bin" "$GO_DIR/path" "$GO_DIR/mod" "$GO_DIR/build"
  local start=$SECONDS out
  out="$(GOBIN="$GO_DIR/bin" GOPATH="$GO_DIR/path" GOMODCACHE="$GO_DIR/mod" GOCACHE="$GO_DIR/build" \
    GOFLAGS="-mod=mod -modcacherw" go install "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION" 2>&1)" \
    || { printf '%s\n' "$out" >&2; die "go install github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION failed"; }
  [ -x "$BIN" ] || die "go install succeeded but $BIN is missing"
  echo "$STRIPE_MOCK_VERSION" > "$STAMP"
  echo "stripe-mock $STRIPE_MOCK_VERSION installed at $BIN in $((SECONDS - start)) s"
}

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

start() {
  install >/dev/null
  if running; then
    log "already running on http://127.0.0.1:$PORT (pid $(cat "$PIDFILE"))"
    return 0
  fi
  port_open 127.0.0.1 "$PORT" && die "port $PORT is taken by another process; set STRIPE_MOCK_PORT"
  mkdir -p "$RUN_DIR"
  # -https-addr explicitly: with -http-addr alone, stripe-mock also opens HTTPS on [::]:12112.
  setsid nohup "$BIN" -http-addr "127.0.0.1:$PORT" -https-addr 127.0.0.1:0 >>"$RUN_DIR/stripe-mock.log" 2>&1 < /dev/null &
  echo $! > "$PIDFILE"
  wait_for_port 127.0.0.1 "$PORT" 30 || { tail -20 "$RUN_DIR/stripe-mock.log" >&2; die "stripe-mock did not open port $PORT"; }
  log "running on http://127.0.0.1:$PORT (pid $(cat "$PIDFILE")); STRIPE_API_BASE=http://127.0.0.1:$PORT"
}

stop() {
  running || { rm -f "$PIDFILE"; return 0; }
  local pid; pid="$(cat "$PIDFILE")"
  log "stopping (pid $pid)"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
}

status() {
  if running; then echo "running on http://127.0.0.1:$PORT (pid $(cat "$PIDFILE"))"; else echo "not running"; return 1; fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  path) echo "$BIN" ;;
  *) die "usage: $0 install|start|stop|status|path" ;;
esac
