#!/usr/bin/env bash
# A new user's first steps with `butler`: make a repository, load daf_butler's registry test
# data (HSC RC2 dimension records and a small camera with two RUNs of calibrations), chain
# the runs, and run the queries of the Rubin tutorials. Run it from the repository root:
#   bash packages/daf-butler/examples/tutorial.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/../../.." && pwd)
fixtures=$(cd "${SKYSTACK_FIXTURES:-$here/../shared/fixtures}" && pwd)/daf_butler/python/lsst/daf/butler/tests/registry_data
butler() { (cd "$here" && node_modules/.bin/tsx --conditions=@skystack/source packages/daf-butler/src/cli/main.ts "$@"); }
repo=$(mktemp -d)/repo
trap 'rm -rf "$(dirname "$repo")"' EXIT

hide() { sed "s#$repo#REPO#g; s#$fixtures#FIXTURES#g"; }
show() { for a in "$@"; do if [[ $a =~ [[:space:]\'*] ]]; then printf ' "%s"' "$a"; else printf ' %s' "$a"; fi; done; }
run() { { printf '$ butler'; show "$@"; echo; } | hide; butler "$@" 2>&1 | hide; echo; }

run create "$repo"
for f in base.yaml datasets.yaml spatial.yaml hsc-rc2-subset-v0.yaml; do
  run import "$repo" "$fixtures" --export-file "$fixtures/$f" --without-datastore
done
run collection-chain "$repo" calib/all imported_g,imported_r
run query-collections "$repo" --chains=tree
run query-collections "$repo" --chains=table
run query-dataset-types "$repo" '*' -v
run query-data-ids "$repo" visit detector --where "instrument='HSC' and band='r' and detector in (1..2)"
run query-datasets "$repo" bias --collections calib/all --find-first
run query-dimension-records "$repo" detector --where "instrument='HSC'"
run query-data-ids "$repo" detector --where "instrument='Cam1'" --limit 2 --json
