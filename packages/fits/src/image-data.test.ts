import { describe, expect, it } from 'vitest';
import { FitsFormatError, FitsUnsupportedError } from './errors.js';
import {
  decodePixels,
  decodeStoredPixels,
  decodedPixelType,
  encodePixels,
  encodePixelsInto,
  pixelFormatOf,
  pixelTypeOf,
  swapBytes,
  swapBytesJs,
  type FitsBitpix,
  type FitsPixelArray,
  type FitsStoredPixelArray,
} from './image-data.js';
import { randomBytes } from '../test/support.js';

/** The elements of a non-bigint pixel array as numbers. */
function nums(a: FitsPixelArray): number[] {
  return Array.from(a as ArrayLike<number>);
}

/** Big-endian bytes written value by value with DataView (an independent encoder). */
function beBytes(values: readonly (number | bigint)[], kind: 'i8' | 'u8' | 'i16' | 'i32' | 'i64' | 'f32' | 'f64'): Uint8Array {
  const size = { i8: 1, u8: 1, i16: 2, i32: 4, i64: 8, f32: 4, f64: 8 }[kind];
  const out = new Uint8Array(values.length * size);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => {
    const o = i * size;
    if (kind === 'u8') dv.setUint8(o, Number(v));
    else if (kind === 'i8') dv.setInt8(o, Number(v));
    else if (kind === 'i16') dv.setInt16(o, Number(v));
    else if (kind === 'i32') dv.setInt32(o, Number(v));
    else if (kind === 'i64') dv.setBigInt64(o, BigInt(v));
    else if (kind === 'f32') dv.setFloat32(o, Number(v));
    else dv.setFloat64(o, Number(v));
  });
  return out;
}

describe('swapBytes', () => {
  for (const size of [2, 4, 8] as const) {
    it(`native and JavaScript swaps agree and reverse each ${size}-byte element (aligned and not)`, () => {
      const src = randomBytes(8 * 1001, size);
      for (const offset of [0, 1, 3, 8]) {
        const len = size * 997;
        const a = new Uint8Array(len + 16);
        a.set(src.subarray(0, len), offset);
        const b = a.slice();
        swapBytes(a.subarray(offset, offset + len), size);
        swapBytesJs(b.subarray(offset, offset + len), size);
        expect(b).toEqual(a);
        const expected = new Uint8Array(len);
        for (let i = 0; i < len; i += size) {
          for (let j = 0; j < size; j++) expected[i + j] = src[i + size - 1 - j]!;
        }
        expect(a.subarray(offset, offset + len)).toEqual(expected);
      }
    });
  }
});

