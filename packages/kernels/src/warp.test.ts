import { describe, expect, it } from 'vitest';
import { KernelsInvalidArgumentError } from './errors.js';
import { fillWarpingWeights } from './warp-core.js';
import { makeWarpingKernel, warpPlanes, warpPlanesRows, type WarpPositionTransform } from './warp.js';

// The Lanczos kernel straight from its definition, sinc(d) sinc(d / n), independent of the
// angle-addition form the code uses.
function sinc(x: number): number {
  return x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
}
function lanczosDirect(n: number, frac: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < 2 * n; j++) {
    const d = j - (n - 1) - frac;
    out.push(sinc(d) * sinc(d / n));
  }
  return out;
}

/** A deterministic pseudo-random image (LCG), values in [0, 1). */
function randomImage(w: number, h: number, seed = 1): Float32Array {
  const a = new Float32Array(w * h);
  let s = seed;
  for (let i = 0; i < a.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    a[i] = s / 2147483648;
  }
  return a;
}

const shift =
  (dx: number, dy: number): WarpPositionTransform =>
  (xs, ys, n) => {
    for (let i = 0; i < n; i++) {
      xs[i] = xs[i]! + dx;
      ys[i] = ys[i]! + dy;
    }
  };

/** dest → src: rotate by `theta` and scale by `s` about (cx, cy), then shift by (dx, dy). */
function affine(theta: number, s: number, cx: number, cy: number, dx: number, dy: number): WarpPositionTransform {
  const a = s * Math.cos(theta);
  const b = s * Math.sin(theta);
  return (xs, ys, n) => {
    for (let i = 0; i < n; i++) {
      const x = xs[i]! - cx;
      const y = ys[i]! - cy;
      xs[i] = a * x - b * y + cx + dx;
      ys[i] = b * x + a * y + cy + dy;
    }
  };
}

describe('makeWarpingKernel', () => {
  it('knows afw’s names, sizes and centres', () => {
    expect(makeWarpingKernel('lanczos3')).toMatchObject({ kind: 'lanczos', order: 3, width: 6, ctr: 2 });
    expect(makeWarpingKernel('lanczos5')).toMatchObject({ width: 10, ctr: 4 });
    expect(makeWarpingKernel('bilinear')).toMatchObject({ width: 2, ctr: 0 });
    expect(makeWarpingKernel('nearest')).toMatchObject({ width: 2, ctr: 0 });
    expect(() => makeWarpingKernel('lanczos')).toThrow(KernelsInvalidArgumentError);
    expect(() => makeWarpingKernel('cubic')).toThrow(/Unknown warping kernel name 'cubic'/);
  });

  it('gives Lanczos weights equal to sinc(d) sinc(d/n) for orders 2 to 5', () => {
    for (const n of [2, 3, 4, 5]) {
      const k = makeWarpingKernel(`lanczos${n}`);
      const w = new Float64Array(k.width);
      for (const frac of [0, 1e-9, 0.1, 0.25, 0.5, 0.73, 0.999]) {
        const sum = fillWarpingWeights(k, frac, w, 0);
        const expected = lanczosDirect(n, frac);
        for (let j = 0; j < k.width; j++) expect(w[j]).toBeCloseTo(expected[j]!, 12);
        expect(sum).toBeCloseTo(
          expected.reduce((a, b) => a + b, 0),
          12,
        );
      }
    }
  });

  it('gives bilinear and nearest weights as afw defines them', () => {
    const w = new Float64Array(2);
    fillWarpingWeights(makeWarpingKernel('bilinear'), 0.3, w, 0);
    expect([...w]).toEqual([0.7, 0.3]);
    fillWarpingWeights(makeWarpingKernel('nearest'), 0.3, w, 0);
    expect([...w]).toEqual([1, 0]);
    fillWarpingWeights(makeWarpingKernel('nearest'), 0.5, w, 0);
    expect([...w]).toEqual([0, 1]);
  });
});

