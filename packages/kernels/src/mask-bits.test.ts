import { describe, expect, it } from 'vitest';
import { KernelsInvalidArgumentError } from './errors.js';
import { maskBits } from './mask-bits.js';

describe('maskBits', () => {
  it('clears and sets bits of a small plane', () => {
    const plane = Int32Array.of(0b0111, 0b0001, 0, -1);
    maskBits(plane, ~0b0011, 0b1000, { width: 4, height: 1 });
    expect([...plane]).toEqual([0b1100, 0b1000, 0b1000, ~0b0011]);
  });

  it('rejects bit masks that are not int32 values and boxes that do not fit', () => {
    const plane = new Int32Array(16);
    expect(() => maskBits(plane, 0xffffffff, 0, { width: 4, height: 4 })).toThrow(KernelsInvalidArgumentError);
    expect(() => maskBits(plane, -1, 0.5, { width: 4, height: 4 })).toThrow(/int32/);
    expect(() => maskBits(plane, -1, 0, { width: 4, height: 5 })).toThrow(KernelsInvalidArgumentError);
  });
});
