#!/usr/bin/env bash
# `pnpm sync <command>`: the operator CLI, with the local infra and dev Stripe settings filled in
# when the environment does not set them (so it works next to `make dev` with no setup).
source "$(dirname "$0")/lib.sh"
if [ -z "${DATABASE_URL:-}" ] && [ -f "$LOCAL/infra.env" ]; then set -a; source "$LOCAL/infra.env"; set +a; fi
if [ -z "${STRIPE_SECRET_KEY:-}" ] && [ -f "$LOCAL/dev.env" ]; then set -a; source "$LOCAL/dev.env"; set +a; fi
[ -f "$ROOT/apps/sync-cli/dist/index.js" ] || die "not built yet: run make build (or make dev)"
exec node "$ROOT/apps/sync-cli/dist/index.js" "$@"
