/**
 * The independent reference for the HealSparse tests: astropy + numpy decode our files by the
 * HealSparse file specification (docs/filespec.rst of LSSTDESC/healsparse), and build files
 * laid out by that specification for our reader; healpy answers the HEALPix questions.
 */
import { spawnSync } from 'node:child_process';
import { PYTHON, astropyAvailable, runPythonJson } from '@skystack/test-support';

/** Whether /usr/bin/python3 has healpy (and astropy). */
export function healpyAvailable(): boolean {
  if (!astropyAvailable()) return false;
  return spawnSync(PYTHON, ['-c', 'import healpy'], { stdio: 'ignore' }).status === 0;
}

/** What the spec-following decoder finds in a file. */
export interface Decoded {
  covHeader: Record<string, unknown>;
  sparseHeader: Record<string, unknown>;
  /** The raw header of the compressed table (ZCMPTYPE, ZTILE1, ...), or null when not compressed. */
  zHeader: Record<string, unknown> | null;
  nsideCoverage: number;
  nfinePerCov: number;
  /** The first block (the overflow block) is all sentinel / zero. */
  overflowIsSentinel: boolean;
  /** Valid pixels found by scanning the blocks, ascending. */
  validPixels: number[];
  /** Values (wide: lists of bytes) at the requested pixels, by the look-up index = pix + cov[pix >> shift]. */
  values: (number | number[])[];
}

const DECODE = String.raw`
import sys, json
import numpy as np
from astropy.io import fits
req = json.load(sys.stdin)
def plain(h):
    out = {}
    for k in h:
        if k in ('COMMENT', 'HISTORY', ''): continue
        v = h[k]
        out[k] = v if isinstance(v, (bool, int, float, str)) else str(v)
    return out
with fits.open(req['path']) as hl:
    cov = hl[0].data.astype(np.int64)
    covh = plain(hl[0].header)
    sh = plain(hl[1].header)
    zh = None
    if isinstance(hl[1], fits.CompImageHDU):
        zh = plain(hl[1]._header)
    sparse = np.asarray(hl[1].data).ravel()
nside_cov = int(round(np.sqrt(cov.size / 12)))
nside = sh['NSIDE']
shift = 2 * int(round(np.log2(nside / nside_cov)))
nfine = 2 ** shift
wide = bool(sh.get('WIDEMASK', False))
if wide:
    w = sh['WWIDTH']
    sparse = sparse.reshape((sparse.size // w, w))
    valid = np.any(sparse != 0, axis=1)
    overflow = bool(np.all(sparse[:nfine] == 0))
else:
    sentinel = sh.get('SENTINEL', -1.6375e30)
    valid = sparse != sparse.dtype.type(sentinel)
    overflow = bool(np.all(sparse[:nfine] == sparse.dtype.type(sentinel)))
offsets = cov + np.arange(cov.size, dtype=np.int64) * nfine
pix = []
for c in np.where(offsets >= nfine)[0]:
    start = offsets[c]
    sel = np.where(valid[start:start + nfine])[0]
    pix.extend((c * nfine + sel).tolist())
pix = sorted(int(p) for p in pix)
q = np.array(req['pixels'], dtype=np.int64)
idx = q + cov[q >> shift]
vals = sparse[idx]
values = [list(map(int, v)) for v in vals] if wide else [float(v) for v in vals]
print(json.dumps({'covHeader': covh, 'sparseHeader': sh, 'zHeader': zh, 'nsideCoverage': nside_cov,
                  'nfinePerCov': nfine, 'overflowIsSentinel': overflow, 'validPixels': pix, 'values': values}))
`;

/**
 * Decodes a HealSparse file with astropy and numpy following the file specification.
 *
 * @param path - the file
 * @param pixels - pixels whose values to look up
 * @returns what the file holds
 */
export function decodeWithAstropy(path: string, pixels: readonly number[]): Decoded {
  return runPythonJson<Decoded>(DECODE, [], { path, pixels });
}

/** A file built in Python by the specification, and its truth. */
export interface BuiltFile {
  /** Valid pixels, ascending. */
  pixels: number[];
  /** Their values (wide: byte lists). */
  values: (number | number[])[];
}

