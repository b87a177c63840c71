import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FitsFormatError } from '../src/errors.js';
import { riceCompress, riceDecompress, type RiceIntegerArray } from '../src/compression/rice.js';
import { prng } from './support.js';

type Ctor = { new (n: number): RiceIntegerArray; BYTES_PER_ELEMENT: number };

/** Pixels with structure: a random walk plus noise of `noiseBits` bits plus rare outliers. */
function structured(ctor: Ctor, n: number, seed: number, noiseBits: number, outlierRate: number, constantRuns: boolean): RiceIntegerArray {
  const rand = prng(seed);
  const out = new ctor(n);
  const range = 2 ** (8 * ctor.BYTES_PER_ELEMENT);
  let level = Math.floor(rand() * range);
  for (let i = 0; i < n; i++) {
    if (constantRuns && rand() < 0.8 && i > 0) {
      out[i] = out[i - 1]!;
      continue;
    }
    level += Math.floor((rand() - 0.5) * 8);
    let v = level + Math.floor((rand() - 0.5) * 2 ** noiseBits);
    if (rand() < outlierRate) v = Math.floor(rand() * range);
    out[i] = v; // the typed-array store wraps to the element type
  }
  return out;
}

const TYPES: [string, Ctor, 1 | 2 | 4][] = [
  ['Uint8Array', Uint8Array, 1],
  ['Int8Array', Int8Array, 1],
  ['Int16Array', Int16Array, 2],
  ['Uint16Array', Uint16Array, 2],
  ['Int32Array', Int32Array, 4],
  ['Uint32Array', Uint32Array, 4],
];

