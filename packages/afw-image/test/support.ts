// Test support of @skystack/afw-image: the afw fixtures and astropy helpers for pixels, on top
// of @skystack/test-support (which owns the missing-reference rule: fail under CI, else skip).
import { FIXTURES, astropyAvailable, fitsverify, fitsverifyAvailable, fixturePath, runPython } from '@skystack/test-support';
import { join } from 'node:path';

export { fitsverify };

/** The afw fixture directory. */
export const afwFixtures = join(FIXTURES, 'afw');
/** Whether the fixtures are there (under CI, their absence throws). */
export const fixturesPresent = fixturePath('afw', 'HSC-0908120-056-small.fits') !== undefined;
/** Whether astropy and numpy import (under CI, their absence throws). */
export const astropyPresent = astropyAvailable();
/** Whether fitsverify runs (under CI, its absence throws). */
export const fitsverifyPresent = fitsverifyAvailable();

/** Path of an afw fixture. */
export function fixture(name: string): string {
  return join(afwFixtures, name);
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
  return JSON.parse(runPython(`${prelude}\n${code}`, args)) as T;
}

/** Decodes `px()` output. */
export function decodePx(b64: string): Float64Array {
  const buf = Buffer.from(b64, 'base64');
  return new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
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
