import { Box2I, Point2I } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { medianFilterTemplate } from './median-filter.js';
import type { TemplateImage } from './symmetric-template.js';

function template(W: number, H: number, f: (x: number, y: number) => number): TemplateImage {
  const data = new Float32Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = f(x, y);
  return { bbox: new Box2I(new Point2I(3, 4), new Point2I(3 + W - 1, 4 + H - 1)), data };
}

describe('medianFilterTemplate', () => {
  it('removes a single hot pixel and keeps a plane (the median of a symmetric window of a plane is its centre)', () => {
    const plane = (x: number, y: number) => 10 + x + 2 * y;
    const t = template(11, 9, (x, y) => plane(x, y) + (x === 5 && y === 4 ? 1000 : 0));
    medianFilterTemplate(t, 2);
    for (let y = 2; y < 7; y++) for (let x = 2; x < 9; x++) expect(t.data[y * 11 + x]).toBe(plane(x, y));
  });

  it('keeps the border pixels and zero pixels, and skips templates smaller than the window', () => {
    const t = template(7, 7, (x, y) => (x === 3 && y === 3 ? 0 : 5 + x * y));
    const before = t.data.slice();
    medianFilterTemplate(t, 2);
    for (let y = 0; y < 7; y++) {
      for (let x = 0; x < 7; x++) if (x < 2 || y < 2 || x > 4 || y > 4 || (x === 3 && y === 3)) expect(t.data[y * 7 + x]).toBe(before[y * 7 + x]);
    }
    const small = template(4, 4, (x) => x);
    const s0 = small.data.slice();
    medianFilterTemplate(small, 2);
    expect(Array.from(small.data)).toEqual(Array.from(s0));
  });
});