describe('riceCompress / riceDecompress', () => {
  it.each(TYPES)('round-trips %s exactly (bytePix %i)', (_name, ctor, bytePix) => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 700 }),
        fc.integer(),
        fc.integer({ min: 0, max: 8 * bytePix }),
        fc.constantFrom(0, 0.01, 0.3),
        fc.boolean(),
        fc.constantFrom(1, 7, 16, 32, 64),
        (n, seed, noiseBits, outliers, runs, blockSize) => {
          const data = structured(ctor, n, seed, noiseBits, outliers, runs);
          const packed = riceCompress(data, n, blockSize, bytePix);
          const back = riceDecompress(packed, new ctor(n), n, blockSize, bytePix);
          expect(Array.from(back)).toEqual(Array.from(data));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('round-trips arbitrary full-range values of every width', () => {
    fc.assert(
      fc.property(fc.int32Array({ minLength: 1, maxLength: 300 }), (a) => {
        expect(Array.from(riceDecompress(riceCompress(a), new Int32Array(a.length)))).toEqual(Array.from(a));
      }),
    );
    fc.assert(
      fc.property(fc.int16Array({ minLength: 1, maxLength: 300 }), (a) => {
        expect(Array.from(riceDecompress(riceCompress(a), new Int16Array(a.length)))).toEqual(Array.from(a));
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (a) => {
        expect(Array.from(riceDecompress(riceCompress(a), new Uint8Array(a.length)))).toEqual(Array.from(a));
      }),
    );
  });

  it('decodes 16-bit streams into wider arrays sign-extended, and byte streams unsigned', () => {
    const a = Int16Array.of(-32768, 32767, -1, 0, 5);
    expect(Array.from(riceDecompress(riceCompress(a), new Int32Array(5), 5, 32, 2))).toEqual([-32768, 32767, -1, 0, 5]);
    const b = Uint8Array.of(0, 255, 128, 127);
    expect(Array.from(riceDecompress(riceCompress(b), new Int32Array(4), 4, 32, 1))).toEqual([0, 255, 128, 127]);
  });

  it('writes the hand-computed stream for a constant tile (one low-entropy block)', () => {
    // First pixel 0x0005 in 2 bytes; then code 0 in 4 bits, padded: one 0x00 byte.
    expect(Array.from(riceCompress(Int16Array.of(5, 5, 5, 5)))).toEqual([0x00, 0x05, 0x00]);
    // 4-byte pixels: 5-bit code 00000, padded.
    expect(Array.from(riceCompress(Int32Array.of(-1, -1)))).toEqual([0xff, 0xff, 0xff, 0xff, 0x00]);
  });

  it('writes the hand-computed stream for a normal block', () => {
    // Pixels 0, 1: mapped differences 0, 2; sum 2 over 2 pixels: dpsum = (2 - 1 - 1) / 2 = 0, fs = 0.
    // Code fs + 1 = 1 in 4 bits (0001), then 0 -> "1", 2 -> "001": 0001 1001 = 0x19.
    expect(Array.from(riceCompress(Int16Array.of(0, 1)))).toEqual([0x00, 0x00, 0x19]);
    expect(Array.from(riceDecompress(Uint8Array.of(0x00, 0x00, 0x19), new Int16Array(2)))).toEqual([0, 1]);
    // Pixels 10, 9 as bytes: mapped differences 0, 1; sum 1: fs = 0, code 001 (3 bits),
    // then "1" and "01": 001 1 01 + padding 00 = 0x34.
    expect(Array.from(riceCompress(Uint8Array.of(10, 9)))).toEqual([10, 0x34]);
  });

  it('writes the hand-computed stream for a high-entropy block', () => {
    // Bytes 0, 255, 0: differences 0, -1 -> 255, +1 -> 1 (wrapped to 8 bits): mapped 0, 1, 2.
    // Sum 3 over 3: dpsum = (3 - 1 - 1) / 3 = 0.33, fs = 0: a normal block, code 001,
    // then "1", "01", "001": 0011 0100 1000 0000.
    expect(Array.from(riceCompress(Uint8Array.of(0, 255, 0)))).toEqual([0, 0x34, 0x80]);
    // Bytes 0, 128, 0, 128: differences -128 and +128 wrap to -128: mapped 255 each; sum 765,
    // dpsum = (765 - 2 - 1) / 4 = 190, psum = 95, fs = 7 ≥ fsmax 6: code 7 (111), then the raw
    // mapped values 0, 255, 255, 255 in 8 bits each.
    expect(Array.from(riceCompress(Uint8Array.of(0, 128, 0, 128)))).toEqual([0, 0xe0, 0x1f, 0xff, 0xff, 0xe0]);
    expect(Array.from(riceDecompress(Uint8Array.of(0, 0xe0, 0x1f, 0xff, 0xff, 0xe0), new Uint8Array(4)))).toEqual([0, 128, 0, 128]);
  });

  it('codes zero pixels as an empty stream', () => {
    expect(riceCompress(new Int16Array(0)).length).toBe(0);
    expect(riceDecompress(new Uint8Array(0), new Int16Array(0)).length).toBe(0);
  });

  it('rejects a truncated stream with FitsFormatError', () => {
    const data = Int32Array.from({ length: 500 }, (_, i) => Math.round(1000 * Math.sin(i / 3)));
    const packed = riceCompress(data);
    for (const cut of [0, 2, 4, 5, Math.floor(packed.length / 2), packed.length - 1]) {
      expect(() => riceDecompress(packed.subarray(0, cut), new Int32Array(500)), `cut at ${cut}`).toThrow(FitsFormatError);
    }
  });

  it('rejects an impossible block code', () => {
    // bytePix 4: code 31 (5 bits 11111) > fsmax + 1 = 26.
    expect(() => riceDecompress(Uint8Array.of(0, 0, 0, 0, 0xf8, 0, 0, 0), new Int32Array(4))).toThrow(/block code 31/);
  });

  it('rejects invalid parameters', () => {
    expect(() => riceDecompress(Uint8Array.of(0, 0), new Int16Array(1), 1, 32, 3)).toThrow(FitsFormatError);
    expect(() => riceDecompress(Uint8Array.of(0, 0), new Int16Array(1), 1, 0, 2)).toThrow(FitsFormatError);
    expect(() => riceDecompress(Uint8Array.of(0, 0), new Int16Array(1), 2)).toThrow(FitsFormatError);
    expect(() => riceCompress(new Int16Array(4), 5)).toThrow(FitsFormatError);
  });

  it('never hangs or fails with anything but FitsFormatError on garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(1, 2, 4), fc.integer({ min: 1, max: 2000 }), (bytes, bytePix, n) => {
        try {
          riceDecompress(bytes, new Int32Array(n), n, 32, bytePix);
        } catch (e) {
          expect(e).toBeInstanceOf(FitsFormatError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
