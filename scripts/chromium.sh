#!/usr/bin/env bash
# Debian's chromium, for the headless-browser test of the sync console (e2e/console.e2e.test.ts,
# driven by playwright-core). We use the system package rather than Playwright's own browser
# download: it comes from the same apt mirror as everything else and needs no internet access.
# Usage: chromium.sh install|path
#   install: idempotent; installs only when /usr/bin/chromium is missing; prints one line.
LOG_TAG=chromium
source "$(dirname "$0")/lib.sh"
BIN=/usr/bin/chromium

version() { "$BIN" --version 2>/dev/null | head -n1 || echo chromium; }

install() {
  if [ -x "$BIN" ]; then
    echo "$(version) already installed at $BIN"
    return 0
  fi
  command -v apt-get >/dev/null || die "apt-get not found: install chromium yourself so that $BIN exists"
  local start=$SECONDS out
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine may have empty package lists: update once, only if the first try fails.
  if ! out="$(as_root apt-get install -y -q chromium 2>&1)"; then
    out="$(as_root apt-get update -q 2>&1 && as_root apt-get install -y -q chromium 2>&1)" \
      || { printf '%s\n' "$out" >&2; die "apt-get install chromium failed"; }
  fi
  [ -x "$BIN" ] || { printf '%s\n' "$out" >&2; die "apt-get install chromium succeeded but $BIN is missing"; }
  echo "$(version) installed at $BIN in $((SECONDS - start)) s"
}

case "${1:-}" in
  install) install ;;
  path) echo "$BIN" ;;
  *) die "usage: $0 install|path" ;;
esac
