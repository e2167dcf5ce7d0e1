#!/usr/bin/env bash
# Installs what the repo needs to build: Node.js and pnpm at pinned versions (into .cache/tools,
# not the system), then the workspace dependencies from the lockfile; and, when the machine has
# no pnpm at all, the pinned pnpm globally, so that the README's `pnpm …` commands work in any
# terminal. Safe to run any number of times.
LOG_TAG=bootstrap
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# The pinned Node.js, from the npm registry (the package node-linux-<arch> carries the official
# binary), into .cache/tools. Bootstrapping needs some node + npm on the machine, nothing newer.
if [ "$("$NODE_BIN/node" -v 2>/dev/null || true)" != "v$NODE_VERSION" ]; then
  command -v npm >/dev/null || die "npm is required to install Node.js $NODE_VERSION (npm not found)"
  log "installing Node.js $NODE_VERSION ($NODE_PKG) into .cache/tools"
  mkdir -p "$CACHE/tools"
  [ -f "$CACHE/tools/package.json" ] || echo '{"private":true}' > "$CACHE/tools/package.json"
  npm install --prefix "$CACHE/tools" --no-audit --no-fund --loglevel=error -E "$NODE_PKG@$NODE_VERSION" >/dev/null
  [ "$("$NODE_BIN/node" -v 2>/dev/null || true)" = "v$NODE_VERSION" ] || die "Node.js $NODE_VERSION did not install into $NODE_BIN"
fi
[ "$(command -v node)" = "$NODE_BIN/node" ] || die "PATH does not start with $NODE_BIN (source scripts/lib.sh)"

if [ "$("$CACHE/tools/node_modules/.bin/pnpm" --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  log "installing pnpm $PNPM_VERSION into .cache/tools"
  mkdir -p "$CACHE/tools"
  [ -f "$CACHE/tools/package.json" ] || echo '{"private":true}' > "$CACHE/tools/package.json"
  npm install --prefix "$CACHE/tools" --no-audit --no-fund --loglevel=error -E "pnpm@$PNPM_VERSION" >/dev/null
fi

# The README's operator commands (`pnpm sync …`) run in a new terminal, whose PATH knows nothing
# of .cache/tools: when no pnpm is on the system PATH, put the pinned one there. (scripts/sync.sh,
# which `pnpm sync` runs, switches to the pinned Node itself, whatever Node runs pnpm.)
if ! PATH="$SYSTEM_PATH" command -v pnpm >/dev/null 2>&1; then
  log "no pnpm on the PATH: installing pnpm $PNPM_VERSION globally (npm install -g), for the README's pnpm commands"
  as_root env PATH="$SYSTEM_PATH" npm install -g --no-audit --no-fund --loglevel=error -E "pnpm@$PNPM_VERSION" >/dev/null \
    || log "could not install pnpm globally: run the operator CLI as bash scripts/sync.sh <command> instead"
fi

# The stamp skips a no-op install on warm runs; pnpm itself would also be quick.
stamp="$ROOT/node_modules/.cs-install-stamp"
manifest_hash() { cat pnpm-lock.yaml package.json pnpm-workspace.yaml */*/package.json migrations/package.json 2>/dev/null | sha1sum | cut -d' ' -f1; }
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$(manifest_hash)" ]; then
  log "installing workspace dependencies"
  if [ "${CI:-}" = "true" ]; then pnpm install --frozen-lockfile --reporter=append-only; else pnpm install --reporter=append-only; fi
  manifest_hash > "$stamp"
fi
