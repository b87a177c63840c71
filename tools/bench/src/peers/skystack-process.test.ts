// The catalog a SkyStack row's process sends back keeps every value exactly, NaN included.
import { describe, expect, it } from 'vitest';
import { packDetections, unpackDetections } from './skystack-process.js';

describe('packDetections / unpackDetections', () => {
  it('round-trips positions and fluxes bit for bit, NaN and infinities included', () => {
    const detections = [
      { x: 0.1 + 0.2, y: -0, apertureFlux: Number.NaN },
      { x: 4095.499999999999, y: 1e-300, apertureFlux: Number.POSITIVE_INFINITY },
      { x: -1, y: 2 ** 52 + 1, apertureFlux: -123.456 },
    ];
    const back = unpackDetections(packDetections(detections));
    expect(back).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      for (const k of ['x', 'y', 'apertureFlux'] as const) expect(Object.is(back[i]![k], detections[i]![k])).toBe(true);
    }
    // JSON alone would have turned the NaN into null
    expect(JSON.parse(JSON.stringify(detections))[0].apertureFlux).toBeNull();
  });

  it('packs an empty catalog to an empty one', () => {
    expect(unpackDetections(packDetections([]))).toEqual([]);
  });

  it('refuses bytes that are not whole (x, y, flux) triples', () => {
    expect(() => unpackDetections(Buffer.from(new Float64Array(4).buffer).toString('base64'))).toThrow(/32 bytes, not a whole number of \(x, y, flux\) float64 triples/);
  });
});
