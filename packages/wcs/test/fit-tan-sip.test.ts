/** fitTanSipWcs: recovering a known TAN-SIP WCS from its own matches, and fitting noisy ones. */
import { describe, expect, it } from 'vitest';
import { Angle, Point2D, SpherePoint } from '@skystack/geom';
import { WcsInvalidArgumentError, fitTanSipWcs, makeCdMatrix, makeSkyWcs, makeTanSipWcs, type WcsMatch } from '../src/index.js';

const CRPIX = new Point2D(1023.5, 2047.5);
const CRVAL = SpherePoint.fromDegrees(35.88, -3.68);
const CD = makeCdMatrix(Angle.fromArcseconds(0.185), Angle.fromDegrees(-12));
const SIP_A = [
  [0, 0, -2e-6, 1e-10],
  [0, 5e-7, 3e-11],
  [1e-6, -2e-11],
  [4e-11],
];
const SIP_B = [
  [0, 0, 1.5e-6, -3e-11],
  [0, -8e-7, 2e-11],
  [-1e-6, 1e-11],
  [-2e-11],
];
const truth = makeTanSipWcs(CRPIX, CRVAL, CD, SIP_A, SIP_B);

/** Deterministic standard normal deviates. */
function gaussian(seed: number): () => number {
  let s = seed;
  const u = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) + 1) / 2147483649;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

function matches(noisePixels = 0, n = 25): WcsMatch[] {
  const g = gaussian(42);
  const out: WcsMatch[] = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const x = (2047 * (i + 0.37 * ((j * 7) % 5) / 5)) / (n - 1);
      const y = (4095 * (j + 0.21 * ((i * 3) % 7) / 7)) / (n - 1);
      const sky = truth.pixelToSky(x, y);
      out.push({ pixel: new Point2D(x + noisePixels * g(), y + noisePixels * g()), sky });
    }
  return out;
}

function maxErrorArcsec(a: ReturnType<typeof makeSkyWcs>): number {
  let worst = 0;
  for (let x = 0; x <= 2048; x += 256)
    for (let y = 0; y <= 4096; y += 256) worst = Math.max(worst, a.pixelToSky(x, y).separation(truth.pixelToSky(x, y)).asArcseconds());
  return worst;
}

describe('fitTanSipWcs', () => {
  it('recovers a known TAN-SIP WCS from exact matches (CRVAL re-centred from a wrong start)', () => {
    const start = makeSkyWcs(CRPIX, CRVAL.offset(Angle.fromDegrees(45), Angle.fromArcseconds(20)), CD);
    const { wcs, scatter } = fitTanSipWcs(matches(), 3, start);
    expect(scatter.asArcseconds()).toBeLessThan(1e-7);
    expect(wcs.getSkyOrigin().separation(CRVAL).asArcseconds()).toBeLessThan(1e-7);
    const cd = wcs.getCdMatrix();
    for (const [i, j] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ] as const)
      expect(cd[i][j] / CD[i][j] - 1).toBeCloseTo(0, 8);
    const sip = wcs.getSipMatrices()!;
    expect(sip.a[2]![0]! / 1e-6).toBeCloseTo(1, 5);
    expect(sip.b[0]![2]! / 1.5e-6).toBeCloseTo(1, 5);
    expect(sip.ap).toBeDefined();
    expect(maxErrorArcsec(wcs)).toBeLessThan(1e-6);
    // The fitted AP/BP start the inverse well; the inverse itself is exact.
    const p = wcs.skyToPixel(truth.pixelToSky(100, 3900));
    expect(p.x).toBeCloseTo(100, 8);
    expect(p.y).toBeCloseTo(3900, 8);
  });

  it('fits noisy matches: the scatter reflects the noise, the WCS stays close to the truth', () => {
    const noise = 0.05; // pixels
    const { wcs, scatter } = fitTanSipWcs(matches(noise), 3);
    const expected = noise * Math.SQRT2 * 0.185; // arcsec, two axes
    expect(scatter.asArcseconds()).toBeGreaterThan(0.7 * expected);
    expect(scatter.asArcseconds()).toBeLessThan(1.2 * expected);
    expect(maxErrorArcsec(wcs)).toBeLessThan(0.01);
  });

  it('order 1 gives a plain TAN WCS', () => {
    const tan = makeSkyWcs(CRPIX, CRVAL, CD);
    const m: WcsMatch[] = [];
    for (let x = 0; x < 2048; x += 300) for (let y = 0; y < 4096; y += 300) m.push({ pixel: new Point2D(x, y), sky: tan.pixelToSky(x, y) });
    const { wcs, scatter } = fitTanSipWcs(m, 1, tan);
    expect(wcs.hasDistortion).toBe(false);
    expect(scatter.asArcseconds()).toBeLessThan(1e-8);
  });

  it('rejects too few matches and bad orders', () => {
    expect(() => fitTanSipWcs(matches().slice(0, 5), 3)).toThrow(WcsInvalidArgumentError);
    expect(() => fitTanSipWcs(matches(), 0)).toThrow(WcsInvalidArgumentError);
    expect(() => fitTanSipWcs([], 2)).toThrow(WcsInvalidArgumentError);
  });
});