describe('decodePixels', () => {
  it('BITPIX 8 gives uint8; BZERO -128 gives int8', () => {
    expect(decodePixels(Uint8Array.of(0, 1, 255), { bitpix: 8, bzero: 0, bscale: 1 })).toEqual(Uint8Array.of(0, 1, 255));
    const i8 = decodePixels(Uint8Array.of(0, 127, 128, 255, 3), { bitpix: 8, bzero: -128, bscale: 1 });
    expect(i8).toBeInstanceOf(Int8Array);
    expect(nums(i8)).toEqual([-128, -1, 0, 127, -125]);
  });

  it('BITPIX 16 gives int16; BZERO 32768 gives uint16 (odd lengths too)', () => {
    const values = [0, 1, -1, 32767, -32768, 1234, -4321];
    const i16 = decodePixels(beBytes(values, 'i16'), { bitpix: 16, bzero: 0, bscale: 1 });
    expect(i16).toBeInstanceOf(Int16Array);
    expect(nums(i16)).toEqual(values);
    const u16 = decodePixels(beBytes(values, 'i16'), { bitpix: 16, bzero: 32768, bscale: 1 });
    expect(u16).toBeInstanceOf(Uint16Array);
    expect(nums(u16)).toEqual(values.map((v) => v + 32768));
  });

  it('BITPIX 32 gives int32; BZERO 2^31 gives uint32', () => {
    const values = [0, 1, -1, 2147483647, -2147483648, 123456789];
    expect(nums(decodePixels(beBytes(values, 'i32'), { bitpix: 32, bzero: 0, bscale: 1 }))).toEqual(values);
    const u32 = decodePixels(beBytes(values, 'i32'), { bitpix: 32, bzero: 2147483648, bscale: 1 });
    expect(u32).toBeInstanceOf(Uint32Array);
    expect(nums(u32)).toEqual(values.map((v) => v + 2147483648));
  });

  it('BITPIX 64 gives BigInt64Array; BZERO 2^63 gives BigUint64Array', () => {
    const values = [0n, 1n, -1n, 9223372036854775807n, -9223372036854775808n, 1234567890123456789n];
    const i64 = decodePixels(beBytes(values, 'i64'), { bitpix: 64, bzero: 0, bscale: 1 });
    expect(i64).toBeInstanceOf(BigInt64Array);
    expect(Array.from(i64 as BigInt64Array)).toEqual(values);
    const u64 = decodePixels(beBytes(values, 'i64'), { bitpix: 64, bzero: 9223372036854775808, bscale: 1 });
    expect(u64).toBeInstanceOf(BigUint64Array);
    expect(Array.from(u64 as BigUint64Array)).toEqual(values.map((v) => v + 9223372036854775808n));
  });

  it('BITPIX -32 and -64 give floats, NaN and infinities included', () => {
    const values = [0, -0, 1.5, -2.25e-30, Number.NaN, Number.POSITIVE_INFINITY, 3.4e38];
    const f32 = decodePixels(beBytes(values, 'f32'), { bitpix: -32, bzero: 0, bscale: 1 });
    expect(f32).toBeInstanceOf(Float32Array);
    expect(nums(f32)).toEqual(values.map(Math.fround));
    const f64 = decodePixels(beBytes(values, 'f64'), { bitpix: -64, bzero: 0, bscale: 1 });
    expect(f64).toBeInstanceOf(Float64Array);
    expect(nums(f64)).toEqual(values);
  });

  it('scaled integers become float32 (BITPIX 8, 16) or float64 (32, 64), BLANK becomes NaN', () => {
    const f16 = decodePixels(beBytes([0, 10, -7, 99], 'i16'), { bitpix: 16, bzero: 1.5, bscale: 0.25, blank: 99 });
    expect(f16).toBeInstanceOf(Float32Array);
    expect(nums(f16)).toEqual([1.5, 4, -0.25, Number.NaN]);
    const f8 = decodePixels(Uint8Array.of(0, 255), { bitpix: 8, bzero: 0, bscale: 2 });
    expect(f8).toBeInstanceOf(Float32Array);
    expect(nums(f8)).toEqual([0, 510]);
    const f32 = decodePixels(beBytes([-5, 5, -2147483648], 'i32'), { bitpix: 32, bzero: 100, bscale: 0.5, blank: -2147483648 });
    expect(f32).toBeInstanceOf(Float64Array);
    expect(nums(f32)).toEqual([97.5, 102.5, Number.NaN]);
    const big = 2n ** 60n + 12345n;
    const f64 = decodePixels(beBytes([-3n, big, -1n], 'i64'), { bitpix: 64, bzero: 1, bscale: 2, blank: -1n });
    expect(f64).toBeInstanceOf(Float64Array);
    expect(nums(f64)).toEqual([-5, Number(big) * 2 + 1, Number.NaN]);
    // the pseudo-unsigned BZERO with BSCALE != 1 is an ordinary scaled image
    expect(decodedPixelType({ bitpix: 16, bzero: 32768, bscale: 2 })).toBe('float32');
    // a BLANK in an unscaled integer image is left as stored
    expect(nums(decodePixels(beBytes([7, 8], 'i16'), { bitpix: 16, bzero: 0, bscale: 1, blank: 7 }))).toEqual([7, 8]);
  });

  it('scaled floats stay in their own precision', () => {
    const out = decodePixels(beBytes([1, 2], 'f32'), { bitpix: -32, bzero: 0.1, bscale: 3 });
    expect(out).toBeInstanceOf(Float32Array);
    expect(nums(out)).toEqual([Math.fround(3 + Math.fround(0.1)), Math.fround(6 + Math.fround(0.1))]);
  });

  it('decodes in place only when asked and aligned, and copies unaligned input', () => {
    const backing = new Uint8Array(24);
    backing.set(beBytes([1, 2, 3, 4], 'i32'), 8);
    const aligned = backing.subarray(8, 24);
    const copy = decodePixels(aligned, { bitpix: 32, bzero: 0, bscale: 1 });
    expect(copy.buffer).not.toBe(backing.buffer);
    expect(aligned[3]).toBe(1); // untouched
    const inPlace = decodePixels(aligned, { bitpix: 32, bzero: 0, bscale: 1 }, { inPlace: true });
    expect(inPlace.buffer).toBe(backing.buffer);
    expect(nums(inPlace)).toEqual([1, 2, 3, 4]);
    const odd = new Uint8Array(17);
    odd.set(beBytes([5, 6, 7, 8], 'i32'), 1);
    expect(nums(decodePixels(odd.subarray(1), { bitpix: 32, bzero: 0, bscale: 1 }, { inPlace: true }))).toEqual([5, 6, 7, 8]);
  });

  it('rejects an invalid BITPIX, a partial pixel and BSCALE = 0 with typed errors', () => {
    expect(() => decodePixels(new Uint8Array(4), { bitpix: 12 as FitsBitpix, bzero: 0, bscale: 1 })).toThrow(FitsFormatError);
    expect(() => decodePixels(new Uint8Array(3), { bitpix: 16, bzero: 0, bscale: 1 }, { location: { file: 'x.fits', hdu: 2 } })).toThrow(
      /^x\.fits, HDU 2: 3 bytes are not a whole number/,
    );
    expect(() => decodePixels(new Uint8Array(4), { bitpix: 16, bzero: 0, bscale: 0 })).toThrow(FitsUnsupportedError);
  });
});

