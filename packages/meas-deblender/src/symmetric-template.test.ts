import { Box2I, Point2I } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import type { FootprintPixels } from './footprint-pixels.js';
import { buildSymmetricTemplate, trimTemplate } from './symmetric-template.js';

/** Parent pixels over a W×H box at (x0, y0) with a value function; every pixel in the footprint unless `inside` says otherwise. */
function pixels(x0: number, y0: number, W: number, H: number, f: (x: number, y: number) => number, inside: (x: number, y: number) => boolean = () => true, imageBBox?: Box2I): FootprintPixels {
  const image = new Float32Array(W * H);
  const inFootprint = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (!inside(x + x0, y + y0)) continue;
      image[y * W + x] = f(x + x0, y + y0);
      inFootprint[y * W + x] = 1;
    }
  }
  const bbox = new Box2I(new Point2I(x0, y0), new Point2I(x0 + W - 1, y0 + H - 1));
  return { bbox, image, variance: new Float32Array(W * H).fill(1), inFootprint, imageBBox: imageBBox ?? bbox };
}

const gauss = (cx: number, cy: number, a: number, s: number) => (x: number, y: number) => a * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s));

describe('buildSymmetricTemplate', () => {
  it('returns a source symmetric about its peak unchanged', () => {
    const f = gauss(20, 15, 100, 2);
    const { template, patched } = buildSymmetricTemplate(pixels(10, 5, 21, 21, f), 20, 15);
    expect(patched).toBe(false);
    const t = template!;
    const W = t.bbox.getWidth();
    for (let y = t.bbox.getMinY(); y <= t.bbox.getMaxY(); y++) {
      for (let x = t.bbox.getMinX(); x <= t.bbox.getMaxX(); x++) expect(t.data[(y - t.bbox.getMinY()) * W + x - t.bbox.getMinX()]).toBeCloseTo(Math.fround(f(x, y)), 4);
    }
  });

  it('takes the smaller of each pixel and its mirror, so a neighbour is removed', () => {
    const a = gauss(20, 20, 100, 2);
    const b = gauss(27, 20, 80, 2);
    const f = (x: number, y: number) => a(x, y) + b(x, y);
    const { template } = buildSymmetricTemplate(pixels(5, 5, 31, 31, f), 20, 20);
    const t = template!;
    const at = (x: number, y: number) => t.data[(y - t.bbox.getMinY()) * t.bbox.getWidth() + x - t.bbox.getMinX()]!;
    // at the neighbour's peak the mirror pixel (13, 20) has only star a's wing (plus b's far wing)
    expect(at(27, 20)).toBeCloseTo(Math.fround(f(13, 20)), 3);
    expect(at(27, 20)).toBeLessThan(0.01 * f(27, 20));
    // the peak itself keeps its value
    expect(at(20, 20)).toBeCloseTo(Math.fround(f(20, 20)), 3);
  });

  it('clips at the mirror of the footprint edge, or patches pixels whose mirror is off the image (noclip)', () => {
    // a footprint box [0, 9] × [0, 9] and a peak at (2, 5): mirrors of x > 4 fall off the image
    const f = () => 10;
    const clipped = buildSymmetricTemplate(pixels(0, 0, 10, 10, f), 2, 5).template!;
    expect(clipped.bbox.getMinX()).toBe(0);
    expect(clipped.bbox.getMaxX()).toBe(4);
    const patched = buildSymmetricTemplate(pixels(0, 0, 10, 10, f), 2, 5, true);
    expect(patched.patched).toBe(true);
    expect(patched.template!.bbox.getMaxX()).toBe(9);
  });

  it('never goes below zero and returns undefined when nothing is positive', () => {
    const neg = buildSymmetricTemplate(pixels(0, 0, 5, 5, () => -3), 2, 2);
    expect(neg.template).toBeUndefined();
  });

  it('trimTemplate shrinks the box to the positive pixels', () => {
    const data = new Float32Array(25);
    data[2 * 5 + 3] = 1;
    const t = trimTemplate({ bbox: new Box2I(new Point2I(10, 10), new Point2I(14, 14)), data })!;
    expect(t.bbox.toString()).toBe(new Box2I(new Point2I(13, 12), new Point2I(13, 12)).toString());
    expect(Array.from(t.data)).toEqual([1]);
  });
});
