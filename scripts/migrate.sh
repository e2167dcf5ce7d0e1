#!/usr/bin/env bash
# Applies the migrations to DATABASE_URL, or to the local database started by infra.sh.
LOG_TAG=migrate
source "$(dirname "$0")/lib.sh"
if [ -z "${DATABASE_URL:-}" ] && [ -f "$LOCAL/infra.env" ]; then set -a; source "$LOCAL/infra.env"; set +a; fi
[ -n "${DATABASE_URL:-}" ] || die "DATABASE_URL is not set and the local infra is not up (make infra-up)"
export DATABASE_URL
node "$ROOT/packages/domain/dist/cli/migrate.js" up
