import { describe, expect, it } from 'vitest';
import { HealSparseDtypeError, HealSparseFormatError, HealSparseInvalidArgumentError, HealSparseUnsupportedError } from './errors.js';
import { HEALPIX_UNSEEN } from './healsparse-coverage.js';
import { HealSparseMap } from './healsparse-map.js';

const NFINE = 256; // nsideCoverage 8, nsideSparse 128

describe('HealSparseMap: values', () => {
  it('starts empty: sentinel everywhere, no coverage, the default sentinels of healsparse', () => {
    const f = HealSparseMap.makeEmpty({ nsideCoverage: 8, nsideSparse: 128, dtype: 'float32' });
    expect(f.sentinel).toBe(HEALPIX_UNSEEN);
    expect(f.nValidPixels).toBe(0);
    expect(f.coverageMask().reduce((a, b) => a + b, 0)).toBe(0);
    expect(Array.from(f.getValuesPix([0, 196607]))).toEqual([Math.fround(HEALPIX_UNSEEN), Math.fround(HEALPIX_UNSEEN)]);
    expect(HealSparseMap.makeEmpty({ nsideCoverage: 8, nsideSparse: 128, dtype: 'int32' }).sentinel).toBe(-2147483648);
    expect(HealSparseMap.makeEmpty({ nsideCoverage: 8, nsideSparse: 128, dtype: 'int16' }).sentinel).toBe(-32768);
    expect(HealSparseMap.makeEmpty({ nsideCoverage: 8, nsideSparse: 128, dtype: 'uint16' }).sentinel).toBe(0);
    expect(HealSparseMap.makeEmpty({ nsideCoverage: 8, nsideSparse: 128, dtype: 'int64' }).sentinel).toBe(-(2 ** 63));
  });

  it('adds one block per new coverage pixel and keeps values across growth', () => {
    const m = HealSparseMap.makeEmpty({ nsideCoverage: 8, nsideSparse: 128, dtype: 'float64', sentinel: -1 });
    const pixels: number[] = [];
    for (let cov = 767; cov >= 0; cov -= 3) pixels.push(cov * NFINE + (cov % NFINE));
    m.updateValuesPix(pixels, pixels.map((p) => p / 7));
    expect(m.nBlocks).toBe(pixels.length + 1);
    expect(Array.from(m.getValuesPix(pixels))).toEqual(pixels.map((p) => p / 7));
    expect(Array.from(m.validPixels())).toEqual([...pixels].sort((a, b) => a - b));
    expect(m.getValuesPix([NFINE * 767 + 1])[0]).toBe(-1);
    // Setting the sentinel removes the data (the block stays).
    m.updateValuesPix([pixels[0]!], -1);
    expect(m.nValidPixels).toBe(pixels.length - 1);
    expect(m.coverageMask()[767]).toBe(1);
  });

  it('keeps pixel indices beyond 2^32 exact (nside 32768)', () => {
    const m = HealSparseMap.makeEmpty({ nsideCoverage: 256, nsideSparse: 32768, dtype: 'int32' });
    const big = 12 * 32768 * 32768 - 1; // 12884901887 > 2^32
    m.updateValuesPix([big, 2 ** 32 + 5], [7, 9]);
    expect(Array.from(m.validPixels())).toEqual([2 ** 32 + 5, big]);
    expect(Array.from(m.getValuesPix([big, 2 ** 32 + 5, 2 ** 32 + 6]))).toEqual([7, 9, -2147483648]);
    const mask = m.coverageMask();
    expect(mask[Math.floor(big / 16384)]).toBe(1);
    expect(mask[Math.floor((2 ** 32 + 5) / 16384)]).toBe(1);
  });

  it('round-trips every type through its FITS bytes, metadata included', async () => {
    for (const dtype of ['float32', 'float64', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32'] as const) {
      const m = HealSparseMap.makeEmpty({ nsideCoverage: 8, nsideSparse: 128, dtype, metadata: { B0000CCD: 3, LONGKEYWORD: 'x', FLAG: true } });
      m.updateValuesPix([10, 5000, 100000], [1, 2, 3]);
      const back = await HealSparseMap.readFits(m.toFitsBytes());
      expect(back.dtype).toBe(dtype);
      expect(back.sentinel).toBe(m.sentinel);
      expect(Array.from(back.validPixels())).toEqual([10, 5000, 100000]);
      expect(Array.from(back.getValuesPix([10, 5000, 100000, 11]))).toEqual([1, 2, 3, m.sentinel === HEALPIX_UNSEEN && dtype === 'float32' ? Math.fround(HEALPIX_UNSEEN) : m.sentinel]);
      expect(back.metadata).toEqual({ B0000CCD: 3, LONGKEYWORD: 'x', FLAG: true });
    }
  });
});

describe('HealSparseMap: wide masks', () => {
  const make = (): HealSparseMap => HealSparseMap.makeEmpty({ nsideCoverage: 8, nsideSparse: 128, dtype: 'wide-mask', wideMaskMaxBits: 24 });

  it('has width ceil(bits / 8) and sets, checks and clears bits across its 3 bytes', () => {
    const m = make();
    expect(m.wideMaskWidth).toBe(3);
    expect(HealSparseMap.makeEmpty({ nsideCoverage: 8, nsideSparse: 128, dtype: 'wide-mask', wideMaskMaxBits: 8 }).wideMaskWidth).toBe(1);
    expect(HealSparseMap.makeEmpty({ nsideCoverage: 8, nsideSparse: 128, dtype: 'wide-mask', wideMaskMaxBits: 9 }).wideMaskWidth).toBe(2);
    const px = [3, 4, 70000];
    m.setBitsPix(px, [0, 7, 8, 23]);
    m.setBitsPix([4], [15]);
    expect(m.getBitsPix(3)).toEqual([0, 7, 8, 23]);
    expect(m.getBitsPix(4)).toEqual([0, 7, 8, 15, 23]);
    expect(Array.from(m.getWideValuesPix([3, 4, 5]))).toEqual([0x81, 0x01, 0x80, 0x81, 0x81, 0x80, 0, 0, 0]);
    expect(Array.from(m.checkBitsPix([3, 4, 5, 70000], [15]))).toEqual([0, 1, 0, 0]);
    expect(Array.from(m.checkBitsPix([3, 4, 5, 70000], [1, 23]))).toEqual([1, 1, 0, 1]);
    m.clearBitsPix([3, 4], [0, 8, 23]);
    expect(m.getBitsPix(3)).toEqual([7]);
    expect(m.getBitsPix(4)).toEqual([7, 15]);
    m.clearBitsPix([3], [7]);
    expect(Array.from(m.validPixels())).toEqual([4, 70000]);
    // Clearing in an uncovered coverage pixel adds nothing.
    m.clearBitsPix([150000], [1]);
    expect(m.coverageMask()[Math.floor(150000 / NFINE)]).toBe(0);
  });

  it('refuses bits beyond wideMaskMaxBits and value operations', () => {
    const m = make();
    expect(() => m.setBitsPix([1], [24])).toThrow(HealSparseInvalidArgumentError);
    expect(() => m.setBitsPix([1], [-1])).toThrow(/outside the wide mask/);
    expect(() => m.updateValuesPix([1], 1)).toThrow(HealSparseDtypeError);
    expect(() => m.getValuesPix([1])).toThrow(HealSparseDtypeError);
  });

  it('round-trips through FITS bytes', async () => {
    const m = make();
    m.setBitsPix([3, 100000], [2, 17]);
    const back = await HealSparseMap.readFits(m.toFitsBytes());
    expect(back.dtype).toBe('wide-mask');
    expect(back.wideMaskWidth).toBe(3);
    expect(back.wideMaskMaxBits).toBe(24);
    expect(back.getBitsPix(100000)).toEqual([2, 17]);
    expect(Array.from(back.validPixels())).toEqual([3, 100000]);
  });
});

describe('HealSparseMap: errors', () => {
  it('rejects bad nsides with typed errors', () => {
    expect(() => HealSparseMap.makeEmpty({ nsideCoverage: 64, nsideSparse: 32, dtype: 'float32' })).toThrow(/smaller than nsideCoverage/);
    expect(() => HealSparseMap.makeEmpty({ nsideCoverage: 24, nsideSparse: 64, dtype: 'float32' })).toThrow(HealSparseInvalidArgumentError);
    expect(() => HealSparseMap.makeEmpty({ nsideCoverage: 32, nsideSparse: 100, dtype: 'float32' })).toThrow(/not a power of 2/);
    expect(() => HealSparseMap.makeEmpty({ nsideCoverage: 32, nsideSparse: 64, dtype: 'wide-mask' })).toThrow(/wideMaskMaxBits/);
  });

  it('rejects bit operations on a float map, bad pixels, values and sentinels', () => {
    const m = HealSparseMap.makeEmpty({ nsideCoverage: 8, nsideSparse: 128, dtype: 'float32' });
    expect(() => m.setBitsPix([1], [0])).toThrow(HealSparseDtypeError);
    expect(() => m.checkBitsPix([1], [0])).toThrow(/needs a wide-mask map; this map is float32/);
    expect(() => m.updateValuesPix([12 * 128 * 128], 1)).toThrow(HealSparseInvalidArgumentError);
    expect(() => m.updateValuesPix([1.5], 1)).toThrow(/not a NEST index/);
    expect(() => m.updateValuesPix([1, 2], [1])).toThrow(/2 pixels/);
    const i = HealSparseMap.makeEmpty({ nsideCoverage: 8, nsideSparse: 128, dtype: 'int16' });
    expect(() => i.updateValuesPix([1], 1.5)).toThrow(/cannot be stored in a int16 map/);
    expect(() => i.updateValuesPix([1], 40000)).toThrow(HealSparseInvalidArgumentError);
    expect(() => HealSparseMap.makeEmpty({ nsideCoverage: 8, nsideSparse: 128, dtype: 'uint8', sentinel: -1 })).toThrow(HealSparseInvalidArgumentError);
    expect(() => HealSparseMap.makeEmpty({ nsideCoverage: 8, nsideSparse: 128, dtype: 'wide-mask', wideMaskMaxBits: 8, sentinel: 1 })).toThrow(
      /must be 0/,
    );
    expect(() => (m.metadata = { lower: 1 })).toThrow(/upper case/);
    expect(() => (m.metadata = { NSIDE: 1 })).toThrow(/reserved/);
    expect(() => (m.metadata = { ZTILE1: 1 })).toThrow(/reserved/);
    expect(() => (m.metadata = { ZCMPTYPE: 'x' })).toThrow(/reserved/);
  });

  it('keeps metadata whose keywords start with Z (ZP, ZENITH), as healsparse does; only compression keywords are reserved', async () => {
    const m = HealSparseMap.makeEmpty({ nsideCoverage: 8, nsideSparse: 128, dtype: 'float32', metadata: { ZP: 27.5, ZENITH: 12.25, ZEROPT: 31 } });
    m.updateValuesPix([1], 1);
    const back = await HealSparseMap.readFits(m.toFitsBytes());
    expect(back.metadata).toEqual({ ZP: 27.5, ZENITH: 12.25, ZEROPT: 31 });
  });

  it('reports non-HealSparse and truncated files as HealSparseFormatError', async () => {
    await expect(HealSparseMap.readFits(new TextEncoder().encode('not a fits file at all'))).rejects.toThrow(HealSparseFormatError);
    const m = HealSparseMap.makeEmpty({ nsideCoverage: 8, nsideSparse: 128, dtype: 'float32' });
    m.updateValuesPix([1], 1);
    const bytes = m.toFitsBytes();
    await expect(HealSparseMap.readFits(bytes.subarray(0, bytes.length - 2880))).rejects.toThrow(HealSparseFormatError);
    // A valid FITS file without the HealSparse keywords.
    const { encodeFits, Header } = await import('@skystack/fits');
    const plain = encodeFits([{ data: { data: new Float32Array(4), width: 4, height: 1 } }, { header: new Header(), data: { data: new Float32Array(4), width: 4, height: 1 } }]);
    await expect(HealSparseMap.readFits(plain)).rejects.toThrow(/expected 'HEALSPARSE'/);
    const single = encodeFits([{ data: { data: new Float32Array(4), width: 4, height: 1 } }]);
    await expect(HealSparseMap.readFits(single, { name: 'single.fits' })).rejects.toThrow(/single.fits has no SPARSE extension/);
    const h = new Header();
    h.set('PIXTYPE', 'HEALPIX');
    const healpix = encodeFits([{}, { header: h, data: { data: new Float32Array(4), width: 4, height: 1 } }]);
    await expect(HealSparseMap.readFits(healpix)).rejects.toThrow(HealSparseUnsupportedError);
  });

  it('rejects partial reads with duplicates or no covered pixel', async () => {
    const m = HealSparseMap.makeEmpty({ nsideCoverage: 8, nsideSparse: 128, dtype: 'int32' });
    m.updateValuesPix([1, 300 * NFINE], 1);
    const bytes = m.toFitsBytes();
    await expect(HealSparseMap.readFits(bytes, { pixels: [0, 0] })).rejects.toThrow(/unique/);
    await expect(HealSparseMap.readFits(bytes, { pixels: [5] })).rejects.toThrow(/None of the 1 coverage pixel/);
    const part = await HealSparseMap.readFits(bytes, { pixels: [300, 5] });
    expect(Array.from(part.validPixels())).toEqual([300 * NFINE]);
  });
});
