import { describe, expect, it } from 'vitest';
import { convolveMixtures, ellipseCovariance, galaxyMixture, HOGG_LANG_DEV, HOGG_LANG_EXP, mixturePeak, mixtureSquaredIntegral, renderMixture } from './gaussian-mixture.js';
import { psfMixture, SimPsfModel } from './psf-model.js';

function moments(img: Float64Array, w: number, h: number): { sum: number; cx: number; cy: number; xx: number; yy: number; xy: number } {
  let sum = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = img[y * w + x]!;
      sum += v;
      sx += v * x;
      sy += v * y;
    }
  }
  const cx = sx / sum;
  const cy = sy / sum;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = img[y * w + x]!;
      xx += v * (x - cx) ** 2;
      yy += v * (y - cy) ** 2;
      xy += v * (x - cx) * (y - cy);
    }
  }
  return { sum, cx, cy, xx: xx / sum, yy: yy / sum, xy: xy / sum };
}

describe('Hogg & Lang mixtures', () => {
  // Hogg & Lang fit profiles truncated softly at 4 r_e (exp) and 8 r_e (dev), so the light within
  // r_e is half of the untruncated profile's light over the light within the truncation radius:
  // 0.5 / P(2n, b_n·R^(1/n)) with P the regularised lower incomplete gamma function.
  const enclosedSersic = (n: number, b: number, radius: number): number => {
    const x = b * radius ** (1 / n);
    let term = 1;
    let sum = 1;
    for (let k = 1; k < 2 * n; k++) {
      term *= x / k;
      sum += term;
    }
    return 1 - Math.exp(-x) * sum;
  };
  it.each([
    ['exp', HOGG_LANG_EXP, 1, 1.67835, 4],
    ['dev', HOGG_LANG_DEV, 4, 7.66925, 8],
  ] as const)('%s: the light within the half-light radius matches the truncated profile (to 0.03)', (_name, table, n, b, truncation) => {
    const total = table.reduce((s, [a]) => s + a, 0);
    const enclosed = table.reduce((s, [a, sd]) => s + (a / total) * (1 - Math.exp(-1 / (2 * sd * sd))), 0);
    const expected = enclosedSersic(n, b, 1) / enclosedSersic(n, b, truncation);
    expect(Math.abs(enclosed - expected)).toBeLessThan(0.03);
  });

  it('scales a galaxy mixture by the half-light ellipse and normalises the weights', () => {
    const shape = ellipseCovariance(4, 0.5, 0.3);
    const m = galaxyMixture('exp', shape);
    expect(m.reduce((s, c) => s + c.weight, 0)).toBeCloseTo(1, 12);
    // Every component has the ellipse's axis ratio: det/trace² is the same.
    for (const c of m) expect((c.xx * c.yy - c.xy * c.xy) / (c.xx + c.yy) ** 2).toBeCloseTo(0.25 / 1.5625, 10);
  });
});

describe('convolveMixtures, mixtureSquaredIntegral, mixturePeak', () => {
  it('adds covariances and multiplies weights', () => {
    const a = [{ weight: 0.3, xx: 1, xy: 0.2, yy: 2 }, { weight: 0.7, xx: 3, xy: 0, yy: 3 }];
    const b = [{ weight: 1, xx: 0.5, xy: -0.1, yy: 0.5 }];
    const c = convolveMixtures(a, b);
    expect(c).toEqual([
      { weight: 0.3, xx: 1.5, xy: expect.closeTo(0.1, 12), yy: 2.5 },
      { weight: 0.7, xx: 3.5, xy: -0.1, yy: 3.5 },
    ]);
  });

  it('gives 1/(4πσ²) and 1/(2πσ²) for one circular Gaussian', () => {
    const g = [{ weight: 1, xx: 2.25, xy: 0, yy: 2.25 }];
    expect(mixtureSquaredIntegral(g)).toBeCloseTo(1 / (4 * Math.PI * 2.25), 14);
    expect(mixturePeak(g)).toBeCloseTo(1 / (2 * Math.PI * 2.25), 14);
  });
});

describe('renderMixture', () => {
  const w = 160;
  const h = 160;

  it('conserves the flux of a star to 0.1% and puts its centroid at the true position to 0.005 px', () => {
    const psf = new SimPsfModel(0.7, 0.03, -0.02).mixtureAt(25, -20);
    for (const [x0, y0] of [[80.3, 79.85], [70.5, 90.5], [81.01, 77.77]] as const) {
      const img = new Float64Array(w * h);
      const added = renderMixture(img, w, h, x0, y0, 1e5, psf);
      const m = moments(img, w, h);
      expect(Math.abs(m.sum / 1e5 - 1)).toBeLessThan(1e-3);
      expect(Math.abs(added - m.sum)).toBeLessThan(1e-6);
      expect(Math.abs(m.cx - x0)).toBeLessThan(0.005);
      expect(Math.abs(m.cy - y0)).toBeLessThan(0.005);
    }
  });

  it('reproduces the second moments of the mixture plus the pixel (1/12 per axis)', () => {
    const psf = psfMixture({ sigmaCore: 1.6, sigmaWing: 3.2, wingFraction: 0.1, e1: 0.05, e2: 0.03, fwhmPixels: 4 });
    const gal = convolveMixtures(galaxyMixture('dev', ellipseCovariance(3, 0.6, 1.0)), psf);
    const img = new Float64Array(w * h);
    renderMixture(img, w, h, 80.2, 80.6, 1e6, gal, { threshold: 1e-6 });
    const m = moments(img, w, h);
    const exp = gal.reduce((s, c) => ({ xx: s.xx + c.weight * c.xx, xy: s.xy + c.weight * c.xy, yy: s.yy + c.weight * c.yy }), { xx: 0, xy: 0, yy: 0 });
    expect(m.xx).toBeCloseTo(exp.xx + 1 / 12, 1);
    expect(m.yy).toBeCloseTo(exp.yy + 1 / 12, 1);
    expect(m.xy).toBeCloseTo(exp.xy, 1);
    expect(Math.abs(m.sum / 1e6 - 1)).toBeLessThan(2e-3);
  });

  it('clips the stamp at the image edge', () => {
    const img = new Float64Array(w * h);
    const added = renderMixture(img, w, h, -0.5, 80, 1000, [{ weight: 1, xx: 4, xy: 0, yy: 4 }]);
    expect(added).toBeCloseTo(500, 0);
  });
});

describe('SimPsfModel', () => {
  it('has the visit FWHM at the centre of the focal plane and widens outwards', () => {
    const psf = new SimPsfModel(0.8);
    const c = psf.at(0, 0);
    expect(c.fwhmPixels).toBeCloseTo(4, 10);
    // The circular mixture is at half its peak at r = FWHM/2.
    const m = psf.mixtureAt(0, 0);
    const value = (r: number): number => m.reduce((s, g) => s + (g.weight / (2 * Math.PI * g.xx)) * Math.exp((-0.5 * r * r) / g.xx), 0);
    expect(value(2) / value(0)).toBeCloseTo(0.5, 8);
    expect(psf.at(30, 0).fwhmPixels / c.fwhmPixels).toBeCloseTo(1.06, 10);
    expect(psf.at(30, 0).e1).toBeCloseTo(0.04, 10);
  });
});
