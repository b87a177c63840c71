import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FitsFormatError, FitsUnsupportedError } from '../src/errors.js';
import { plioCompress, plioDecompress } from '../src/compression/plio.js';

function wordsToBytes(words: number[]): Uint8Array {
  const out = new Uint8Array(words.length * 2);
  words.forEach((w, i) => {
    out[2 * i] = (w >> 8) & 0xff;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

describe('PLIO_1 line lists', () => {
  it('decodes a hand-written line list using every instruction', () => {
    const body = [
      0x0003, // ZN 3: three zeros
      0x2004, // IH 4: pv = 1 + 4 = 5
      0x4002, // HN 2: 5, 5
      0x6002, // IS 2: pv = 7, one pixel 7
      0x5003, // PN 3: 0, 0, 7
      0x1000 | (70000 & 0xfff), // SH: pv = (17 << 12) + 368 = 70000
      70000 >> 12,
      0x4001, // HN 1: 70000
      0x7001, // DS 1: pv = 69999, one pixel
      0x3009, // DH 9: pv = 69990
      0x4002, // HN 2
    ];
    const ll = [0, 7, -100, 7 + body.length, 0, 0, 0, ...body];
    const expected = [0, 0, 0, 5, 5, 7, 0, 0, 7, 70000, 69999, 69990, 69990, 0, 0, 0];
    expect(Array.from(plioDecompress(wordsToBytes(ll), new Int32Array(16)))).toEqual(expected);
    expect(Array.from(plioDecompress(Int16Array.from(ll), new Int32Array(16)))).toEqual(expected);
    // A shorter tile stops where its pixels end.
    expect(Array.from(plioDecompress(wordsToBytes(ll), new Int32Array(7)))).toEqual(expected.slice(0, 7));
  });

  it('decodes the old header format (length in word 3)', () => {
    const ll = [0, 0, 5, 0x4002, 0x0001];
    expect(Array.from(plioDecompress(wordsToBytes(ll), new Int32Array(4)))).toEqual([1, 1, 0, 0]);
  });

  it('round-trips masks with values up to 2^24 - 1', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 2 ** 24 - 1 })), fc.integer({ min: 1, max: 9000 })), {
          maxLength: 20,
        }),
        (runs) => {
          const data = Int32Array.from(runs.flatMap(([v, n]) => new Array<number>(n).fill(v)));
          const back = plioDecompress(plioCompress(data), new Int32Array(data.length));
          expect(back.findIndex((v, i) => v !== data[i])).toBe(-1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('writes a valid header: version -100, header length 7, total length', () => {
    const bytes = plioCompress(Int32Array.of(0, 0, 3, 3));
    const words = Array.from({ length: bytes.length / 2 }, (_, i) => (((bytes[2 * i]! << 8) | bytes[2 * i + 1]!) << 16) >> 16);
    expect(words.slice(0, 3)).toEqual([0, 7, -100]);
    expect(words[3]).toBe(words.length);
  });

  it('refuses values PLIO cannot hold', () => {
    expect(() => plioCompress(Int32Array.of(1, -1))).toThrow(FitsUnsupportedError);
    expect(() => plioCompress(Int32Array.of(2 ** 24))).toThrow(FitsUnsupportedError);
  });

  it('rejects truncated line lists with FitsFormatError', () => {
    const bytes = plioCompress(Int32Array.from({ length: 100 }, (_, i) => (i % 7) * 1000));
    expect(() => plioDecompress(bytes.subarray(0, bytes.length - 4), new Int32Array(100))).toThrow(FitsFormatError);
    expect(() => plioDecompress(bytes.subarray(0, 3), new Int32Array(100))).toThrow(FitsFormatError);
    expect(() => plioDecompress(bytes.subarray(0, 4), new Int32Array(100))).toThrow(FitsFormatError);
  });

  it('never fails with anything but FitsFormatError on garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.integer({ min: 0, max: 500 }), (bytes, n) => {
        try {
          plioDecompress(bytes, new Int32Array(n));
        } catch (e) {
          expect(e).toBeInstanceOf(FitsFormatError);
        }
      }),
    );
  });
});
