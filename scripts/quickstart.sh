#!/usr/bin/env bash
# One entry point for the README's quick start and for CI.
#   bash scripts/quickstart.sh demo   install everything, then run the demo
#   bash scripts/quickstart.sh test   install everything, then run the whole test suite
# Needs only Node 20 and npm. pnpm is installed at a pinned version into .tools/
# (corepack cannot verify this registry's metadata, so it is not used).
set -euo pipefail

PNPM_VERSION=12.21.0
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# Native addons are compiled by node-gyp against Debian's Node headers instead of downloading them.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi

tools="$root/.tools"
if [ "$("$tools/node_modules/.bin/pnpm" --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "Installing pnpm $PNPM_VERSION into .tools/ ..."
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error "pnpm@$PNPM_VERSION" >/dev/null
fi
export PATH="$tools/node_modules/.bin:$PATH"

pnpm install --frozen-lockfile --reporter=append-only

case "${1:-}" in
  demo) shift; exec pnpm run demo "$@" ;;
  test) shift; bash "$root/scripts/install-test-deps.sh"; bash "$root/scripts/install-bench-deps.sh"
    SKYSTACK_PG_URL=$(bash "$root/scripts/postgres.sh" start); export SKYSTACK_PG_URL
    exec bash "$root/scripts/test-all.sh" "$@" ;;
  *) echo "usage: bash scripts/quickstart.sh demo|test" >&2; exit 2 ;;
esac
