#!/usr/bin/env bash
# `make dev`: installs what is missing, starts Postgres + Kafka (unless DATABASE_URL /
# KAFKA_BROKERS are set), migrates, builds, and runs the four apps (and, without a Stripe key,
# the Stripe emulator; with SYNC_SYSTEMS holding salesforce and no org, the Salesforce emulator)
# with prefixed logs. Ctrl-C stops everything this run started (KEEP_INFRA=1 keeps Postgres and Kafka).
LOG_TAG=dev
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

bash scripts/bootstrap.sh
started_infra=0
if [ -z "${DATABASE_URL:-}${KAFKA_BROKERS:-}" ] && ! bash scripts/infra.sh status >/dev/null 2>&1; then started_infra=1; fi
cleanup() { if [ "$started_infra" = 1 ] && [ "${KEEP_INFRA:-}" != 1 ]; then bash scripts/infra.sh down || true; fi; }
trap cleanup EXIT
bash scripts/infra.sh up >/dev/null
set -a; source "$LOCAL/infra.env"; set +a

log "build"
pnpm build --output-logs=errors-only
bash scripts/migrate.sh

# The processes and their settings (the dev defaults, the emulators) come from scripts/dev-stack.js,
# which `pnpm turbo dev` reads as well.
spec="$LOCAL/dev-processes.json"
node scripts/dev-stack.js prepare "$spec"
node scripts/dev-runner.js "$spec"
