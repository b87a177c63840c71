import { describe, expect, it } from 'vitest';
import { KernelsInvalidArgumentError } from './errors.js';
import { poissonVariance } from './variance.js';

describe('poissonVariance', () => {
  it('writes I/g + (rn/g)² over whole rows by default', () => {
    const image = Float32Array.of(0, 10, -4, 17, 3.4, 1e6);
    const variance = new Float32Array(6).fill(99);
    poissonVariance(image, variance, { width: 3, height: 2, gain: 2, readNoise: 3 });
    // 2.25 = (3/2)²
    expect(Array.from(variance)).toEqual([2.25, 7.25, 0.25, 10.75, Math.fround(1.7 + 2.25), 500002.25]);
  });

  it('reads the read noise as 0 when not given, and adds to the plane with accumulate', () => {
    const variance = Float32Array.of(1, 2);
    poissonVariance(Float64Array.of(3, 4), variance, { width: 2, height: 1, gain: 1, accumulate: true });
    expect(Array.from(variance)).toEqual([4, 6]);
  });

  it('rejects a gain that is not positive, and planes too short for the box, before writing', () => {
    const variance = new Float32Array(4).fill(7);
    expect(() => poissonVariance(new Float32Array(4), variance, { width: 2, height: 2, gain: 0 })).toThrow(KernelsInvalidArgumentError);
    expect(() => poissonVariance(new Float32Array(4), variance, { width: 2, height: 2, gain: NaN })).toThrow(/gain must be positive/);
    expect(() => poissonVariance(new Float32Array(3), variance, { width: 2, height: 2, gain: 1 })).toThrow(/image plane \(3 values/);
    expect(() => poissonVariance(new Float32Array(8), variance, { width: 2, height: 2, gain: 1, stride: 3 })).toThrow(/variance plane/);
    expect(Array.from(variance)).toEqual([7, 7, 7, 7]);
  });

  it('does nothing for an empty box', () => {
    const variance = Float32Array.of(5);
    poissonVariance(new Float32Array(0), variance, { width: 0, height: 3, gain: 1 });
    expect(variance[0]).toBe(5);
  });
});
