#!/usr/bin/env bash
# The whole test suite: type-check, lint and build every package, build the API docs
# (warnings and undocumented exports fail it), smoke-run every benchmark once, then run all
# tests (including the pack-and-install test of @skystack/geom). Exits non-zero on any failure.
# Run it through `bash scripts/quickstart.sh test`, which installs what it needs first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

echo "== typecheck, lint, build =="
pnpm exec nx run-many -t typecheck lint build --outputStyle=static
echo "== API docs =="
pnpm run docs
pnpm run docs:tasks --check
echo "== benchmarks (smoke: each case once) =="
pnpm run bench --smoke
echo "== tests =="
pnpm exec vitest run
