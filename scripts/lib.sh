# Shared helpers for the project's shell scripts. Sourced, never run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache"   # downloaded things: pnpm, Kafka jars (ignored by git)
LOCAL="$ROOT/.local"   # runtime state: database files, broker data, logs (ignored by git)
PNPM_VERSION="12.4.2"
PG_PORT="${CS_PG_PORT:-54329}"
KAFKA_PORT="${CS_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${CS_KAFKA_CONTROLLER_PORT:-9093}"
mkdir -p "$CACHE" "$LOCAL"
export PATH="$CACHE/tools/node_modules/.bin:$ROOT/node_modules/.bin:$PATH"

log() { printf '\033[36m[%s]\033[0m %s\n' "${LOG_TAG:-setup}" "$*" >&2; }
die() { printf '\033[31m[%s] %s\033[0m\n' "${LOG_TAG:-setup}" "$*" >&2; exit 1; }

# Waits until a TCP port accepts connections, or fails after $3 seconds.
wait_for_port() {
  local host=$1 port=$2 timeout=${3:-60} start=$SECONDS
  until (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; do
    (( SECONDS - start >= timeout )) && return 1
    sleep 0.2
  done
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root for: $*"; fi; }
