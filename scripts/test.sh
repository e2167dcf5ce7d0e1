#!/usr/bin/env bash
# `make test`: the same set-up as `make dev`, then typecheck, lint and every test suite (unit,
# integration against the real Postgres and Kafka, end-to-end with the apps as processes).
# Ends with a line "N passed, N failed"; exits non-zero on any failure.
LOG_TAG=test
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
start=$SECONDS

bash scripts/bootstrap.sh
bash scripts/stripe-mock.sh install   # Stripe's official mock, for the contract test
bash scripts/chromium.sh install      # Debian's chromium, for the console's browser test
started_infra=0
if [ -z "${DATABASE_URL:-}${KAFKA_BROKERS:-}" ] && ! bash scripts/infra.sh status >/dev/null 2>&1; then started_infra=1; fi
cleanup() {
  # Leave the machine as we found it: stop what this run started (CI always starts fresh).
  if [ "$started_infra" = 1 ] && [ "${KEEP_INFRA:-}" != 1 ]; then bash scripts/infra.sh down >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
bash scripts/infra.sh up >/dev/null
set -a; source "$LOCAL/infra.env"; set +a

log "build"
pnpm build --output-logs=errors-only
log "typecheck"
pnpm typecheck
log "lint"
pnpm lint

log "jest (unit, integration, e2e)"
results="$LOCAL/jest-results.json"
rm -f "$results"
export CS_TEST_RUN="r$$"   # names this run's databases, topics, ports and kept logs
jest_rc=0
jest --ci --json --outputFile="$results" --testTimeout=60000 "$@" || jest_rc=$?
log "no secrets in the logs of the end-to-end run"
leaks=0
node scripts/check-log-secrets.js "$LOCAL/e2e-logs/$CS_TEST_RUN" || { leaks=1; jest_rc=1; }
rm -rf "$LOCAL/e2e-logs/$CS_TEST_RUN"

summary="$(node -e '
  const r = require(process.argv[1]);
  const skipped = r.numPendingTests + r.numTodoTests;
  const failed = r.numFailedTests + r.numRuntimeErrorTestSuites + Number(process.argv[2]);
  console.log(`${r.numPassedTests + (process.argv[2] === "0" ? 1 : 0)} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$results" "$leaks" 2>/dev/null || echo "0 passed, 1 failed")"
log "done in $((SECONDS - start)) s"
echo "$summary"
exit "$jest_rc"
