#!/usr/bin/env bash
# Installs what the test suite needs besides npm packages, from Debian's packages:
#   python3-astropy  the independent FITS reader/writer that interoperability tests compare against
#                    (Debian's, importable by /usr/bin/python3, whatever python3 is first on PATH)
#   fitsverify       the HEASARC FITS validator that checks files we write
#   python3-healpy   the reference HEALPix implementation that the HEALPix pixelization and the
#                    HealSparse maps are checked against
# Idempotent: does nothing when all are present. Needs root (or sudo) and apt-get.
set -euo pipefail

missing=()
/usr/bin/python3 -c 'import astropy.io.fits' >/dev/null 2>&1 || missing+=(python3-astropy)
command -v fitsverify >/dev/null 2>&1 || missing+=(fitsverify)
/usr/bin/python3 -c 'import healpy' >/dev/null 2>&1 || missing+=(python3-healpy)
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "install-test-deps: need root to apt-get install ${missing[*]}" >&2; exit 1
  fi
fi
echo "Installing test dependencies from Debian: ${missing[*]} ..."
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
/usr/bin/python3 -c 'import astropy.io.fits' 
command -v fitsverify >/dev/null
/usr/bin/python3 -c 'import healpy'
