// getValuesPos and HealSparsePolygon against healpy (ang2pix, query_polygon inclusive=False).
import { describe, expect, it } from 'vitest';
import { HealSparseInvalidArgumentError, HealSparseMap, HealSparsePolygon } from '../src/index.js';
import { healpyAvailable, healpyReference } from './oracle.js';

/** A deterministic pseudo-random sequence (LCG), for test points. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe.skipIf(!healpyAvailable())('HEALPix rendering against healpy', () => {
  it('getValuesPos looks up the pixel healpy.ang2pix gives, and a 0.11° patch renders as query_polygon', () => {
    const nside = 32768;
    // A small detector-like quadrilateral near (150°, 2.2°), about 0.11° across, given clockwise.
    const polyRa = [150.0, 150.0, 150.11, 150.11];
    const polyDec = [2.2, 2.31, 2.31, 2.2];
    const rnd = lcg(7);
    const ra: number[] = [];
    const dec: number[] = [];
    for (let i = 0; i < 2000; i++) {
      ra.push(149.95 + 0.2 * rnd());
      dec.push(2.15 + 0.2 * rnd());
    }
    const ref = healpyReference({ nside, ra, dec, polyRa, polyDec });
    const poly = new HealSparsePolygon(polyRa, polyDec);
    const pixels = poly.getPixels(nside);
    expect(pixels.length).toBeGreaterThan(3000);
    expect(Array.from(pixels)).toEqual(ref.polygon);

    const map = HealSparseMap.makeEmpty({ nsideCoverage: 256, nsideSparse: nside, dtype: 'int32' });
    map.updateValuesPix(pixels, 1);
    const got = map.getValuesPos(ra, dec);
    const inside = new Set(ref.polygon);
    expect(Array.from(got)).toEqual(ref.ang2pix.map((p) => (inside.has(p) ? 1 : -2147483648)));
    const wide = HealSparseMap.makeEmpty({ nsideCoverage: 256, nsideSparse: nside, dtype: 'wide-mask', wideMaskMaxBits: 30 });
    wide.setBitsPix(pixels, [29]);
    expect(Array.from(wide.checkBitsPos(ra, dec, [29]))).toEqual(ref.ang2pix.map((p) => (inside.has(p) ? 1 : 0)));
  });

  it('renders a larger polygon spanning coverage pixels, in either orientation', () => {
    const polyRa = [10, 14, 13, 9.5];
    const polyDec = [-30, -29.5, -26, -27];
    const ref = healpyReference({ nside: 256, ra: [], dec: [], polyRa, polyDec });
    expect(Array.from(new HealSparsePolygon(polyRa, polyDec).getPixels(256))).toEqual(ref.polygon);
    expect(Array.from(new HealSparsePolygon([...polyRa].reverse(), [...polyDec].reverse()).getPixels(256))).toEqual(ref.polygon);
  });
});

describe('HealSparsePolygon: errors', () => {
  it('rejects too few vertices, mismatched arrays, non-convex shapes and bad nsides', () => {
    expect(() => new HealSparsePolygon([0, 1], [0, 1])).toThrow(HealSparseInvalidArgumentError);
    expect(() => new HealSparsePolygon([0, 1, 2], [0, 1])).toThrow(/3 right ascensions but 2/);
    expect(() => new HealSparsePolygon([0, 2, 1, 2, 0], [0, 0, 1, 2, 2])).toThrow(/convex/);
    expect(() => new HealSparsePolygon([0, 1, 1], [0, 0, 1]).getPixels(100)).toThrow(/power of 2/);
  });
});
