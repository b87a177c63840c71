import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { BackgroundModel, binGeometry, binsForSize, makeBackground } from './background.js';
import { KernelsUndersampledError } from './errors.js';

function noise(seed: number): () => number {
  let a = seed >>> 0;
  const u = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

const W = 512;
const H = 400;
const SIGMA = 5;
const sky = (x: number, y: number): number => 1000 + 0.05 * x - 0.03 * y + 2e-5 * (x - 200) ** 2;
const DETECTED = 1 << 5;

/** A smooth sky with Gaussian noise and bright masked sources. */
function scene(): { img: Float32Array; mask: Int32Array } {
  const g = noise(11);
  const img = Float32Array.from({ length: W * H }, (_, k) => sky(k % W, Math.floor(k / W)) + SIGMA * g());
  const mask = new Int32Array(W * H);
  for (let s = 0; s < 40; s++) {
    const cx = (s * 97) % W;
    const cy = (s * 61) % H;
    for (let y = Math.max(0, cy - 6); y < Math.min(H, cy + 7); y++) {
      for (let x = Math.max(0, cx - 6); x < Math.min(W, cx + 7); x++) {
        img[y * W + x] = img[y * W + x]! + 5000 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 8);
        mask[y * W + x] = DETECTED;
      }
    }
  }
  return { img, mask };
}

function rmsError(model: Float32Array, x0 = 0, y0 = 0, w = W): number {
  let s = 0;
  for (let k = 0; k < model.length; k++) s += (model[k]! - sky(x0 + (k % w), y0 + Math.floor(k / w))) ** 2;
  return Math.sqrt(s / model.length);
}

describe('background model', () => {
  it("bins follow afw's layout and meas_algorithms' count", () => {
    const g = binGeometry(10, 3);
    expect(Array.from(g.orig)).toEqual([0, 3, 7]);
    expect(Array.from(g.size)).toEqual([3, 4, 3]);
    expect(Array.from(g.cen)).toEqual([1, 4.5, 8]);
    expect(binsForSize(4096, 128)).toBe(33);
    expect(binsForSize(100, 128)).toBe(1);
  });

  it('recovers a smooth sky to well within the noise with sources masked (interpolated and approximated)', () => {
    const { img, mask } = scene();
    const interp = makeBackground(img, W, H, { binSize: 64, mask, andMask: DETECTED });
    // each bin averages ~4000 pixels: its error is ~SIGMA / 63 ≈ 0.08
    expect(rmsError(interp.getImage())).toBeLessThan(0.6);
    const approx = makeBackground(img, W, H, { binSize: 64, mask, andMask: DETECTED, approx: { useApprox: true, approxOrderX: 2 } });
    expect(rmsError(approx.getImage())).toBeLessThan(0.3);
    // unmasked sources bias the plain mean upward; MEANCLIP resists them much better
    const unmaskedMean = makeBackground(img, W, H, { binSize: 64, statisticsProperty: 'MEAN' });
    const unmaskedClip = makeBackground(img, W, H, { binSize: 64 });
    expect(rmsError(unmaskedMean.getImage())).toBeGreaterThan(3 * rmsError(unmaskedClip.getImage()));
  });

  it('a persisted model (binned values + control) evaluates to the same pixels; sub-boxes match', () => {
    const { img, mask } = scene();
    for (const approx of [{ useApprox: false }, { useApprox: true, approxOrderX: 3 }]) {
      const model = makeBackground(img, W, H, { binSize: 100, mask, andMask: DETECTED, approx, x0: 1000, y0: 2000 });
      const again = BackgroundModel.fromStats(model.getStatsImage(), model.bbox, model.control);
      const a = model.getImage();
      expect(Array.from(again.getImage())).toEqual(Array.from(a));
      const box = new Box2I(new Point2I(1100, 2050), new Point2I(1100 + 29, 2050 + 19));
      const sub = model.getImage(box);
      expect(sub.length).toBe(30 * 20);
      for (const [x, y] of [[0, 0], [29, 19], [7, 11]] as const) expect(sub[y * 30 + x]).toBe(a[(50 + y) * W + 100 + x]);
      expect(() => model.getImage(Box2I.fromCorner(new Point2I(0, 0), new Extent2I(5, 5)))).toThrow(/not inside/);
      expect(model.getBinCentersX()[0]).toBeCloseTo(1000 + model.binsX.cen[0]!, 12);
      // into a reused buffer (longer than needed, holding other values): the same pixels
      const reused = new Float32Array(W * H).fill(-7);
      const into = model.getImage(box, reused);
      expect(into.buffer).toBe(reused.buffer);
      expect(Array.from(into)).toEqual(Array.from(sub));
      expect(Array.from(model.getImage(undefined, reused))).toEqual(Array.from(a));
      expect(() => model.getImage(box, new Float32Array(30 * 20 - 1))).toThrow(/needs 600/);
    }
  });

  it('bins without good pixels are NaN and interpolated over', () => {
    const { img, mask } = scene();
    // mask all of the bin (1, 1) of a 64-pixel binning (9 x 7 bins)
    const model0 = makeBackground(img, W, H, { binSize: 64, statisticsProperty: 'MEAN' });
    const bx = model0.binsX;
    const by = model0.binsY;
    for (let y = by.orig[1]!; y < by.orig[1]! + by.size[1]!; y++) for (let x = bx.orig[1]!; x < bx.orig[1]! + bx.size[1]!; x++) mask[y * W + x] = 1;
    const model = makeBackground(img, W, H, { binSize: 64, statisticsProperty: 'MEAN', mask, andMask: 1 | DETECTED });
    const stats = model.getStatsImage();
    expect(Number.isNaN(stats.values[1 * stats.nx + 1]!)).toBe(true);
    const bg = model.getImage();
    expect(bg.every((v) => Number.isFinite(v))).toBe(true);
    const x = Math.round(bx.cen[1]!);
    const y = Math.round(by.cen[1]!);
    expect(Math.abs(bg[y * W + x]! - sky(x, y))).toBeLessThan(3);
  });

  it('undersampling: THROW_EXCEPTION throws, REDUCE_INTERP_ORDER lowers the style and the order', () => {
    const { img } = scene();
    expect(() => makeBackground(img, W, H, { binSize: 200, undersampleStyle: 'THROW_EXCEPTION' }).getImage()).toThrow(KernelsUndersampledError);
    const reduced = makeBackground(img, W, H, { binSize: 200 }); // 3 x 3 bins → CUBIC_SPLINE
    expect(rmsError(reduced.getImage())).toBeLessThan(3);
    const order = makeBackground(img, W, H, { binSize: 200, approx: { useApprox: true, approxOrderX: 6 } });
    expect(order.control.approxOrderX).toBe(2);
    expect(() => makeBackground(img, W, H, { binSize: 200, undersampleStyle: 'THROW_EXCEPTION', approx: { useApprox: true } })).toThrow(/Too few bins/);
    const more = makeBackground(img, W, H, { binSize: 200, undersampleStyle: 'INCREASE_NXNYSAMPLE', approx: { useApprox: true, approxOrderX: 4 } });
    expect(more.getStatsImage().ny).toBe(5); // bin size 400 // 4 = 100 → 400 // 100 + 1
  });
});

