import { describe, expect, it } from 'vitest';
import { FitsFormatError } from '../src/errors.js';
import {
  N_RANDOM,
  NULL_VALUE,
  ZERO_VALUE,
  dequantize,
  ditherRandomValues,
  ditherSeedIndex,
} from '../src/compression/quantize.js';

const M = 2147483647;

describe('the dither sequence', () => {
  it('is the Park–Miller minimal standard sequence from seed 1, as float32', () => {
    const r = ditherRandomValues();
    expect(r.length).toBe(N_RANDOM);
    // The first seeds of the minimal standard generator (Park & Miller 1988).
    const seeds = [16807, 282475249, 1622650073, 984943658, 1144108930, 470211272, 101027544, 1457850878];
    seeds.forEach((s, i) => expect(r[i]).toBe(Math.fround(s / M)));
    // Park & Miller's check value: starting from 1, the 10000th seed is 1043618065.
    expect(r[N_RANDOM - 1]).toBe(Math.fround(1043618065 / M));
    expect(ditherRandomValues()).toBe(r);
  });

  it('starts tile t at (t + ZDITHER0 - 1) mod 10000', () => {
    expect(ditherSeedIndex(0, 1)).toBe(0);
    expect(ditherSeedIndex(4, 17)).toBe(20);
    expect(ditherSeedIndex(3, 9999)).toBe(1);
    expect(ditherSeedIndex(0, 10000)).toBe(9999);
  });
});

describe('dequantize', () => {
  it('applies ZSCALE and ZZERO without dithering for NO_DITHER', () => {
    const out = dequantize(Int32Array.of(0, 10, -3, NULL_VALUE), new Float64Array(4), {
      method: 'NO_DITHER',
      scale: 0.25,
      zero: 100,
      tileIndex: 5,
      blank: NULL_VALUE,
    });
    expect(Array.from(out)).toEqual([100, 102.5, 99.25, Number.NaN]);
  });

  it('subtracts the dither values of the tile for SUBTRACTIVE_DITHER_1', () => {
    const r = ditherRandomValues();
    const tile = 2;
    const dither0 = 7;
    const iseed = (tile + dither0 - 1) % N_RANDOM; // 8
    const start = Math.trunc(r[iseed]! * 500);
    const input = Int32Array.of(10, 11, 12);
    const out = dequantize(input, new Float64Array(3), { method: 'SUBTRACTIVE_DITHER_1', scale: 2, zero: -1, tileIndex: tile, dither0 });
    for (let i = 0; i < 3; i++) expect(out[i]).toBe((input[i]! - r[start + i]! + 0.5) * 2 - 1);
    // Float32 output is the double result rounded once.
    const out32 = dequantize(input, new Float32Array(3), { method: 'SUBTRACTIVE_DITHER_1', scale: 2, zero: -1, tileIndex: tile, dither0 });
    expect(Array.from(out32)).toEqual(Array.from(out, Math.fround));
  });

  it('moves to the next seed when the sequence runs out', () => {
    const r = ditherRandomValues();
    // Find a seed whose start index is close to the end of the table.
    const iseed = Array.from(r).findIndex((v) => Math.trunc(v * 500) >= 495);
    const start = Math.trunc(r[iseed]! * 500);
    const n = N_RANDOM - start + 3;
    const out = dequantize(new Int32Array(n), new Float64Array(n), {
      method: 'SUBTRACTIVE_DITHER_1',
      scale: 1,
      zero: 0,
      tileIndex: iseed,
      dither0: 1,
    });
    const next = Math.trunc(r[iseed + 1]! * 500);
    expect(out[n - 4]).toBe(-r[N_RANDOM - 1]! + 0.5);
    expect(out[n - 3]).toBe(-r[next]! + 0.5);
    expect(out[n - 1]).toBe(-r[next + 2]! + 0.5);
  });

  it('keeps ZERO_VALUE pixels exactly 0 with SUBTRACTIVE_DITHER_2, and nulls as NaN', () => {
    const out = dequantize(Int32Array.of(ZERO_VALUE, 5, NULL_VALUE), new Float32Array(3), {
      method: 'SUBTRACTIVE_DITHER_2',
      scale: 3,
      zero: 1000,
      tileIndex: 0,
      blank: NULL_VALUE,
    });
    expect(out[0]).toBe(0);
    expect(out[1]).not.toBe(0);
    expect(out[2]).toBeNaN();
    // With SUBTRACTIVE_DITHER_1 the same integer is an ordinary value.
    const d1 = dequantize(Int32Array.of(ZERO_VALUE), new Float64Array(1), { method: 'SUBTRACTIVE_DITHER_1', scale: 1, zero: 0, tileIndex: 0 });
    expect(d1[0]).toBeLessThan(-2e9);
  });

  it('rejects NONE and a short output', () => {
    expect(() => dequantize(new Int32Array(1), new Float32Array(1), { method: 'NONE', scale: 1, zero: 0, tileIndex: 0 })).toThrow(FitsFormatError);
    expect(() => dequantize(new Int32Array(2), new Float32Array(1), { method: 'NO_DITHER', scale: 1, zero: 0, tileIndex: 0 })).toThrow(FitsFormatError);
  });
});
