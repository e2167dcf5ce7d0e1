#!/usr/bin/env bash
# Every package's `dev` script (`pnpm turbo dev`): scripts/dev-watch.js in the package's folder, on
# the pinned Node.js (turbo starts tasks with the caller's PATH, which may not have it).
source "$(dirname "$0")/lib.sh"
exec node "$ROOT/scripts/dev-watch.js"
