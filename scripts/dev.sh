#!/usr/bin/env bash
# `make dev`: installs what is missing, starts Postgres + Kafka (unless DATABASE_URL /
# KAFKA_BROKERS are set), migrates, builds, and runs the four apps (and, without a Stripe key,
# the Stripe emulator; with SYNC_SYSTEMS holding salesforce and no org, the Salesforce emulator)
# with prefixed logs. Ctrl-C stops everything this run started.
LOG_TAG=dev
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

bash scripts/bootstrap.sh
started_infra=0
if [ -z "${DATABASE_URL:-}${KAFKA_BROKERS:-}" ] && ! bash scripts/infra.sh status >/dev/null 2>&1; then started_infra=1; fi
cleanup() { if [ "$started_infra" = 1 ]; then bash scripts/infra.sh down || true; fi; }
trap cleanup EXIT
bash scripts/infra.sh up >/dev/null
set -a; source "$LOCAL/infra.env"; set +a

log "build"
pnpm build --output-logs=errors-only
bash scripts/migrate.sh

export NODE_ENV="${NODE_ENV:-development}" LOG_PRETTY="${LOG_PRETTY:-true}" KAFKAJS_NO_PARTITIONER_WARNING=1
WEBHOOK_PORT="${WEBHOOK_PORT:-8001}"
emulator=()
: > "$LOCAL/dev.env" # what this run's emulators use, for a shell or the CLI: `set -a; source .local/dev.env`
if [ -z "${STRIPE_SECRET_KEY:-}" ] && [ -z "${STRIPE_API_BASE:-}" ]; then
  # No Stripe account given: run against the emulator, with a test key and webhook secret of our own.
  export STRIPE_API_BASE="http://127.0.0.1:${EMULATOR_PORT:-12111}" STRIPE_SECRET_KEY="sk_test_local_dev_key" STRIPE_WEBHOOK_SECRET="${STRIPE_WEBHOOK_SECRET:-whsec_local_dev_secret}"
  port_open 127.0.0.1 "${EMULATOR_PORT:-12111}" && die "port ${EMULATOR_PORT:-12111} is taken; stop it or set EMULATOR_PORT"
  emulator=("{\"name\":\"stripe-emulator\",\"cmd\":\"node\",\"args\":[\"tools/stripe-emulator/dist/cli.js\",\"--port\",\"${EMULATOR_PORT:-12111}\",\"--webhook-url\",\"http://127.0.0.1:$WEBHOOK_PORT/api/v1/webhooks/stripe\",\"--webhook-secret\",\"$STRIPE_WEBHOOK_SECRET\"]},")
  log "no STRIPE_SECRET_KEY: using the Stripe emulator at $STRIPE_API_BASE"
  printf 'STRIPE_API_BASE=%s\nSTRIPE_SECRET_KEY=%s\nSTRIPE_WEBHOOK_SECRET=%s\n' "$STRIPE_API_BASE" "$STRIPE_SECRET_KEY" "$STRIPE_WEBHOOK_SECRET" >> "$LOCAL/dev.env"
else
  [ -n "${STRIPE_SECRET_KEY:-}" ] || die "STRIPE_API_BASE is set but STRIPE_SECRET_KEY is not"
  [ -n "${STRIPE_WEBHOOK_SECRET:-}" ] || die "STRIPE_WEBHOOK_SECRET is required with a real Stripe key (see README: stripe listen)"
fi

if [[ ",${SYNC_SYSTEMS:-stripe}," == *",salesforce,"* ]] && [ -z "${SALESFORCE_LOGIN_URL:-}" ]; then
  # Salesforce enabled with no org given: the Salesforce emulator (REST + OAuth, and CDC over the Pub/Sub API).
  export SALESFORCE_LOGIN_URL="http://127.0.0.1:12120" SALESFORCE_PUBSUB_URL="127.0.0.1:12121" SALESFORCE_CLIENT_ID="local-dev-client" SALESFORCE_CLIENT_SECRET="local-dev-secret"
  port_open 127.0.0.1 12120 && die "port 12120 is taken; stop it or set SALESFORCE_LOGIN_URL to an org"
  emulator+=("{\"name\":\"salesforce-emulator\",\"cmd\":\"node\",\"args\":[\"tools/salesforce-emulator/dist/cli.js\",\"--port\",\"12120\",\"--grpc-port\",\"12121\",\"--client-id\",\"$SALESFORCE_CLIENT_ID\",\"--client-secret\",\"$SALESFORCE_CLIENT_SECRET\"]},")
  log "SYNC_SYSTEMS has salesforce and no SALESFORCE_LOGIN_URL: using the Salesforce emulator at $SALESFORCE_LOGIN_URL"
  printf 'SALESFORCE_LOGIN_URL=%s\nSALESFORCE_PUBSUB_URL=%s\nSALESFORCE_CLIENT_ID=%s\nSALESFORCE_CLIENT_SECRET=%s\n' "$SALESFORCE_LOGIN_URL" "$SALESFORCE_PUBSUB_URL" "$SALESFORCE_CLIENT_ID" "$SALESFORCE_CLIENT_SECRET" >> "$LOCAL/dev.env"
fi

spec="$LOCAL/dev-processes.json"
cat > "$spec" <<JSON
[
  ${emulator[*]}
  {"name":"api","cmd":"node","args":["--enable-source-maps","apps/api/dist/index.js"]},
  {"name":"webhook-gateway","cmd":"node","args":["--enable-source-maps","apps/webhook-gateway/dist/index.js"]},
  {"name":"outbound-worker","cmd":"node","args":["--enable-source-maps","--max-old-space-size=96","--max-semi-space-size=16","apps/outbound-worker/dist/index.js"]},
  {"name":"inbound-worker","cmd":"node","args":["--enable-source-maps","apps/inbound-worker/dist/index.js"]}
]
JSON
log "API http://127.0.0.1:${API_PORT:-8000}  webhooks http://127.0.0.1:$WEBHOOK_PORT  health :8002 (outbound) :8003 (inbound) — Ctrl-C stops all"
node scripts/dev-runner.js "$spec"
