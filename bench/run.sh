#!/usr/bin/env bash
# Compiles bench/ and runs one benchmark or all of them against the local Postgres and Kafka
# (`make infra-up` first). Each writes its own section of docs/benchmarks.md.
# Usage: bash bench/run.sh [all | <name>... | profile [<name>...] | compare <revision> [label]]
#   (a name is bench/<name>.bench.ts)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.cache/tools/node_modules/.bin:$PWD/node_modules/.bin:$PATH"
OUT=.cache/bench-dist
# The order of `all`: cheapest first, so a broken stack shows early. (backfill also measures reconcile.)
ALL=(api outbox outbound salesforce webhook webhook-peer backfill invoices retention)

# `compare <revision> [label]`: the summary next to the one committed at that revision (bench/compare.ts).
if [ "${1:-}" = compare ]; then
  [ -n "${2:-}" ] || { echo "usage: bench/run.sh compare <git revision> [label]" >&2; exit 2; }
  rm -rf "$OUT"; tsc -p bench/tsconfig.json
  exec node "$OUT/compare.js" "${@:2}"
fi
# `profile [name...]`: the benchmarks (default: the webhook path beside the peer, and the API) with every
# app under `node --cpu-prof`; their figures are not recorded; the top of each profile goes to docs/benchmarks.md.
PROFILE_DIR=
if [ "${1:-}" = profile ]; then
  PROFILE_DIR="$PWD/.cache/bench-profiles"
  shift
  [ "$#" -gt 0 ] || set -- webhook-peer api
fi
if [ "$#" -eq 0 ] || [ "$1" = all ]; then names=("${ALL[@]}"); else names=("$@"); fi
for name in "${names[@]}"; do
  [ -f "bench/$name.bench.ts" ] || { echo "no benchmark bench/$name.bench.ts (known: ${ALL[*]})" >&2; exit 2; }
done

# Two benchmarks at once would measure each other: every run holds one machine-wide lock.
mkdir -p .cache
exec 9>/tmp/customer-sync-bench.lock
if ! flock -n 9; then
  echo "== another benchmark is running; waiting for it to finish" >&2
  flock 9
fi

# We measure the built apps; build only when there is nothing to run.
if [ ! -f apps/api/dist/index.js ] || [ ! -f packages/domain/dist/cli/migrate.js ]; then pnpm build; fi
rm -rf "$OUT" # no stale output from a renamed script
tsc -p bench/tsconfig.json

# Each benchmark bounds itself; the timeout is the backstop that keeps `make bench` under 15 minutes.
PER_BENCH_TIMEOUT=${BENCH_TIMEOUT_S:-300}
started=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
t0=$SECONDS
status=0
runs=()
for name in "${names[@]}"; do
  echo "== bench: $name (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  code=0
  # retention builds 10 million rows and upgrades them before it measures: it gets twice the time.
  limit=$PER_BENCH_TIMEOUT; [ "$name" = retention ] && limit=$((PER_BENCH_TIMEOUT * 2))
  if [ -n "$PROFILE_DIR" ]; then
    rm -rf "${PROFILE_DIR:?}/$name"
    BENCH_CPU_PROF="$PROFILE_DIR/$name" timeout --kill-after=20 "$limit" node "$OUT/$name.bench.js" || code=$?
  else
    timeout --kill-after=20 "$limit" node "$OUT/$name.bench.js" || code=$?
  fi
  [ "$code" -eq 124 ] && echo "== bench: $name timed out after ${limit} s" >&2
  [ "$code" -eq 0 ] || status=1
  runs+=("$name:$code")
done
if [ -n "$PROFILE_DIR" ]; then
  node "$OUT/profiles.js" "$started" "$PROFILE_DIR" "${names[@]}"
  exit "$status"
fi
# The summary table at the top of docs/benchmarks.md, when the whole set ran.
if [ "${#names[@]}" -eq "${#ALL[@]}" ]; then node "$OUT/summary.js" "$started" "$((SECONDS - t0))" "${runs[@]}"; fi
exit "$status"
