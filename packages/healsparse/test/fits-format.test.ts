// Our files decoded by astropy + numpy following the HealSparse specification, and files built
// by the specification in Python read by our reader.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { astropyAvailable, fitsverify, fitsverifyAvailable } from '@skystack/test-support';
import { HealSparseCoverage, HealSparseMap, type HealSparseDtype } from '../src/index.js';
import { buildWithAstropy, decodeWithAstropy } from './oracle.js';

const dir = mkdtempSync(join(tmpdir(), 'healsparse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// nsideCoverage 8, nsideSparse 128: 256 fine pixels per coverage pixel.
const NCOV = 8;
const NSPARSE = 128;
const NFINE = 256;
/** Pixels in three coverage pixels far apart (the blocks are created out of order). */
const PIXELS = [700 * NFINE + 5, 3 * NFINE, 3 * NFINE + 255, 3 * NFINE + 17, 700 * NFINE + 200, 12 * NFINE + 100];
const SORTED = [...PIXELS].sort((a, b) => a - b);

describe.skipIf(!astropyAvailable())('our files, decoded by the specification (astropy + numpy)', () => {
  const cases: Array<{ dtype: HealSparseDtype; values: number[]; compressed: boolean }> = [
    { dtype: 'float32', values: [1.5, -2.25, 3, 1e-3, 7, 0], compressed: true },
    { dtype: 'float64', values: [1.5, -2.25, 3, Math.PI, 7e100, 0], compressed: true },
    { dtype: 'int32', values: [1, -2, 3, 2147483647, 0, -7], compressed: true },
    { dtype: 'int16', values: [1, -2, 3, 32767, 0, -7], compressed: true },
    { dtype: 'uint16', values: [1, 2, 3, 65535, 0, 7], compressed: true },
    { dtype: 'uint8', values: [1, 2, 3, 255, 9, 7], compressed: true },
    { dtype: 'int64', values: [1, -2, 3, 2 ** 40, 0, -(2 ** 50)], compressed: false },
  ];
  for (const c of cases) {
    it(`${c.dtype}: header keys, coverage offsets, overflow block, values and valid pixels`, () => {
      const map = HealSparseMap.makeEmpty({ nsideCoverage: NCOV, nsideSparse: NSPARSE, dtype: c.dtype, metadata: { TESTKEY: 'abc', B0000CCD: 42 } });
      map.updateValuesPix(PIXELS, c.values);
      const path = join(dir, `${c.dtype}.hsp`);
      writeFileSync(path, map.toFitsBytes());
      const probe = [...PIXELS, 5 * NFINE + 3, 3 * NFINE + 1];
      const d = decodeWithAstropy(path, probe);
      expect(d.covHeader).toMatchObject({ EXTNAME: 'COV', PIXTYPE: 'HEALSPARSE', NSIDE: NCOV, TESTKEY: 'abc', B0000CCD: 42 });
      expect(d.sparseHeader).toMatchObject({ EXTNAME: 'SPARSE', PIXTYPE: 'HEALSPARSE', NSIDE: NSPARSE, TESTKEY: 'abc', B0000CCD: 42 });
      expect(d.nsideCoverage).toBe(NCOV);
      expect(d.nfinePerCov).toBe(NFINE);
      expect(d.overflowIsSentinel).toBe(true);
      const defaultSentinel = c.dtype.startsWith('float')
        ? -1.6375e30
        : { int16: -32768, int32: -2147483648, int64: -(2 ** 63), uint8: 0, uint16: 0, uint32: 0 }[c.dtype as 'int16'];
      expect(Number(d.sparseHeader['SENTINEL'])).toBe(defaultSentinel);
      const expectedValid = SORTED.filter((p) => c.values[PIXELS.indexOf(p)] !== defaultSentinel);
      expect(d.validPixels).toEqual(expectedValid);
      const expectedValues = c.values.map((v) => (c.dtype === 'float32' ? Math.fround(v) : v));
      expect(d.values.slice(0, PIXELS.length)).toEqual(expectedValues);
      const s = c.dtype === 'float32' ? Math.fround(defaultSentinel) : defaultSentinel;
      expect(d.values.slice(PIXELS.length)).toEqual([s, s]);
      if (c.compressed) {
        expect(d.zHeader).toMatchObject({ ZCMPTYPE: 'GZIP_2', ZNAXIS: 1, ZTILE1: NFINE });
        expect(d.sparseHeader['RESHAPED']).toBe(false);
      } else {
        expect(d.zHeader).toBeNull();
      }
    });
  }

  it('wide mask of 3 bytes: WIDEMASK, WWIDTH, the (npix, width) layout and one tile per block', () => {
    const map = HealSparseMap.makeEmpty({ nsideCoverage: NCOV, nsideSparse: NSPARSE, dtype: 'wide-mask', wideMaskMaxBits: 20 });
    map.setBitsPix(PIXELS.slice(0, 3), [0, 9]);
    map.setBitsPix(PIXELS.slice(2), [19]);
    const path = join(dir, 'wide.hsp');
    writeFileSync(path, map.toFitsBytes());
    const d = decodeWithAstropy(path, PIXELS);
    expect(d.sparseHeader).toMatchObject({ WIDEMASK: true, WWIDTH: 3, SENTINEL: 0, NSIDE: NSPARSE });
    expect(d.zHeader).toMatchObject({ ZCMPTYPE: 'GZIP_2', ZTILE1: 3 * NFINE, ZNAXIS: 1 });
    expect(d.overflowIsSentinel).toBe(true);
    expect(d.validPixels).toEqual(SORTED);
    // bit 0 -> byte 0 value 1; bit 9 -> byte 1 value 2; bit 19 -> byte 2 value 8.
    expect(d.values).toEqual([
      [1, 2, 0],
      [1, 2, 0],
      [1, 2, 8],
      [0, 0, 8],
      [0, 0, 8],
      [0, 0, 8],
    ]);
  });

  it.skipIf(!fitsverifyAvailable())('fitsverify accepts the files', async () => {
    const map = HealSparseMap.makeEmpty({ nsideCoverage: NCOV, nsideSparse: NSPARSE, dtype: 'wide-mask', wideMaskMaxBits: 24, metadata: { B0000VIS: 1228, B0000WT: 0.25 } });
    map.setBitsPix(PIXELS, [3, 23]);
    const path = join(dir, 'verify.hsp');
    await map.writeFits(path);
    const r = fitsverify(path, false);
    expect(r.output).toMatch(/0 warning\(s\) and 0 error\(s\)/);
    const f = HealSparseMap.makeEmpty({ nsideCoverage: NCOV, nsideSparse: NSPARSE, dtype: 'float64' });
    f.updateValuesPix(PIXELS, 2.5);
    const p2 = join(dir, 'verify-f.hsp');
    await f.writeFits(p2);
    expect(fitsverify(p2, false).output).toMatch(/0 warning\(s\) and 0 error\(s\)/);
  });
});

describe.skipIf(!astropyAvailable())('files built by the specification in Python, read by us', () => {
  const covPixels = [5, 300, 701];
  it('float32, GZIP_2 compressed, blocks in reverse order', async () => {
    const path = join(dir, 'py-float.hsp');
    const truth = buildWithAstropy({ path, kind: 'float32', nsideCoverage: NCOV, nsideSparse: NSPARSE, covPixels, seed: 1 });
    const map = await HealSparseMap.readFits(path);
    expect(map.dtype).toBe('float32');
    expect(map.sentinel).toBe(-1.6375e30);
    expect(Array.from(map.validPixels())).toEqual(truth.pixels);
    expect(Array.from(map.getValuesPix(truth.pixels))).toEqual(truth.values);
    expect(map.metadata).toMatchObject({ TESTKEY: 'hello', B0000CCD: 42 });
    expect(map.metadata).not.toHaveProperty('PIXTYPE');
    const mask = map.coverageMask();
    expect([...mask.keys()].filter((i) => mask[i] === 1)).toEqual(covPixels);
    const cov = await HealSparseCoverage.readFits(path);
    expect(Array.from(cov.coveredPixels())).toEqual(covPixels);
    expect(cov.nsideSparse).toBe(NSPARSE);
  });

  it('wide mask of 3 bytes; a partial read of one coverage pixel', async () => {
    const path = join(dir, 'py-wide.hsp');
    const truth = buildWithAstropy({ path, kind: 'wide', nsideCoverage: NCOV, nsideSparse: NSPARSE, covPixels, width: 3, seed: 2 });
    const map = await HealSparseMap.readFits(path);
    expect(map.dtype).toBe('wide-mask');
    expect(map.wideMaskWidth).toBe(3);
    expect(Array.from(map.validPixels())).toEqual(truth.pixels);
    const bytes = map.getWideValuesPix(truth.pixels);
    expect(truth.values.flat()).toEqual(Array.from(bytes));
    const part = await HealSparseMap.readFits(path, { pixels: [300, 4] });
    const inPart = truth.pixels.filter((p) => Math.floor(p / NFINE) === 300);
    expect(Array.from(part.validPixels())).toEqual(inPart);
    expect(Array.from(part.getWideValuesPix(inPart))).toEqual(truth.values.filter((_, i) => Math.floor(truth.pixels[i]! / NFINE) === 300).flat());
  });

  it('int64, uncompressed image', async () => {
    const path = join(dir, 'py-int64.hsp');
    const truth = buildWithAstropy({ path, kind: 'int64', nsideCoverage: NCOV, nsideSparse: NSPARSE, covPixels, seed: 3 });
    const map = await HealSparseMap.readFits(path);
    expect(map.dtype).toBe('int64');
    expect(map.sentinel).toBe(-(2 ** 63));
    expect(Array.from(map.validPixels())).toEqual(truth.pixels);
    expect(Array.from(map.getValuesPix(truth.pixels))).toEqual(truth.values);
    const part = await HealSparseMap.readFits(path, { pixels: [701] });
    expect(Array.from(part.validPixels())).toEqual(truth.pixels.filter((p) => Math.floor(p / NFINE) === 701));
  });
});
