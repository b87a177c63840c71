import { Box2I, Point2I } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { MeasDeblenderInvalidArgumentError } from './errors.js';
import { makeMonotonic } from './make-monotonic.js';
import type { TemplateImage } from './symmetric-template.js';

function template(W: number, H: number, f: (x: number, y: number) => number): TemplateImage {
  const data = new Float32Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = f(x, y);
  return { bbox: new Box2I(new Point2I(0, 0), new Point2I(W - 1, H - 1)), data };
}

describe('makeMonotonic', () => {
  it('leaves a profile that falls away from the peak unchanged', () => {
    const f = (x: number, y: number) => 100 * Math.exp(-((x - 8) ** 2 + (y - 7) ** 2) / 8);
    const t = template(17, 15, f);
    const before = t.data.slice();
    makeMonotonic(t, 8, 7);
    expect(Array.from(t.data)).toEqual(Array.from(before));
  });

  it('clips a second bump to the level of the pixels between it and the peak', () => {
    const f = (x: number, y: number) => 100 * Math.exp(-((x - 5) ** 2 + (y - 5) ** 2) / 4) + 60 * Math.exp(-((x - 11) ** 2 + (y - 5) ** 2) / 4);
    const t = template(17, 11, f);
    makeMonotonic(t, 5, 5);
    const at = (x: number, y: number) => t.data[y * 17 + x]!;
    // along the row through both peaks the values never rise going outwards
    for (let x = 6; x < 17; x++) expect(at(x, 5)).toBeLessThanOrEqual(at(x - 1, 5));
    for (let x = 4; x >= 0; x--) expect(at(x, 5)).toBeLessThanOrEqual(at(x + 1, 5));
    // the bump is gone: at most the saddle value
    const saddle = Math.min(...[6, 7, 8].map((x) => f(x, 5)));
    expect(at(11, 5)).toBeLessThanOrEqual(Math.fround(saddle) + 1e-6);
    // every pixel is at most its inward neighbour on the ring walk, so at most the peak
    expect(Math.max(...t.data)).toBe(at(5, 5));
  });

  it('rejects a peak outside the box', () => {
    expect(() => makeMonotonic(template(3, 3, () => 1), 5, 5)).toThrow(MeasDeblenderInvalidArgumentError);
  });
});
