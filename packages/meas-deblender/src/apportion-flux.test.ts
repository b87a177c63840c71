import { MaskedImage } from '@skystack/afw-image';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { apportionFlux, type ApportionTemplate } from './apportion-flux.js';
import type { FootprintPixels } from './footprint-pixels.js';

const W = 12;
const H = 3;
const BOX = new Box2I(new Point2I(0, 0), new Point2I(W - 1, H - 1));

/** A 12×3 image whose every pixel is in the footprint, values 1..36. */
function scene(): { parent: FootprintPixels; mi: MaskedImage } {
  const mi = MaskedImage.make('float32', new Extent2I(W, H));
  const img = mi.image.array.data;
  for (let i = 0; i < W * H; i++) img[i] = i + 1;
  const parent: FootprintPixels = { bbox: BOX, image: Float32Array.from(img), variance: new Float32Array(W * H).fill(1), inFootprint: new Uint8Array(W * H).fill(1), imageBBox: BOX };
  return { parent, mi };
}

/** A template over columns [xa, xb] (all rows) with value v. */
function flat(xa: number, xb: number, v: number, peakX: number, deblendedAsPsf = false): ApportionTemplate {
  const w = xb - xa + 1;
  return { template: { bbox: new Box2I(new Point2I(xa, 0), new Point2I(xb, H - 1)), data: new Float32Array(w * H).fill(v) }, peakX, peakY: 1, deblendedAsPsf };
}

/** Pixel value of a portion at (x, y), 0 when absent. */
function valueAt(p: { spans: { ys: Int32Array; x0s: Int32Array; x1s: Int32Array }; image: Float32Array }, x: number, y: number): number {
  let k = 0;
  for (let s = 0; s < p.spans.ys.length; s++) {
    for (let xx = p.spans.x0s[s]!; xx <= p.spans.x1s[s]!; xx++, k++) if (p.spans.ys[s] === y && xx === x) return p.image[k]!;
  }
  return 0;
}

describe('apportionFlux', () => {
  it('splits each pixel in proportion to the templates (I·Tᵢ/ΣT) and conserves it', () => {
    const { parent, mi } = scene();
    const portions = apportionFlux(parent, mi, [flat(0, 7, 3, 2), flat(4, 11, 1, 9)]);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const v = y * W + x + 1;
        const a = valueAt(portions[0]!, x, y);
        const b = valueAt(portions[1]!, x, y);
        expect(a + b).toBeCloseTo(v, 5);
        if (x >= 4 && x <= 7) expect(a).toBeCloseTo((v * 3) / 4, 5);
      }
    }
    expect(portions[0]!.spans.getArea()).toBe(24);
    expect(portions[0]!.hasStrayFlux).toBe(false);
  });

  it("gives stray pixels to no child with 'trim', in 1/(1+r²) shares with 'r-to-peak'", () => {
    const { parent, mi } = scene();
    const templates = [flat(0, 2, 1, 1), flat(9, 11, 1, 10)];
    const trimmed = apportionFlux(parent, mi, templates, { strayFluxRule: 'trim' });
    expect(trimmed[0]!.spans.getArea() + trimmed[1]!.spans.getArea()).toBe(18);
    const shared = apportionFlux(parent, mi, templates, { strayFluxRule: 'r-to-peak' });
    expect(shared[0]!.hasStrayFlux && shared[1]!.hasStrayFlux).toBe(true);
    // pixel (4, 0): r² = 9 + 1 to peak (1, 1), 36 + 1 to peak (10, 1)
    const wa = 1 / 11;
    const wb = 1 / 38;
    expect(valueAt(shared[0]!, 4, 0)).toBeCloseTo((5 * wa) / (wa + wb), 4);
    let total = 0;
    for (const p of shared) total += p.image.reduce((s, v) => s + v, 0);
    expect(total).toBeCloseTo((36 * 37) / 2, 3);
  });

  it("gives each stray pixel to the nearest template ('nearest-footprint') and respects strayFluxToPointSources", () => {
    const { parent, mi } = scene();
    const near = apportionFlux(parent, mi, [flat(0, 2, 1, 1), flat(9, 11, 1, 10)], { strayFluxRule: 'nearest-footprint' });
    expect(valueAt(near[0]!, 4, 1)).toBe(17);
    expect(valueAt(near[1]!, 4, 1)).toBe(0);
    expect(valueAt(near[1]!, 7, 1)).toBe(20);
    // the first peak is a point source and the second is not: 'necessary' gives all stray flux to the second
    const psf = apportionFlux(parent, mi, [flat(0, 2, 1, 1, true), flat(9, 11, 1, 10)], { strayFluxRule: 'r-to-peak' });
    expect(psf[0]!.hasStrayFlux).toBe(false);
    expect(valueAt(psf[1]!, 4, 1)).toBe(17);
    // 'never' with only point sources: no stray flux at all
    const never = apportionFlux(parent, mi, [flat(0, 2, 1, 1, true), flat(9, 11, 1, 10, true)], { strayFluxRule: 'r-to-peak', strayFluxToPointSources: 'never' });
    expect(never.some((p) => p.hasStrayFlux)).toBe(false);
  });

  it("clips stray fractions under clipStrayFluxFraction, and 'r-to-footprint' uses the distance to the template", () => {
    const { parent, mi } = scene();
    // pixel (8, 1): r² 50 to peak (1, 1) and 1 to peak (9, 1) → shares 0.0385/0.9615 of total; a 0.05 clip leaves all to the second
    const clipped = apportionFlux(parent, mi, [flat(0, 0, 1, 1), flat(11, 11, 1, 9)], { strayFluxRule: 'r-to-peak', clipStrayFluxFraction: 0.05 });
    expect(valueAt(clipped[1]!, 8, 1)).toBeCloseTo(21, 5);
    expect(valueAt(clipped[0]!, 8, 1)).toBe(0);
    // r-to-footprint at (5, 1): distance 5 to column 0, 6 to column 11
    const fp = apportionFlux(parent, mi, [flat(0, 0, 1, 1), flat(11, 11, 1, 9)], { strayFluxRule: 'r-to-footprint' });
    const wa = 1 / 26;
    const wb = 1 / 37;
    expect(valueAt(fp[0]!, 5, 1)).toBeCloseTo((18 * wa) / (wa + wb), 4);
  });
});