describe('BackgroundModel.addImage', () => {
  it('adds sign × the approximated model into a box of an image, as adding getImage does', () => {
    const { img, mask } = scene();
    const model = makeBackground(img, W, H, { binSize: 64, mask, andMask: DETECTED, approx: { useApprox: true, approxOrderX: 4 } });
    const box = Box2I.fromCorner(new Point2I(3, 5), new Extent2I(301, 17));
    const sky = model.getImage(box);
    const stride = 320;
    const target = Float32Array.from({ length: 20 * stride }, (_, k) => (k % 7) * 0.1 - 1000);
    const want = target.slice();
    for (let y = 0; y < 17; y++) for (let x = 0; x < 301; x++) want[stride + 2 + y * stride + x] = want[stride + 2 + y * stride + x]! - sky[y * 301 + x]!;
    const rowSums = new Float64Array(4 * 17);
    model.addImage(target, -1, { bbox: box, offset: stride + 2, stride, center: 1000, rowSums });
    expect(target).toEqual(want);
    // the row sums: of v − 1000 over the box, even and odd columns apart
    let s = 0;
    for (let k = 0; k < sky.length; k++) s += sky[k]! - 1000;
    let got = 0;
    for (let r = 0; r < 17; r++) got += rowSums[4 * r]! + rowSums[4 * r + 1]!;
    expect(got).toBeCloseTo(s, 6);
    // the whole area, adding back
    const whole = model.getImage();
    const back = new Float32Array(W * H);
    model.addImage(back, 1);
    let differ = 0;
    for (let k = 0; k < whole.length; k++) if (back[k] !== whole[k]) differ++;
    expect(differ).toBe(0);
  });

  it('refuses interpolated models, boxes outside the area and short images', () => {
    const { img, mask } = scene();
    const interp = makeBackground(img, W, H, { binSize: 64, mask, andMask: DETECTED });
    expect(() => interp.addImage(new Float32Array(W * H), -1)).toThrow(/Chebyshev approximation/);
    const model = makeBackground(img, W, H, { binSize: 64, mask, andMask: DETECTED, approx: { useApprox: true, approxOrderX: 2 } });
    expect(() => model.addImage(new Float32Array(W * H), -1, { bbox: Box2I.fromCorner(new Point2I(500, 0), new Extent2I(20, 2)) })).toThrow(/not inside/);
    expect(() => model.addImage(new Float32Array(W * H - 1), -1)).toThrow(/does not hold 400 rows of 512/);
    expect(() => model.addImage(new Float32Array(W * H), -1, { stride: 100 })).toThrow(/stride/);
    expect(() => model.addImage(new Float32Array(W * H), -1, { rowSums: new Float64Array(10) })).toThrow(/rowSums/);
  });
});
