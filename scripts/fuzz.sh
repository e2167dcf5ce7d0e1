#!/usr/bin/env bash
# API fuzzing with Schemathesis (docs/fuzzing.md): generates requests from the API's own OpenAPI
# document (GET /api/v1/openapi.json) and fails on any 5xx or any response the document does not
# describe (status code, content type, body schema). Runs against an API that is already running.
#
# Usage: scripts/fuzz.sh [--examples N] [--base-url URL] [--api-key KEY] [--seed N] [--install-only] [-- ST_RUN_OPTIONS...]
#   --examples N   test cases per operation in the fuzzing phase, and stateful scenarios (default $FUZZ_EXAMPLES or 25)
#   --base-url URL the API (default $FUZZ_BASE_URL or http://127.0.0.1:$API_PORT, i.e. make dev's API)
#   --api-key KEY  sent as `Authorization: Bearer KEY` (default $FUZZ_API_KEY; none for an open API)
#   --seed N       Hypothesis seed (default $FUZZ_SEED or 42): the same seed, versions and data give the same run
#   --install-only only make sure schemathesis is installed
#   -- ...         anything after `--` goes to `st run` as is (e.g. -- --phases fuzzing --report har)
#
# Schemathesis lives in a venv of its own, .cache/venv-schemathesis, installed from
# scripts/fuzz/requirements.txt (every package pinned) the first time and whenever that file
# changes; otherwise this prints one line and goes on. Exit code: schemathesis's (0 = no failure).
LOG_TAG=fuzz
source "$(dirname "$0")/lib.sh"

VENV="$CACHE/venv-schemathesis"
REQUIREMENTS="$ROOT/scripts/fuzz/requirements.txt"
CONFIG="$ROOT/scripts/fuzz/schemathesis.toml"
STAMP="$VENV/.requirements.sha256"   # the requirements the venv was made from
ST="$VENV/bin/st"
VERSION="$(sed -n 's/^schemathesis==//p' "$REQUIREMENTS")"
# The checks that matter here (names as `st run --help` lists them in 4.x):
#   not_a_server_error           no 5xx, ever
#   status_code_conformance      the status code is one the operation documents
#   content_type_conformance     the Content-Type is one documented for that status
#   response_schema_conformance  the body validates against the documented JSON Schema
CHECKS="not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"

examples="${FUZZ_EXAMPLES:-25}"
base_url="${FUZZ_BASE_URL:-http://127.0.0.1:${API_PORT:-8000}}"
api_key="${FUZZ_API_KEY:-}"
seed="${FUZZ_SEED:-42}"
install_only=0
extra=()
usage() { die "usage: $0 [--examples N] [--base-url URL] [--api-key KEY] [--seed N] [--install-only] [-- ST_RUN_OPTIONS...]"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --examples) [ $# -ge 2 ] || usage; examples="$2"; shift 2 ;;
    --base-url) [ $# -ge 2 ] || usage; base_url="$2"; shift 2 ;;
    --api-key) [ $# -ge 2 ] || usage; api_key="$2"; shift 2 ;;
    --seed) [ $# -ge 2 ] || usage; seed="$2"; shift 2 ;;
    --install-only) install_only=1; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,/^LOG_TAG/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) usage ;;
  esac
done
[[ "$examples" =~ ^[1-9][0-9]*$ ]] || die "--examples must be a positive integer, got '$examples'"
[[ "$seed" =~ ^[0-9]+$ ]] || die "--seed must be a non-negative integer, got '$seed'"
base_url="${base_url%/}"

python_ok() { command -v python3 >/dev/null && python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }

install() {
  local want start=$SECONDS out
  want="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
  if [ -x "$ST" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ] && "$VENV/bin/python" -c '' 2>/dev/null; then
    echo "schemathesis $VERSION already installed in .cache/venv-schemathesis"
    return 0
  fi
  # schemathesis 4.x needs Python 3.11+; Debian 12's python3 is 3.11. The venv module
  # (ensurepip) is a package of its own there: install both when missing, as chromium.sh does.
  if ! python_ok || ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    command -v apt-get >/dev/null || die "Python 3.11+ with the venv module is required (python3 -m venv)"
    export DEBIAN_FRONTEND=noninteractive
    if ! out="$(as_root apt-get install -y -q python3 python3-venv 2>&1)"; then
      out="$(as_root apt-get update -q 2>&1 && as_root apt-get install -y -q python3 python3-venv 2>&1)" \
        || { printf '%s\n' "$out" >&2; die "apt-get install python3 python3-venv failed"; }
    fi
    python_ok || die "schemathesis $VERSION needs Python 3.11+; python3 is $(python3 --version 2>&1)"
  fi
  # From scratch every time the pins change: no package of an older set is left behind.
  rm -rf "$VENV"
  out="$(python3 -m venv "$VENV" 2>&1)" || { printf '%s\n' "$out" >&2; die "python3 -m venv $VENV failed"; }
  out="$("$VENV/bin/pip" install --disable-pip-version-check --no-input -q -r "$REQUIREMENTS" 2>&1)" \
    || { printf '%s\n' "$out" >&2; rm -rf "$VENV"; die "pip install -r scripts/fuzz/requirements.txt failed"; }
  [ -x "$ST" ] || die "pip install succeeded but $ST is missing"
  echo "$want" > "$STAMP"
  echo "schemathesis $VERSION installed in .cache/venv-schemathesis in $((SECONDS - start)) s ($(python3 --version))"
}

# One install at a time (two runs started together must not build the same venv).
exec 9>"$CACHE/venv-schemathesis.lock"
flock 9
install
exec 9>&-
[ "$install_only" = 1 ] && exit 0

# Schemathesis and Hypothesis keep files in the working directory (.hypothesis/, reports):
# run from an ignored folder of ours, and keep Hypothesis's own cache in .cache.
mkdir -p "$LOCAL/fuzz"
cd "$LOCAL/fuzz"
export HYPOTHESIS_STORAGE_DIRECTORY="$CACHE/hypothesis"
args=(
  --config-file "$CONFIG"
  run "$base_url/api/v1/openapi.json"
  --checks "$CHECKS"
  --max-examples "$examples"
  --seed "$seed"
  # One worker: requests in a fixed order (the seed then reproduces the run); 4.32.5 also
  # crashed in its coverage phase with two (a KeyError inside schemathesis, not an API failure).
  --workers 1
  # No example database: a run must not replay what earlier runs found (the seed is enough).
  --generation-database none
  --request-timeout 10
  --wait-for-schema 30
)
[ -n "$api_key" ] && args+=(-H "Authorization: Bearer $api_key")
[ -t 1 ] || args+=(--no-color)
log "schemathesis $VERSION against $base_url: $examples examples per operation, seed $seed${api_key:+, with an API key}"
exec "$ST" "${args[@]}" "${extra[@]}"
