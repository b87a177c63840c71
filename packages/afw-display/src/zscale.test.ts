import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { Image, ImageF } from '@skystack/afw-image';
import { astropyAvailable, runPythonJson } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import { AfwDisplayInvalidArgumentError } from './errors.js';
import { zscale } from './zscale.js';

/** Deterministic uniform [0, 1) generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Sky + noise + Gaussian stars. */
function starField(w: number, h: number, seed: number): Float32Array {
  const u = rng(seed);
  const g = gaussian(u);
  const a = new Float32Array(w * h);
  for (let i = 0; i < a.length; i++) a[i] = 1000 + 10 * g();
  for (let s = 0; s < 40; s++) {
    const cx = u() * w;
    const cy = u() * h;
    const flux = 200 + 5000 * u() ** 3;
    for (let y = Math.max(0, Math.floor(cy - 8)); y < Math.min(h, cy + 8); y++) {
      for (let x = Math.max(0, Math.floor(cx - 8)); x < Math.min(w, cx + 8); x++) {
        a[y * w + x]! += flux * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * 1.8 ** 2));
      }
    }
  }
  return a;
}

const SCRIPT = String.raw`
import sys, json, warnings
warnings.simplefilter('ignore')
import numpy as np
from astropy.visualization import ZScaleInterval
out = []
for c in json.load(sys.stdin):
    a = np.array([np.nan if v is None else v for v in c['values']], dtype=np.float32).reshape(c['h'], c['w'])
    kw = c.get('kw', {})
    lo, hi = ZScaleInterval(**kw).get_limits(a)
    out.append([float(lo), float(hi)])
print(json.dumps(out))
`;

interface Case {
  name: string;
  w: number;
  h: number;
  values: Float32Array;
  kw?: Record<string, number>;
}

const cases: Case[] = [];
cases.push({ name: 'noise + stars (stride 1)', w: 40, h: 25, values: starField(40, 25, 1) });
cases.push({ name: 'noise + stars (stride > 1)', w: 257, h: 193, values: starField(257, 193, 2) });
{
  const w = 150;
  const h = 90;
  const v = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) v[y * w + x] = 3.5 * x - 2 * y + 0.01 * x * y;
  cases.push({ name: 'gradient', w, h, values: v });
}
{
  const v = starField(120, 80, 3);
  const u = rng(9);
  for (let i = 0; i < v.length; i++) if (u() < 0.2) v[i] = NaN;
  for (let x = 0; x < 120; x++) v[5 * 120 + x] = NaN;
  cases.push({ name: 'with NaNs', w: 120, h: 80, values: v });
}
{
  const v = starField(64, 64, 4);
  cases.push({ name: 'other parameters', w: 64, h: 64, values: v, kw: { n_samples: 300, contrast: 0.5, krej: 2, max_iterations: 3 } });
}
cases.push({ name: 'too few pixels (min/max)', w: 4, h: 1, values: Float32Array.from([3, 1, 2, 10]) });
{
  // Heavy-tailed: most samples rejected, so the min/max fall-back triggers.
  const u = rng(11);
  const v = new Float32Array(900);
  for (let i = 0; i < v.length; i++) v[i] = Math.tan(Math.PI * (u() - 0.5)) ** 3;
  cases.push({ name: 'heavy tails', w: 30, h: 30, values: v });
}

describe.runIf(astropyAvailable())('zscale against astropy ZScaleInterval', () => {
  const expected = runPythonJson<[number, number][]>(
    SCRIPT,
    [],
    cases.map((c) => ({ w: c.w, h: c.h, kw: c.kw ?? {}, values: Array.from(c.values, (v) => (Number.isNaN(v) ? null : v)) })),
  );
  const close = (got: number, want: number): void => {
    expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want)));
  };

  cases.forEach((c, k) => {
    it(c.name, () => {
      const opts = c.kw
        ? { nSamples: c.kw['n_samples']!, contrast: c.kw['contrast']!, krej: c.kw['krej']!, maxIterations: c.kw['max_iterations']! }
        : {};
      const image = new Image(c.values, c.w, c.h);
      const fromImage = zscale(image, opts);
      const fromArray = zscale(c.values, opts);
      const [lo, hi] = expected[k]!;
      close(fromImage.min, lo);
      close(fromImage.max, hi);
      expect(fromArray).toEqual(fromImage);
    });
  });

  it('samples a sub-image view row by row, as astropy does on the sliced array', () => {
    const c = cases[1]!;
    const parent = new Image(c.values, c.w, c.h, { xy0: new Point2I(100, 200) });
    const bbox = Box2I.fromCorner(new Point2I(130, 210), new Extent2I(101, 77));
    const sub = parent.subset(bbox);
    const copy = new Float32Array(101 * 77);
    for (let y = 0; y < 77; y++) for (let x = 0; x < 101; x++) copy[y * 101 + x] = c.values[(y + 10) * c.w + x + 30]!;
    const [[lo, hi]] = runPythonJson<[number, number][]>(SCRIPT, [], [{ w: 101, h: 77, values: Array.from(copy) }]) as [[number, number]];
    const z = zscale(sub);
    close(z.min, lo);
    close(z.max, hi);
  });
});

describe('zscale', () => {
  it('throws when no pixel is finite', () => {
    const img = ImageF(new Extent2I(3, 3), NaN);
    expect(() => zscale(img)).toThrow(AfwDisplayInvalidArgumentError);
  });

  it('rejects bad parameters', () => {
    expect(() => zscale([1, 2, 3], { nSamples: 0 })).toThrow(AfwDisplayInvalidArgumentError);
    expect(() => zscale([1, 2, 3], { krej: -1 })).toThrow(AfwDisplayInvalidArgumentError);
  });

  it('on a pure linear ramp returns the line through the median with slope/contrast, clipped', () => {
    // Samples 0..999: the fit is exact, slope 1, median 499.5: limits max(0, 499.5 - 498 * 4) = 0 and min(999, 499.5 + 501 * 4) = 999.
    const ramp = Float64Array.from({ length: 1000 }, (_, i) => i);
    expect(zscale(ramp)).toEqual({ min: 0, max: 999 });
    // contrast 1: 499.5 - 498 = 1.5 and 499.5 + 501 = 1000.5 → clipped to 999.
    expect(zscale(ramp, { contrast: 1 })).toEqual({ min: 1.5, max: 999 });
  });
});
