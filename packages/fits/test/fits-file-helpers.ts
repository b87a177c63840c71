/**
 * Shared set-up of the FITS interoperability tests: where the LSST fixture files are, and the
 * independent references (astropy through Debian's /usr/bin/python3, and fitsverify). With
 * CI=true a missing reference is a failure; otherwise the tests that need it are skipped.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FitsPixelArray } from '../src/image-data.js';

const CI = process.env['CI'] === 'true';

/** The python that has python3-astropy (NOT the first python3 on PATH). */
export const PYTHON = '/usr/bin/python3';

/** The shared fixtures directory (SKYSTACK_FIXTURES, default ../shared/fixtures beside the repo). */
export const FIXTURES = process.env['SKYSTACK_FIXTURES'] ?? resolve(import.meta.dirname, '../../../../shared/fixtures');
/** The afw FITS fixtures. */
export const AFW = join(FIXTURES, 'afw');
/** Whether the afw fixtures are there. */
export const afwPresent = existsSync(AFW);
if (!afwPresent && CI) throw new Error(`The fixture directory ${AFW} is missing (set SKYSTACK_FIXTURES).`);

/** Whether astropy can be imported by /usr/bin/python3. */
export const astropyPresent =
  spawnSync(PYTHON, ['-c', 'import astropy.io.fits, numpy'], { stdio: 'ignore' }).status === 0;
if (!astropyPresent && CI) {
  throw new Error(`astropy is not importable by ${PYTHON}; run 'bash scripts/install-test-deps.sh'.`);
}

/** Whether fitsverify is on PATH. */
export const fitsverifyPresent = spawnSync('fitsverify', ['-h'], { stdio: 'ignore' }).error === undefined;
if (!fitsverifyPresent && CI) {
  throw new Error("fitsverify is not installed; run 'bash scripts/install-test-deps.sh' (Debian package fitsverify).");
}

/** Runs a Python script with /usr/bin/python3, JSON in on stdin, JSON out on stdout. */
export function runPython<T>(script: string, input: unknown): T {
  const r = spawnSync(PYTHON, ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  if (r.status !== 0) throw new Error(`python failed (status ${String(r.status)}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** What astropy says about one HDU (see DESCRIBE_SCRIPT). */
export interface AstropyHdu {
  cls: string;
  bitpix: number;
  naxis: number[];
  extname: string | null;
  exttype: string | null;
  zimage: boolean | null;
  /** astropy's verify_checksum()/verify_datasum(): 1 ok, 0 mismatch; null when the keyword is absent. */
  checksum: number | null;
  datasum: number | null;
  dtype?: string;
  shape?: number[];
  sha256?: string;
  sum?: number;
  nan?: number;
  /** [flat index, value]; integers as decimal strings, NaN as null. */
  samples?: [number, string | number | null][];
}

/**
 * Describes every HDU of the given files with astropy: structure, checksum verification, and
 * for image HDUs the numpy dtype, shape, the SHA-256 of the pixels as little-endian bytes,
 * the float64 sum and a few sampled pixels.
 */
export const DESCRIBE_SCRIPT = String.raw`
import sys, json, hashlib, warnings
import numpy as np
from astropy.io import fits

def sample_value(v):
    if isinstance(v, np.integer):
        return str(int(v))
    f = float(v)
    return None if f != f else f

out = {}
for path in json.load(sys.stdin):
    hdus = []
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with fits.open(path, disable_image_compression=True, do_not_scale_image_data=False, memmap=False) as hl:
            for hdu in hl:
                h = hdu.header
                naxis = h.get('NAXIS', 0)
                d = {
                    'cls': type(hdu).__name__,
                    'bitpix': h.get('BITPIX'),
                    'naxis': [h.get('NAXIS%d' % k) for k in range(1, naxis + 1)],
                    'extname': h.get('EXTNAME'),
                    'exttype': h.get('EXTTYPE'),
                    'zimage': h.get('ZIMAGE'),
                    'checksum': int(hdu.verify_checksum()) if 'CHECKSUM' in h else None,
                    'datasum': int(hdu.verify_datasum()) if 'DATASUM' in h else None,
                }
                if isinstance(hdu, (fits.PrimaryHDU, fits.ImageHDU)) and hdu.data is not None:
                    a = hdu.data
                    le = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder('<'))
                    flat = a.reshape(-1)
                    idx = sorted(set([0, flat.size - 1, flat.size // 2, flat.size // 3, 245489 % flat.size])) if flat.size else []
                    d.update({
                        'dtype': a.dtype.name,
                        'shape': list(a.shape),
                        'sha256': hashlib.sha256(le.tobytes()).hexdigest(),
                        'sum': float(np.nansum(a.astype(np.float64))),
                        'nan': int(np.isnan(a.astype(np.float64)).sum()),
                        'samples': [[j, sample_value(flat[j])] for j in idx],
                    })
                hdus.append(d)
    out[path] = hdus
print(json.dumps(out))
`;

/** Describes files with astropy (one python process for all of them). */
export function describeWithAstropy(paths: readonly string[]): Record<string, AstropyHdu[]> {
  return runPython<Record<string, AstropyHdu[]>>(DESCRIBE_SCRIPT, paths);
}

/** SHA-256 of a pixel array's bytes in host (little-endian) order, as the describe script hashes numpy arrays. */
export function sha256OfPixels(data: FitsPixelArray): string {
  return createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex');
}

/** The float64 sum of the non-NaN pixels, and the NaN count. */
export function sumOfPixels(data: FitsPixelArray): { sum: number; nan: number } {
  let sum = 0;
  let nan = 0;
  const values = data as ArrayLike<number | bigint>;
  for (let i = 0; i < values.length; i++) {
    const x = Number(values[i]);
    if (Number.isNaN(x)) nan++;
    else sum += x;
  }
  return { sum, nan };
}

/** A pixel as the describe script prints it. */
export function sampleOf(data: FitsPixelArray, index: number): string | number | null {
  const v = (data as ArrayLike<number | bigint>)[index]!;
  if (typeof v === 'bigint') return v.toString();
  if (data instanceof Float32Array || data instanceof Float64Array) return Number.isNaN(v) ? null : v;
  return String(v);
}

/** Runs `fitsverify -q` and returns its exit status and output. */
export function fitsverify(path: string): { status: number | null; output: string } {
  const r = spawnSync('fitsverify', ['-q', path], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** True when two pixel arrays have the same type, length and bytes (NaN payloads included). */
export function samePixels(a: FitsPixelArray, b: FitsPixelArray): boolean {
  if (a.constructor !== b.constructor || a.length !== b.length) return false;
  return Buffer.compare(
    new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
    new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
  ) === 0;
}