const BUILD = String.raw`
import sys, json
import numpy as np
from astropy.io import fits
req = json.load(sys.stdin)
rng = np.random.default_rng(req['seed'])
nside_cov, nside = req['nsideCoverage'], req['nsideSparse']
shift = 2 * int(round(np.log2(nside / nside_cov)))
nfine = 2 ** shift
ncov = 12 * nside_cov ** 2
kind = req['kind']
cov_pix = np.array(req['covPixels'], dtype=np.int64)
# Blocks in an arbitrary (reversed) order, as the spec allows.
order = cov_pix[::-1]
cov = -np.arange(ncov, dtype=np.int64) * nfine
for i, c in enumerate(order):
    cov[c] += (i + 1) * nfine
nblocks = len(order) + 1
if kind == 'wide':
    w = req['width']
    sparse = np.zeros((nblocks * nfine, w), dtype=np.uint8)
    sentinel = 0
elif kind == 'float32':
    sentinel = -1.6375e30
    sparse = np.full(nblocks * nfine, sentinel, dtype=np.float32)
else:
    sentinel = np.iinfo(np.int64).min
    sparse = np.full(nblocks * nfine, sentinel, dtype=np.int64)
pixels = []
for c in cov_pix:
    sel = rng.choice(nfine, size=min(nfine, 7), replace=False)
    pixels.extend((c * nfine + sel).tolist())
pixels = np.array(sorted(pixels), dtype=np.int64)
idx = pixels + cov[pixels >> shift]
if kind == 'wide':
    vals = rng.integers(1, 256, size=(pixels.size, w), dtype=np.uint8)
    sparse[idx, :] = vals
    values = [list(map(int, v)) for v in vals]
elif kind == 'float32':
    vals = rng.normal(size=pixels.size).astype(np.float32)
    sparse[idx] = vals
    values = [float(v) for v in vals]
else:
    vals = rng.integers(-2**40, 2**40, size=pixels.size, dtype=np.int64)
    sparse[idx] = vals
    values = [int(v) for v in vals]
c_hdr = fits.Header()
c_hdr['PIXTYPE'] = 'HEALSPARSE'
c_hdr['NSIDE'] = nside_cov
c_hdr['EXTNAME'] = 'COV'
c_hdr['TESTKEY'] = 'hello'
s_hdr = fits.Header()
s_hdr['TESTKEY'] = 'hello'
s_hdr['B0000CCD'] = 42
s_hdr['PIXTYPE'] = 'HEALSPARSE'
s_hdr['NSIDE'] = nside
s_hdr['SENTINEL'] = sentinel
s_hdr['EXTNAME'] = 'SPARSE'
hl = fits.HDUList([fits.PrimaryHDU(data=cov, header=c_hdr)])
if kind == 'int64':
    hl.append(fits.ImageHDU(data=sparse, header=s_hdr))
else:
    if kind == 'wide':
        s_hdr['WIDEMASK'] = True
        s_hdr['WWIDTH'] = w
        flat = sparse.ravel()
        tile = nfine * w
    else:
        flat = sparse
        tile = nfine
    s_hdr['RESHAPED'] = False
    hdu = fits.CompImageHDU(data=flat, header=s_hdr, compression_type='GZIP_2', tile_size=(tile,), quantize_level=0.0)
    hl.append(hdu)
hl.writeto(req['path'], overwrite=True)
print(json.dumps({'pixels': pixels.tolist(), 'values': values}))
`;

/**
 * Builds a HealSparse file with astropy exactly as the specification lays it out.
 *
 * @param req - where, which kind, nsides, covered coverage pixels, wide width, seed
 * @returns the valid pixels and their values
 */
export function buildWithAstropy(req: {
  path: string;
  kind: 'wide' | 'float32' | 'int64';
  nsideCoverage: number;
  nsideSparse: number;
  covPixels: number[];
  width?: number;
  seed: number;
}): BuiltFile {
  return runPythonJson<BuiltFile>(BUILD, [], req);
}

/**
 * healpy's answers: `ang2pix(nest=True, lonlat=True)` of points, `query_polygon(nest=True,
 * inclusive=False)` of a polygon.
 *
 * @param req - nside, points, polygon vertices in degrees
 * @returns pixel lists
 */
export function healpyReference(req: { nside: number; ra: number[]; dec: number[]; polyRa: number[]; polyDec: number[] }): {
  ang2pix: number[];
  polygon: number[];
} {
  return runPythonJson(
    String.raw`
import sys, json
import numpy as np, healpy as hp
r = json.load(sys.stdin)
a = hp.ang2pix(r['nside'], np.array(r['ra']), np.array(r['dec']), nest=True, lonlat=True)
v = hp.ang2vec(np.array(r['polyRa']), np.array(r['polyDec']), lonlat=True)
p = hp.query_polygon(r['nside'], v, inclusive=False, nest=True)
print(json.dumps({'ang2pix': [int(x) for x in a], 'polygon': sorted(int(x) for x in p)}))
`,
    [],
    req,
  );
}
