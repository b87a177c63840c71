import { describe, expect, it } from 'vitest';
import { makeRandom } from '../test/synthetic.js';
import { circlePixelMoments, circlePixelOverlap } from './circle-pixel-overlap.js';

/** Brute force: area and first moments by an n × n midpoint grid over the rectangle. */
function bruteForce(r: number, x0: number, x1: number, y0: number, y1: number, n = 1000): [number, number, number] {
  let a = 0;
  let mx = 0;
  let my = 0;
  const dx = (x1 - x0) / n;
  const dy = (y1 - y0) / n;
  for (let j = 0; j < n; j++) {
    const y = y0 + (j + 0.5) * dy;
    for (let i = 0; i < n; i++) {
      const x = x0 + (i + 0.5) * dx;
      if (x * x + y * y < r * r) {
        a += 1;
        mx += x;
        my += y;
      }
    }
  }
  const da = dx * dy;
  return [a * da, mx * da, my * da];
}

describe('circlePixelOverlap / circlePixelMoments', () => {
  it('tiles the circle: the pixel areas sum to πr² and the moments to 0', () => {
    for (const [r, cx, cy] of [
      [3, 0.3, -0.2],
      [4.5, 0.49, 0.01],
      [9.2, -0.37, 0.41],
    ] as const) {
      let area = 0;
      let mx = 0;
      const m = new Float64Array(3);
      for (let y = -12; y <= 12; y++) {
        for (let x = -12; x <= 12; x++) {
          circlePixelMoments(r, x - 0.5 - cx, x + 0.5 - cx, y - 0.5 - cy, y + 0.5 - cy, m);
          area += m[0]!;
          mx += m[1]!;
        }
      }
      expect(area).toBeCloseTo(Math.PI * r * r, 10);
      expect(mx).toBeCloseTo(0, 10);
    }
  });

  it('agrees with brute-force integration on random rectangles', () => {
    const u = makeRandom(9);
    for (let k = 0; k < 30; k++) {
      const r = 0.5 + 3 * u();
      const x0 = -4 + 8 * u();
      const y0 = -4 + 8 * u();
      const x1 = x0 + 0.2 + 1.5 * u();
      const y1 = y0 + 0.2 + 1.5 * u();
      const [a, mx, my] = bruteForce(r, x0, x1, y0, y1);
      expect(circlePixelOverlap(r, x0, x1, y0, y1)).toBeCloseTo(a, 4);
      const m = circlePixelMoments(r, x0, x1, y0, y1);
      expect(m[1]).toBeCloseTo(mx, 3);
      expect(m[2]).toBeCloseTo(my, 3);
    }
  });

  it('gives 1 inside, 0 outside and π for a unit circle in a big box', () => {
    expect(circlePixelOverlap(10, -0.5, 0.5, -0.5, 0.5)).toBe(1);
    expect(circlePixelOverlap(1, 2, 3, 2, 3)).toBe(0);
    expect(circlePixelOverlap(1, -2, 2, -2, 2)).toBeCloseTo(Math.PI, 12);
  });
});
