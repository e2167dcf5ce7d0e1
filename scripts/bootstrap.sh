#!/usr/bin/env bash
# Installs what the repo needs to build: pnpm at a pinned version (into .cache/tools, not the
# system), then the workspace dependencies from the lockfile. Safe to run any number of times.
LOG_TAG=bootstrap
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

command -v node >/dev/null || die "Node.js 20 is required (node not found)"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || die "Node.js >= 20 is required, found $(node -v)"

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  log "installing pnpm $PNPM_VERSION into .cache/tools"
  mkdir -p "$CACHE/tools"
  [ -f "$CACHE/tools/package.json" ] || echo '{"private":true}' > "$CACHE/tools/package.json"
  npm install --prefix "$CACHE/tools" --no-audit --no-fund --loglevel=error -E "pnpm@$PNPM_VERSION" >/dev/null
fi

# The stamp skips a no-op install on warm runs; pnpm itself would also be quick.
stamp="$ROOT/node_modules/.cs-install-stamp"
manifest_hash() { cat pnpm-lock.yaml package.json pnpm-workspace.yaml */*/package.json migrations/package.json 2>/dev/null | sha1sum | cut -d' ' -f1; }
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$(manifest_hash)" ]; then
  log "installing workspace dependencies"
  if [ "${CI:-}" = "true" ]; then pnpm install --frozen-lockfile --reporter=append-only; else pnpm install --reporter=append-only; fi
  manifest_hash > "$stamp"
fi
