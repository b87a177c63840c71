import { deflateSync, gzipSync, gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FitsFormatError } from '../src/errors.js';
import {
  fromBigEndianBytes,
  gzip1Compress,
  gzip1Decompress,
  gzip2Compress,
  gzip2Decompress,
  inflateTile,
  toBigEndianBytes,
} from '../src/compression/gzip.js';

describe('big-endian pixel bytes', () => {
  it('lays out bytes most significant first (GZIP_1) and shuffled by significance (GZIP_2)', () => {
    expect(Array.from(toBigEndianBytes(Int16Array.of(0x0102, -2)))).toEqual([0x01, 0x02, 0xff, 0xfe]);
    expect(Array.from(toBigEndianBytes(Int32Array.of(0x01020304, 0x05060708), true))).toEqual([1, 5, 2, 6, 3, 7, 4, 8]);
    expect(Array.from(toBigEndianBytes(Float32Array.of(1.0)))).toEqual([0x3f, 0x80, 0, 0]);
    expect(Array.from(toBigEndianBytes(Float64Array.of(-2.0, 1.0), true))).toEqual([
      0xc0, 0x3f, 0, 0xf0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    expect(Array.from(fromBigEndianBytes(Uint8Array.of(1, 5, 2, 6, 3, 7, 4, 8), new Int32Array(2), true))).toEqual([
      0x01020304, 0x05060708,
    ]);
    expect(Array.from(fromBigEndianBytes(Uint8Array.of(0, 0, 0, 0, 0, 0, 1, 0), new BigInt64Array(1)))).toEqual([256n]);
  });

  it('round-trips every pixel type, shuffled or not', () => {
    const arrays = [
      fc.uint8Array(),
      fc.int8Array(),
      fc.int16Array(),
      fc.uint16Array(),
      fc.int32Array(),
      fc.uint32Array(),
      fc.float32Array({ noDefaultInfinity: false }),
      fc.float64Array(),
      fc.bigInt64Array(),
    ];
    for (const arb of arrays) {
      fc.assert(
        fc.property(arb, fc.boolean(), (a, shuffled) => {
          const bytes = toBigEndianBytes(a, shuffled);
          const back = fromBigEndianBytes(bytes, new (a.constructor as new (n: number) => typeof a)(a.length), shuffled);
          expect(new Uint8Array(back.buffer)).toEqual(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
        }),
        { numRuns: 50 },
      );
    }
  });

  it('rejects a byte count that does not match the array', () => {
    expect(() => fromBigEndianBytes(new Uint8Array(7), new Int32Array(2))).toThrow(FitsFormatError);
  });
});

describe('GZIP_1 / GZIP_2 tiles', () => {
  it('round-trips', () => {
    fc.assert(
      fc.property(fc.int16Array({ maxLength: 500 }), (a) => {
        expect(Array.from(gzip1Decompress(gzip1Compress(a), new Int16Array(a.length)))).toEqual(Array.from(a));
        expect(Array.from(gzip2Decompress(gzip2Compress(a), new Int16Array(a.length)))).toEqual(Array.from(a));
      }),
      { numRuns: 50 },
    );
    const f = Float64Array.of(Math.PI, -0, Number.NaN, 1e-300);
    expect(Array.from(gzip2Decompress(gzip2Compress(f), new Float64Array(4)))).toEqual(Array.from(f));
  });

  it('writes a gzip stream of the shuffled big-endian bytes (checked with node:zlib)', () => {
    const tile = gzip2Compress(Int32Array.of(0x01020304, 0x05060708));
    expect([tile[0], tile[1]]).toEqual([0x1f, 0x8b]);
    expect(Array.from(gunzipSync(tile))).toEqual([1, 5, 2, 6, 3, 7, 4, 8]);
    expect(Array.from(gunzipSync(gzip1Compress(Uint16Array.of(0xabcd))))).toEqual([0xab, 0xcd]);
  });

  it('also reads zlib streams', () => {
    const z = deflateSync(Uint8Array.of(0, 1, 0, 2));
    expect(Array.from(gzip1Decompress(z, new Int16Array(2)))).toEqual([1, 2]);
  });

  it('rejects corrupt, truncated and oversized streams with FitsFormatError', () => {
    const good = gzipSync(new Uint8Array(4000).fill(7));
    expect(() => inflateTile(good.subarray(0, good.length - 10), 4000)).toThrow(FitsFormatError);
    expect(() => inflateTile(Uint8Array.of(1, 2, 3, 4, 5), 100)).toThrow(FitsFormatError);
    expect(() => inflateTile(good, 100)).toThrow(/more than the 100 bytes/);
    // Right stream, wrong number of pixels.
    expect(() => gzip1Decompress(good, new Int32Array(999))).toThrow(FitsFormatError);
    const garbage = Uint8Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff);
    expect(() => gzip2Decompress(garbage, new Int32Array(10))).toThrow(FitsFormatError);
  });
});
