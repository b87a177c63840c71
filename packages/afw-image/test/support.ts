// Test support: the fixture directory, astropy through Debian's /usr/bin/python3, fitsverify.
// With CI=true a missing fixture directory, astropy or fitsverify is a failure, not a skip.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '../../..');
/** The afw fixture directory. */
export const afwFixtures = resolve(process.env['SKYSTACK_FIXTURES'] ?? resolve(repoRoot, '../shared/fixtures'), 'afw');
/** Whether the fixtures are there. */
export const fixturesPresent = existsSync(resolve(afwFixtures, 'HSC-0908120-056-small.fits'));

const PYTHON = '/usr/bin/python3';

function probe(args: string[], cmd = PYTHON): boolean {
  try {
    return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
  } catch {
    return false;
  }
}

/** Whether astropy and numpy import. */
export const astropyPresent = probe(['-c', 'import astropy.io.fits, numpy']);
/** Whether fitsverify runs. */
export const fitsverifyPresent = probe(['-h'], 'fitsverify') || existsSync('/usr/bin/fitsverify');

if (process.env['CI'] === 'true') {
  if (!fixturesPresent) throw new Error(`afw fixtures missing at ${afwFixtures} (set SKYSTACK_FIXTURES).`);
  if (!astropyPresent) throw new Error(`astropy is not importable by ${PYTHON} (install python3-astropy).`);
  if (!fitsverifyPresent) throw new Error('fitsverify is missing (install the Debian package fitsverify).');
}

/** Path of an afw fixture. */
export function fixture(name: string): string {
  return resolve(afwFixtures, name);
}

/**
 * Runs a Python snippet that prints one JSON value; `sys.argv[1:]` are `args`. Helper `px(a)`
 * is defined: it returns the array as base64 of little-endian float64 values (row-major = FITS order).
 */
export function python<T>(code: string, args: string[] = []): T {
  const prelude = [
    'import sys, json, base64',
    'import numpy as np',
    'from astropy.io import fits',
    "def px(a): return base64.b64encode(np.ascontiguousarray(np.asarray(a, dtype='<f8')).tobytes()).decode()",
  ].join('\n');
  const out = execFileSync(PYTHON, ['-c', `${prelude}\n${code}`, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return JSON.parse(out) as T;
}

/** Decodes `px()` output. */
export function decodePx(b64: string): Float64Array {
  const buf = Buffer.from(b64, 'base64');
  return new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/** Runs `fitsverify -q` and returns its status and output. */
export function fitsverify(path: string): { status: number | null; output: string } {
  const r = spawnSync('fitsverify', ['-q', path], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** The pixels of an image-like view, compact, as float64 (NaN-preserving) for comparisons. */
export function pixelsOf(view: { data: ArrayLike<number>; width: number; height: number; stride: number }): Float64Array {
  const out = new Float64Array(view.width * view.height);
  for (let y = 0; y < view.height; y++) for (let x = 0; x < view.width; x++) out[y * view.width + x] = view.data[y * view.stride + x]!;
  return out;
}

/** Counts elements that differ (NaN equals NaN). */
export function countDifferences(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (!(x === y || (Number.isNaN(x) && Number.isNaN(y)))) n++;
  }
  return n;
}
