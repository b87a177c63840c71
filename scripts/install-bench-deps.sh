#!/usr/bin/env bash
# Installs the peer tools that the side-by-side benchmarks in tools/bench/src/peers compare
# SkyStack with, from Debian's packages:
#   source-extractor   SExtractor 2.25 (binary `source-extractor`): detection + aperture photometry
#   python3-sep        SEP 1.2, SExtractor's algorithms as a Python library (for /usr/bin/python3)
#   swarp              SWarp 2.41 (binary `SWarp`): resampling and coaddition
#   python3-reproject  astropy's reproject 0.10 (for /usr/bin/python3)
# plus python3-astropy and python3-numpy, which the SEP and reproject runners import.
# Idempotent: does nothing when everything is present. Needs root (or sudo) and apt-get.
#   bash scripts/install-bench-deps.sh
set -euo pipefail

missing=()
command -v source-extractor >/dev/null 2>&1 || missing+=(source-extractor)
command -v SWarp >/dev/null 2>&1 || missing+=(swarp)
/usr/bin/python3 -c 'import numpy, astropy.io.fits' >/dev/null 2>&1 || missing+=(python3-numpy python3-astropy)
/usr/bin/python3 -c 'import sep' >/dev/null 2>&1 || missing+=(python3-sep)
/usr/bin/python3 -c 'import reproject' >/dev/null 2>&1 || missing+=(python3-reproject)
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "install-bench-deps: need root to apt-get install ${missing[*]}" >&2; exit 1
  fi
fi
echo "Installing benchmark peer tools from Debian: ${missing[*]} ..."
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# Check that each tool now runs.
source-extractor -v >/dev/null
command -v SWarp >/dev/null
/usr/bin/python3 -c 'import sep, reproject, numpy, astropy.io.fits'
echo "install-bench-deps: source-extractor, SWarp, sep and reproject are available."