describe('warpPlanes', () => {
  const W = 40;
  const H = 30;

  it('is the identity for the identity transform (image, variance, mask), with pads at the kernel margin', () => {
    const image = randomImage(W, H);
    const variance = randomImage(W, H, 7);
    const mask = new Int32Array(W * H).map((_, i) => i % 5);
    const d = { image: new Float32Array(W * H), variance: new Float32Array(W * H), mask: new Int32Array(W * H), width: W, height: H };
    const good = warpPlanes({ image, variance, mask, width: W, height: H }, d, () => {}, { padMask: 256 });
    // Lanczos3 needs 2 pixels below and 3 above floor(x): good x in [2, W - 4].
    expect(good).toBe((W - 5) * (H - 5));
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        if (x >= 2 && x <= W - 4 && y >= 2 && y <= H - 4) {
          expect(d.image[i]).toBe(image[i]);
          expect(d.variance[i]).toBe(variance[i]);
          expect(d.mask[i]).toBe(mask[i]);
        } else {
          expect(d.image[i]).toBeNaN();
          expect(d.variance[i]).toBe(Infinity);
          expect(d.mask[i]).toBe(256);
        }
      }
    }
  });

  it('moves pixels by an integer shift exactly, honouring xy0 and strides', () => {
    const srcStride = W + 3;
    const image = randomImage(srcStride, H);
    const dest = new Float64Array(W * H);
    // dest PARENT (x, y) ← src PARENT (x + 3, y - 2); src x0 = 100, y0 = 50; dest x0 = 97, y0 = 52.
    warpPlanes({ image, width: W, height: H, stride: srcStride, x0: 100, y0: 50 }, { image: dest, width: W, height: H, x0: 97, y0: 52 }, shift(3, -2), {
      warpingKernelName: 'lanczos4',
    });
    // dest LOCAL (x, y) is PARENT (97 + x, 52 + y) ← src PARENT (100 + x, 50 + y) = src LOCAL (x, y).
    for (let y = 3; y < H - 4; y++) for (let x = 3; x < W - 4; x++) expect(dest[y * W + x]).toBe(image[y * srcStride + x]);
  });

  it('conserves the flux of Gaussian stars under rotation + scale + shift, and puts them where the transform says', () => {
    const N = 160;
    const sigma = 2;
    const flux = 1000;
    const stars: [number, number][] = [];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) stars.push([40 + 26.3 * i + 0.37 * j, 40 + 25.9 * j + 0.21 * i]);
    const image = new Float32Array(N * N);
    for (const [sx, sy] of stars) {
      for (let y = 0; y < N; y++) {
        for (let x = 0; x < N; x++) {
          const r2 = (x - sx) ** 2 + (y - sy) ** 2;
          if (r2 < 200) image[y * N + x]! += (flux / (2 * Math.PI * sigma * sigma)) * Math.exp(-r2 / (2 * sigma * sigma));
        }
      }
    }
    const theta = 0.3;
    const s = 1.07;
    const cx = 80;
    const cy = 80;
    const dx = 1.3;
    const dy = -0.7;
    const dest = new Float64Array(N * N);
    warpPlanes({ image, width: N, height: N }, { image: dest, width: N, height: N }, affine(theta, s, cx, cy, dx, dy), { interpLength: 10 });
    let total = 0;
    for (const v of dest) if (Number.isFinite(v)) total += v;
    // All 16 stars land inside the destination (checked below), so the total is 16 fluxes.
    expect(Math.abs(total / (stars.length * flux) - 1)).toBeLessThan(1e-3);
    // The inverse transform: src → dest.
    const a = s * Math.cos(theta);
    const b = s * Math.sin(theta);
    const det = a * a + b * b;
    for (const [sx, sy] of stars) {
      const u = sx - cx - dx;
      const v = sy - cy - dy;
      const ex = (a * u + b * v) / det + cx;
      const ey = (-b * u + a * v) / det + cy;
      const x0 = Math.round(ex);
      const y0 = Math.round(ey);
      let m0 = 0;
      let mx = 0;
      let my = 0;
      for (let y = y0 - 9; y <= y0 + 9; y++) {
        for (let x = x0 - 9; x <= x0 + 9; x++) {
          const f = dest[y * N + x]!;
          m0 += f;
          mx += f * x;
          my += f * y;
        }
      }
      expect(Math.abs(m0 / flux - 1)).toBeLessThan(1e-3);
      expect(Math.abs(mx / m0 - ex)).toBeLessThan(0.01);
      expect(Math.abs(my / m0 - ey)).toBeLessThan(0.01);
    }
  });

  it('warps the variance with the squared, normalised kernel', () => {
    const variance = new Float32Array(W * H).fill(4);
    const image = new Float32Array(W * H);
    for (const [name, fx, fy] of [
      ['bilinear', 0.5, 0.5],
      ['lanczos3', 0.3, 0.8],
      ['lanczos2', 0.1, 0.45],
    ] as const) {
      const d = { image: new Float32Array(W * H), variance: new Float32Array(W * H), width: W, height: H };
      warpPlanes({ image, variance, width: W, height: H }, d, shift(fx, fy), { warpingKernelName: name });
      const n = name === 'bilinear' ? 1 : Number(name.slice(7));
      const wx = name === 'bilinear' ? [1 - fx, fx] : lanczosDirect(n, fx);
      const wy = name === 'bilinear' ? [1 - fy, fy] : lanczosDirect(n, fy);
      const q = (w: number[]) => w.reduce((a, v) => a + v * v, 0) / w.reduce((a, v) => a + v, 0) ** 2;
      expect(d.variance[15 * W + 15]).toBeCloseTo(4 * q(wx) * q(wy), 5);
    }
  });

  it('ORs the mask over the kernel footprint, the mask kernel’s footprint, and grows growFullMask bits to the full kernel', () => {
    const mask = new Int32Array(W * H);
    mask[20 * W + 20] = 0b11; // bit 0 (ordinary) and bit 1 (grown to the full kernel)
    const image = new Float32Array(W * H);
    const run = (options: object) => {
      const d = { image: new Float32Array(W * H), mask: new Int32Array(W * H), width: W, height: H };
      warpPlanes({ image, mask, width: W, height: H }, d, shift(0.3, 0.4), options);
      return d.mask;
    };
    // dest (x, y) reads floor = (x, y); Lanczos3 taps x-2 .. x+3, bilinear taps x .. x+1.
    const full = run({});
    const withMaskKernel = run({ maskWarpingKernelName: 'bilinear', growFullMask: 0b10 });
    for (let y = 5; y < H - 5; y++) {
      for (let x = 5; x < W - 5; x++) {
        const inFull = x >= 17 && x <= 22 && y >= 17 && y <= 22;
        const inBilinear = x >= 19 && x <= 20 && y >= 19 && y <= 20;
        expect(full[y * W + x]).toBe(inFull ? 0b11 : 0);
        expect(withMaskKernel[y * W + x]).toBe(inBilinear ? 0b11 : inFull ? 0b10 : 0);
      }
    }
  });

  it('writes the pad values where the source does not cover the destination', () => {
    const image = randomImage(W, H);
    const d = { image: new Float32Array(W * H), variance: new Float32Array(W * H), mask: new Int32Array(W * H), width: W, height: H };
    const good = warpPlanes({ image, variance: image, mask: new Int32Array(W * H), width: W, height: H }, d, shift(25.5, 0), { padMask: 1 << 8 });
    // Source x = x + 25.5 has floor x + 25, which must be <= W - 4 = 36: dest x <= 11, and >= 2 for y.
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const covered = x + 25 >= 2 && x + 25 <= W - 4 && y >= 2 && y <= H - 4;
        const i = y * W + x;
        expect(Number.isNaN(d.image[i]!)).toBe(!covered);
        expect(d.mask[i]).toBe(covered ? 0 : 256);
        if (!covered) expect(d.variance[i]).toBe(Infinity);
      }
    }
    expect(good).toBe(12 * (H - 5));
    // A transform that gives NaN (no sky) pads too.
    const none = warpPlanes({ image, width: W, height: H }, { image: d.image, width: W, height: H }, (xs, ys, n) => {
      xs.fill(Number.NaN, 0, n);
      ys.fill(Number.NaN, 0, n);
    });
    expect(none).toBe(0);
  });

  it('gives the same pixels with interpolated positions for an affine transform, and close ones for a curved one', () => {
    const N = 64;
    const image = randomImage(N, N, 3);
    const run = (t: WarpPositionTransform, interpLength: number) => {
      const dest = new Float64Array(N * N);
      warpPlanes({ image, width: N, height: N }, { image: dest, width: N, height: N }, t, { interpLength });
      return dest;
    };
    const aff = affine(0.2, 0.95, 32, 32, 0.4, -0.3);
    const exact = run(aff, 0);
    const interp = run(aff, 10);
    for (let i = 0; i < exact.length; i++) if (Number.isFinite(exact[i]!)) expect(interp[i]).toBeCloseTo(exact[i]!, 9);
    // Mild curvature: positions off by < 1e-3 px between nodes.
    const curved: WarpPositionTransform = (xs, ys, n) => {
      for (let i = 0; i < n; i++) {
        const x = xs[i]!;
        xs[i] = x + 1e-5 * (x - 32) ** 2 + 0.2;
        ys[i] = ys[i]! + 0.3;
      }
    };
    const e2 = run(curved, 0);
    const i2 = run(curved, 8);
    let maxDiff = 0;
    let nDiff = 0;
    for (let i = 0; i < e2.length; i++) {
      if (!Number.isFinite(e2[i]!) || !Number.isFinite(i2[i]!)) continue;
      maxDiff = Math.max(maxDiff, Math.abs(e2[i]! - i2[i]!));
      if (e2[i] !== i2[i]) nDiff++;
    }
    expect(nDiff).toBeGreaterThan(0);
    expect(maxDiff).toBeLessThan(0.01);
  });

  it('accepts precomputed positions and row ranges with the same answers', () => {
    const N = 48;
    const image = randomImage(N, N, 5);
    const aff = affine(-0.4, 1.1, 24, 24, 0.3, 0.1);
    const ref = new Float64Array(N * N);
    warpPlanes({ image, width: N, height: N }, { image: ref, width: N, height: N }, aff);
    const x = new Float64Array(N * N);
    const y = new Float64Array(N * N);
    for (let r = 0; r < N; r++) for (let c = 0; c < N; c++) [x[r * N + c], y[r * N + c]] = [c, r];
    aff(x, y, N * N);
    const pre = new Float64Array(N * N);
    warpPlanes({ image, width: N, height: N }, { image: pre, width: N, height: N }, { x, y });
    const halves = new Float64Array(N * N);
    warpPlanesRows({ image, width: N, height: N }, { image: halves, width: N, height: N }, aff, {}, 0, 20);
    warpPlanesRows({ image, width: N, height: N }, { image: halves, width: N, height: N }, aff, {}, 20, N);
    for (let i = 0; i < N * N; i++) {
      if (Number.isNaN(ref[i]!)) {
        expect(pre[i]).toBeNaN();
        continue;
      }
      expect(pre[i]).toBeCloseTo(ref[i]!, 10);
      expect(halves[i]).toBe(ref[i]);
    }
  });

  it('agrees with exact weights to 1e-5 when the kernel is tabulated (cacheSize)', () => {
    const N = 40;
    const image = randomImage(N, N, 9);
    const a = new Float64Array(N * N);
    const b = new Float64Array(N * N);
    const t = affine(0.1, 1, 20, 20, 0.37, 0.61);
    warpPlanes({ image, width: N, height: N }, { image: a, width: N, height: N }, t);
    warpPlanes({ image, width: N, height: N }, { image: b, width: N, height: N }, t, { cacheSize: 10000 });
    for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i]!)) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-3 * 0.01 + 1e-4);
  });

  it('rejects bad arguments with messages that say what was given', () => {
    const src = { image: new Float32Array(100), width: 10, height: 10 };
    const dest = { image: new Float32Array(100), width: 10, height: 10 };
    expect(() => warpPlanes(src, dest, () => {}, { warpingKernelName: 'bilinear', maskWarpingKernelName: 'lanczos3' })).toThrow(/reaches beyond/);
    expect(() => warpPlanes(src, dest, () => {}, { interpLength: -1 })).toThrow(/interpLength must be an integer >= 0; got -1/);
    expect(() => warpPlanes(src, dest, () => {}, { cacheSize: 1 })).toThrow(KernelsInvalidArgumentError);
    expect(() => warpPlanes({ ...src, image: new Float32Array(50) }, dest, () => {})).toThrow(/holds 50 pixels/);
    expect(() => warpPlanes(src, dest, { x: new Float64Array(3), y: new Float64Array(3) })).toThrow(/one value per destination pixel \(100\)/);
    expect(() => warpPlanesRows(src, dest, () => {}, {}, 5, 11)).toThrow(/Rows 5 to 11/);
    const row = { image: new Float32Array(10), width: 10, height: 1 };
    expect(() => warpPlanes(src, row, { x: new Float64Array(10), y: new Float64Array(10) })).toThrow(/at least 2 columns and 2 rows; got 10x1/);
  });
});
