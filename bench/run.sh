#!/usr/bin/env bash
# Compiles bench/ and runs one benchmark or all of them against the local Postgres and Kafka
# (`make infra-up` first). Each writes its own section of docs/benchmarks.md.
# Usage: bash bench/run.sh <api|outbox|all>
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.cache/tools/node_modules/.bin:$PWD/node_modules/.bin:$PATH"
OUT=.cache/bench-dist

case "${1:-all}" in
  api | outbox) names=("$1") ;;
  all) names=(api outbox) ;;
  *) echo "usage: bash bench/run.sh <api|outbox|all>" >&2; exit 2 ;;
esac

# We measure the built apps; build only when there is nothing to run.
if [ ! -f apps/api/dist/index.js ] || [ ! -f packages/domain/dist/cli/migrate.js ]; then pnpm build; fi
rm -rf "$OUT" # no stale output from a renamed script
tsc -p bench/tsconfig.json

status=0
for name in "${names[@]}"; do
  echo "== bench: $name (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  node "$OUT/$name.bench.js" || status=1
done
exit "$status"