describe('decodeStoredPixels', () => {
  it('gives what decodePixels gives for the same values in host order', () => {
    const cases: [FitsStoredPixelArray, { bitpix: FitsBitpix; bzero: number; bscale: number; blank?: number }][] = [
      [Uint8Array.of(0, 1, 128, 255), { bitpix: 8, bzero: 0, bscale: 1 }],
      [Uint8Array.of(0, 1, 128, 255), { bitpix: 8, bzero: -128, bscale: 1 }],
      [Int16Array.of(-32768, -1, 0, 32767, 5), { bitpix: 16, bzero: 32768, bscale: 1 }],
      [Int16Array.of(-32768, -1, 0, 32767, 5), { bitpix: 16, bzero: 100, bscale: 0.5, blank: -1 }],
      [Int32Array.of(-2147483648, -1, 0, 2147483647), { bitpix: 32, bzero: 2147483648, bscale: 1 }],
      [Int32Array.of(-2147483648, -1, 0, 7), { bitpix: 32, bzero: 1.5, bscale: 3, blank: 7 }],
      [BigInt64Array.of(-5n, 0n, 1n << 62n), { bitpix: 64, bzero: 9223372036854775808, bscale: 1 }],
      [BigInt64Array.of(-5n, 0n, 1n << 62n), { bitpix: 64, bzero: 2, bscale: 0.25 }],
      [Float32Array.of(1.5, Number.NaN, -0), { bitpix: -32, bzero: 1, bscale: 2 }],
      [Float64Array.of(1.5, Number.NaN, -0), { bitpix: -64, bzero: 0, bscale: 1 }],
    ];
    for (const [stored, format] of cases) {
      const bigEndian = new Uint8Array(stored.byteLength);
      bigEndian.set(new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength));
      swapBytes(bigEndian, stored.BYTES_PER_ELEMENT as 1 | 2 | 4 | 8);
      const want = decodePixels(bigEndian, format);
      const got = decodeStoredPixels(stored.slice(), format);
      expect(got.constructor).toBe(want.constructor);
      expect(Array.from(got as ArrayLike<number | bigint>)).toEqual(Array.from(want as ArrayLike<number | bigint>));
    }
  });

  it('converts in place when asked, and checks the array type', () => {
    const stored = Int16Array.of(-32768, 0);
    const u = decodeStoredPixels(stored, { bitpix: 16, bzero: 32768, bscale: 1 }, { inPlace: true });
    expect(u.buffer).toBe(stored.buffer);
    expect(nums(u)).toEqual([0, 32768]);
    expect(() => decodeStoredPixels(new Int32Array(2), { bitpix: 16, bzero: 0, bscale: 1 })).toThrow(FitsFormatError);
    expect(() => decodeStoredPixels(new Int16Array(2), { bitpix: 16, bzero: 0, bscale: 0 })).toThrow(FitsUnsupportedError);
  });
});

describe('encodePixels', () => {
  const cases = [
    Uint8Array.of(0, 1, 200, 255),
    Int8Array.of(-128, -1, 0, 127, 5),
    Int16Array.of(-32768, -1, 0, 32767, 3),
    Uint16Array.of(0, 1, 32768, 65535, 7),
    Int32Array.of(-2147483648, -1, 0, 2147483647),
    Uint32Array.of(0, 1, 2147483648, 4294967295),
    BigInt64Array.of(-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n),
    BigUint64Array.of(0n, 1n, 2n ** 63n, 2n ** 64n - 1n),
    Float32Array.of(0, -0, 1.5, Number.NaN, Number.NEGATIVE_INFINITY),
    Float64Array.of(0, -0, 1e-300, Number.NaN, Number.POSITIVE_INFINITY),
  ];
  for (const data of cases) {
    it(`round-trips ${pixelTypeOf(data)} through its BITPIX/BZERO`, () => {
      const { bytes, bitpix, bzero, bscale } = encodePixels(data);
      expect(bscale).toBe(1);
      const back = decodePixels(bytes, { bitpix, bzero, bscale });
      expect(pixelTypeOf(back)).toBe(pixelTypeOf(data));
      expect(back).toEqual(data);
      // and the stored bytes are what a DataView big-endian writer gives for stored = value - BZERO
      const stored = Array.from(data as ArrayLike<number | bigint>, (v) =>
        typeof v === 'bigint' ? v - BigInt(bzero) : (v as number) - bzero,
      );
      const kind = ({ 8: 'i8', 16: 'i16', 32: 'i32', 64: 'i64', [-32]: 'f32', [-64]: 'f64' } as const)[bitpix];
      const expected = bitpix === 8 && bzero === 0 ? Uint8Array.from(stored as number[]) : beBytes(stored, kind);
      expect(bytes).toEqual(expected);
      expect(pixelFormatOf(data).bitpix).toBe(bitpix);
    });
  }

  it('encodes a range into an unaligned output buffer', () => {
    const data = Int32Array.of(10, 20, 30, 40);
    const out = new Uint8Array(13);
    encodePixelsInto(data, 1, 4, out.subarray(1));
    expect(out.subarray(1)).toEqual(beBytes([20, 30, 40], 'i32'));
    expect(() => encodePixelsInto(data, 2, 5, out)).toThrow(RangeError);
  });
});
